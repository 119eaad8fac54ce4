/** Which compute engine runs the forward/backward passes, and why. */
import type { EngineName, Precision } from './engine';

/** Kept for callers that name engines; every engine name (tfjs backends and onnxruntime). */
export type BackendName = EngineName;

export interface BackendReport {
  /** Curvature's name for the engine chosen. */
  name: EngineName;
  /** tfjs backend id as registered (tensorflow, wasm, cpu); with onnxruntime, the one exports use. */
  tfBackend: string;
  /** Human label, e.g. "TensorFlow CUDA — NVIDIA A100" or "onnxruntime 1.30 (CPU, 2 threads)". */
  label: string;
  /** Device description. */
  device: string;
  /** Package and version that provides it. */
  package: string;
  version: string;
  /** Each engine tried before (or instead of) this one, with the reason it was not used. */
  skipped: { name: EngineName; reason: string }[];
  /** How the choice was made: automatic, or an override (CURVATURE_BACKEND, experiment, --backend, GUI). */
  selection: 'auto' | 'override';
  /** Where an override came from, when there was one. */
  overrideSource?: 'env' | 'experiment' | 'option';
  /** Intra-op threads, for engines that have a setting (onnxruntime). */
  threads?: number;
  /** The precisions the chosen engine computes. */
  precisions?: Precision[];
  /** Which engine float64 runs get (tfjs has no float64), and why not onnxruntime when it is js64. */
  float64?: { name: EngineName; reason?: string };
}
