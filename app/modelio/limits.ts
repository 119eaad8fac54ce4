/**
 * Budgets for reading a model file, checked before anything is allocated. A model file is hostile
 * input: every size it states (zip members, array shapes, layer lists, JSON nesting) is compared
 * with these limits, and with the file's real length, before memory is reserved for it.
 * Together they bound what one import can hold at once (see docs/safety.md).
 */
export { formatBytes } from '../util/bytes';

export const MODEL_LIMITS = {
  /** The model file itself, and every shard of a TF.js model together. */
  fileBytes: 512 * 1024 ** 2,
  /** Inflated bytes of the zip members actually read (a .keras archive or weights.npz). */
  inflatedBytes: 512 * 1024 ** 2,
  /** Entries in a zip's central directory. */
  zipEntries: 10_000,
  /** One JSON text (model.json, config.json, model_config, weights.json). */
  jsonBytes: 128 * 1024 ** 2,
  /** Nesting of arrays and objects in one JSON text. */
  jsonDepth: 64,
  /** Layers in a model config or weight file. */
  layers: 1_000,
  /** Weights and biases over all layers. */
  parameters: 32 * 1024 ** 2,
} as const;

export type ModelLimits = typeof MODEL_LIMITS;
