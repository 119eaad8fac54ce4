/**
 * The experiment file: the one contract between renderer, main, trainer and the CLI.
 * The GUI saves exactly what `curvature run` reads. It composes the specs each layer owns
 * (data/spec, model/spec, optim/spec) so that no lower layer has to import this one.
 */
import { ConfigError } from '../util/configError';
import { dataSpecSchema } from '../data/spec';
import { z } from 'zod';
export { dataSourceSchema, dataSpecSchema, type DataSource, type DataSpec } from '../data/spec';
import { modelSpecSchema } from '../model/spec';
import { optimizerSpecSchema, stoppingSpecSchema } from '../optim/spec';
import { ENGINE_NAMES, ONNX_DEVICES, PRECISIONS } from '../engine/engine';
import { FITTING_SPLIT } from '../data/spec';
import { safeNameSchema } from '../util/safeName';

/** Which compute engine runs the passes ('auto': the engine choice; see app/engine/choice.ts). */
export const engineSettingSchema = z.object({
  backend: z.enum(['auto', ...ENGINE_NAMES]).default('auto'),
  /** Intra-op threads for engines that have them (onnxruntime); default: physical cores. */
  threads: z.int().min(1).max(256).optional(),
  /** onnxruntime's device; 'auto': the fastest that passes its self-test, timed on the model (docs/gpu.md). */
  device: z.enum(['auto', ...ONNX_DEVICES]).optional(),
});
export type EngineSetting = z.infer<typeof engineSettingSchema>;

export const runSpecSchema = z.object({
  /**
   * Stable id within the experiment; defaults to the optimizer kind plus an index. It names the
   * run's export folder, so it is restricted to a safe file name (util/paths SAFE_NAME).
   */
  id: safeNameSchema.optional(),
  label: z.string().max(200).optional(),
  optimizer: optimizerSpecSchema,
  stopping: stoppingSpecSchema.prefault({}),
  /**
   * Arithmetic of this run's passes; default: the experiment's `precision`. One optimizer can race
   * itself in float32 and float64 from the same start (optimizer state is float64 either way).
   */
  precision: z.enum(PRECISIONS).optional(),
});
export type RunSpec = z.infer<typeof runSpecSchema>;

/** Dense kernel layout: W is fan_in rows of fan_out values. */
export const inlineWeightsSchema = z.object({
  layers: z.array(
    z.object({
      W: z.array(z.array(z.number())),
      b: z.array(z.number()).optional(),
    }),
  ),
});
export type InlineWeights = z.infer<typeof inlineWeightsSchema>;

export const initialWeightsSchema = z.union([
  z.object({ path: z.string().min(1) }),
  inlineWeightsSchema,
]);

export const experimentSchema = z.object({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  name: z.string().max(200).default('Untitled experiment'),
  description: z.string().max(10_000).optional(),
  data: dataSpecSchema,
  model: modelSpecSchema,
  runs: z
    .array(runSpecSchema)
    .min(1)
    .max(32)
    .superRefine((runs, ctx) => {
      // Two runs with one id would export into the same folder and be stopped together.
      const seen = new Set<string>();
      runs.forEach((r, i) => {
        if (r.id === undefined) return;
        if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate run id "${r.id}"` });
        seen.add(r.id);
      });
    }),
  /** Seed of the initial weights (Glorot-uniform) shared by every run. */
  seed: z.int().default(1),
  initialWeights: initialWeightsSchema.optional(),
  engine: engineSettingSchema.optional(),
  /** Default arithmetic of the runs (each run may name its own): float32, or float64 (see docs/float64.md). */
  precision: z.enum(PRECISIONS).default('float32'),
  /**
   * Start points: every run spec runs from each, so runs are paired by start. Repeat r draws its
   * weights from `seed + r`; with `initialWeights`, repeat 0 uses them as they are.
   */
  repeats: z.int().min(1).max(100).default(1),
  /**
   * 'fitting': MATLAB's fitting-app defaults — a 70/15/15 train/validation/test split and 6
   * validation checks on every run — wherever the file does not set those fields itself.
   */
  preset: z.enum(['fitting']).optional(),
  /**
   * The Hessian's spectrum (k largest and k smallest eigenvalues) at each run's start, at every
   * hand-off switch and at its end. 'auto' (also when omitted): on while the model is small enough for
   * the exact dense spectrum (app/optim/spectrum DENSE_SPECTRUM_BOUND) and its n products over the
   * training rows are cheap (app/train/curvature AUTO_SPECTRUM_WORK), off otherwise; 'always': on,
   * Lanczos above the dense bound; 'off'.
   */
  spectrum: z.object({ k: z.int().min(1).max(20).default(5), when: z.enum(['auto', 'always', 'off']).default('auto') }).optional(),
});
export type Experiment = z.infer<typeof experimentSchema>;

/** The precision a run computes in: its own, else the experiment's. */
export function runPrecision(experiment: Pick<Experiment, 'precision'>, run: Pick<RunSpec, 'precision'>): 'float32' | 'float64' {
  return run.precision ?? experiment.precision ?? 'float32';
}
export type ExperimentInput = z.input<typeof experimentSchema>;

/** Parse with an error that names the field, e.g. `runs.0.optimizer.history: Too small…`. */
export function parseExperiment(value: unknown, file?: string): Experiment {
  const r = experimentSchema.safeParse(withPreset(value));
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`${file ? file + ': ' : ''}invalid experiment\n  ${lines.join('\n  ')}`);
}

/** MATLAB's default max_fail, which the fitting preset sets on every run. */
export const FITTING_VALIDATION_CHECKS = 6;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The preset's fields filled in where the file leaves them out (explicit values win). */
export function withPreset(value: unknown): unknown {
  if (!isRecord(value) || value.preset !== 'fitting') return value;
  const data = isRecord(value.data) ? value.data : undefined;
  const split = data && isRecord(data.split) ? data.split : {};
  const runs = Array.isArray(value.runs)
    ? value.runs.map((r) => {
        if (!isRecord(r)) return r;
        const stopping = isRecord(r.stopping) ? r.stopping : {};
        return { ...r, stopping: { validationChecks: FITTING_VALIDATION_CHECKS, ...stopping } };
      })
    : value.runs;
  return { ...value, ...(data && { data: { ...data, split: { ...FITTING_SPLIT, ...split } } }), runs };
}
