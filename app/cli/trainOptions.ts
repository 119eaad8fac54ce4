/** Turns `curvature train` flags into an Experiment — the same schema the GUI saves. */
import path from 'node:path';
import { InputError } from './errors';
import { ACTIVATIONS, type Activation, type ModelSpec } from '../model/spec';
import {
  OPTIMIZER_KINDS,
  optimizerSpecSchema,
  type OptimizerSpecInput,
  type PhaseUntil,
  type SingleOptimizerKind as OptimizerKind,
} from '../optim/spec';
import { parseExperiment, type Experiment, type ExperimentInput } from '../schema/experiment';
import { importModel, type ImportedModel } from '../modelio/importModel';
import { FITTING_SPLIT } from '../data/spec';

/**
 * `--model FILE`: the file's layers replace `--layers`; a weights-only file needs `--layers` that match it.
 * Read here so that the experiment (and --save-experiment) records the layers the run will use.
 */
export async function importModelFlag(flags: TrainFlags, cwd = process.cwd()): Promise<ImportedModel | undefined> {
  if (!flags.model) return undefined;
  if (flags.initWeights) throw new InputError('--model and --init-weights both name a start point; use one');
  const given = flags.layers ? parseLayers(flags.layers) : undefined;
  const imported = await importModel(path.resolve(cwd, flags.model), { layers: given });
  if (given && imported.format !== 'keras-h5-weights' && imported.format !== 'keras3-weights' && imported.format !== 'curvature-npz' && imported.format !== 'keras3') {
    throw new InputError(`--layers: ${path.basename(flags.model)} describes its own layers; drop --layers when using --model with this file`);
  }
  return imported;
}

export interface TrainFlags {
  /** One column, or a,b,c for several targets. */
  target: string;
  weight?: string;
  /** Comma-separated column lists. */
  ignore?: string;
  expandDates?: string;
  dateOrder?: string;
  preset?: string;
  validationChecks?: number;
  huberDelta?: number;
  layers?: string;
  optimizer: string;
  task?: string;
  loss?: string;
  l2?: number;
  maxIter?: number;
  maxEvals?: number;
  maxSeconds?: number;
  gtol?: number;
  ftol?: number;
  xtol?: number;
  seed?: number;
  validation?: number;
  test?: number;
  standardize: boolean;
  scaleTarget: boolean;
  missing?: string;
  initWeights?: string;
  /** An existing model file to start from (its layers and weights). */
  model?: string;
  lr?: number;
  history?: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  rho?: number;
  batchSize?: number;
  lineSearch?: string;
  maxLsEvals?: number;
  initialStep?: string;
  initialHessian?: string;
  firstStep?: string;
  curvatureUpdate?: string;
  initialScaling?: string;
  name?: string;
  repeats?: number;
  switchAfter?: number;
  switchOnPlateau?: string;
  /** "float32", "float64", or both ("float32,float64": every optimizer runs once in each). */
  precision?: string;
  mu?: number;
  muDec?: number;
  muInc?: number;
  muMax?: number;
  damping?: string;
  lmSolver?: string;
}

/** "float64" → ['float64']; "float32,float64" → both, in that order. */
export function parsePrecisions(text: string): ('float32' | 'float64')[] {
  const list = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  for (const p of list) if (p !== 'float32' && p !== 'float64') throw new InputError(`--precision: "${p}" is not float32 or float64 (or both, comma-separated)`);
  if (list.length === 0) throw new InputError('--precision needs float32, float64 or float32,float64');
  return list as ('float32' | 'float64')[];
}

export { parseNumber } from './numbers';

/**
 * "64:tanh,32:relu:nobias:dropout=0.2,3:softmax" → Dense layers. A hidden layer's activation
 * defaults to tanh (smooth suits quasi-Newton); further fields are `nobias` and `dropout=RATE`.
 * The last of several entries without an activation is the output layer, linear as Keras's Dense:
 * a tanh there would cap a regression's predictions at ±1 (classification gives it its sigmoid or
 * softmax, see withOutputLayer).
 */
export function parseLayers(text: string): ModelSpec['layers'] {
  const parts = text.split(',');
  return parts.map((part, i) => {
    const [unitsText, given, ...extras] = part.trim().split(':');
    const activation = given ?? (i > 0 && i === parts.length - 1 ? 'linear' : 'tanh');
    const where = `--layers entry ${i + 1} ("${part}")`;
    const units = Number(unitsText);
    if (!Number.isInteger(units) || units < 1) throw new InputError(`${where}: units must be a positive integer`);
    if (!(ACTIVATIONS as readonly string[]).includes(activation)) {
      throw new InputError(`${where}: unknown activation "${activation}"; use one of ${ACTIVATIONS.join(', ')}`);
    }
    let useBias = true;
    let dropout = 0;
    for (const extra of extras) {
      const rate = /^dropout=(.+)$/.exec(extra)?.[1];
      if (extra === 'nobias') useBias = false;
      else if (rate !== undefined && Number(rate) >= 0 && Number(rate) <= 0.95) dropout = Number(rate);
      else throw new InputError(`${where}: "${extra}" is not "nobias" or "dropout=RATE" (0 ≤ RATE ≤ 0.95)`);
    }
    return { units, activation: activation as Activation, useBias, dropout };
  });
}

/** "lbfgs,adam>lbfgs" → one entry per run; an entry with several kinds is a hand-off sequence. */
export function parseOptimizers(text: string): OptimizerKind[][] {
  const runs = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean).map((entry) => entry.split('>').map((k) => k.trim()));
  for (const kinds of runs) {
    for (const k of kinds) {
      if (!(OPTIMIZER_KINDS as readonly string[]).includes(k)) {
        throw new InputError(`unknown optimizer "${k}"; use one of ${OPTIMIZER_KINDS.join(', ')} (or a hand-off such as adam>lbfgs)`);
      }
    }
  }
  if (runs.length === 0) throw new InputError('--optimizer needs at least one optimizer');
  return runs as OptimizerKind[][];
}

/** "50:1e-4" → a plateau over 50 iterations with relative decrease below 1e-4. */
export function parsePlateau(text: string): NonNullable<PhaseUntil['plateau']> {
  const m = /^\s*(\d+)\s*:\s*([^:\s]+)\s*$/.exec(text);
  const window = m ? Number(m[1]) : NaN;
  const tolerance = m ? Number(m[2]) : NaN;
  if (!(Number.isInteger(window) && window >= 2 && tolerance > 0 && tolerance < 1)) {
    throw new InputError(`--switch-on-plateau must be WINDOW:TOLERANCE with an integer window ≥ 2 and 0 < tolerance < 1 (got "${text}")`);
  }
  return { window, tolerance };
}

function handOffUntil(flags: TrainFlags): PhaseUntil {
  const until: PhaseUntil = {
    ...(flags.switchAfter !== undefined && { iterations: flags.switchAfter }),
    ...(flags.switchOnPlateau !== undefined && { plateau: parsePlateau(flags.switchOnPlateau) }),
  };
  if (until.iterations === undefined && until.plateau === undefined) {
    throw new InputError('a hand-off optimizer (e.g. adam>lbfgs) needs --switch-after N or --switch-on-plateau W:TOL');
  }
  return until;
}

function runOptimizer(kinds: OptimizerKind[], flags: TrainFlags): OptimizerSpecInput {
  if (kinds.length === 1) return optimizerSpec(kinds[0], flags);
  const until = handOffUntil(flags);
  return {
    kind: 'sequence',
    phases: kinds.map((k, i) => ({ optimizer: optimizerSpec(k, flags) as Exclude<OptimizerSpecInput, { kind: 'sequence' }>, ...(i < kinds.length - 1 && { until }) })),
  };
}

/** Hyperparameter flags → the optimizer fields they set. A flag no chosen optimizer has is an error. */
const HYPER: { flag: keyof TrainFlags; option: string; field: string; kinds: OptimizerKind[] }[] = [
  { flag: 'lr', option: '--lr', field: 'learningRate', kinds: ['sgd', 'adam', 'rmsprop', 'adagrad'] },
  { flag: 'history', option: '--history', field: 'history', kinds: ['lbfgs'] },
  { flag: 'momentum', option: '--momentum', field: 'momentum', kinds: ['sgd', 'rmsprop'] },
  { flag: 'nesterov', option: '--nesterov', field: 'nesterov', kinds: ['sgd'] },
  { flag: 'beta1', option: '--beta1', field: 'beta1', kinds: ['adam'] },
  { flag: 'beta2', option: '--beta2', field: 'beta2', kinds: ['adam'] },
  { flag: 'epsilon', option: '--epsilon', field: 'epsilon', kinds: ['adam', 'rmsprop', 'adagrad'] },
  { flag: 'rho', option: '--rho', field: 'rho', kinds: ['rmsprop'] },
  { flag: 'batchSize', option: '--batch-size', field: 'batchSize', kinds: ['sgd', 'adam', 'rmsprop', 'adagrad'] },
  { flag: 'mu', option: '--mu', field: 'mu', kinds: ['lm', 'br'] },
  { flag: 'muDec', option: '--mu-dec', field: 'muDecrease', kinds: ['lm', 'br'] },
  { flag: 'muInc', option: '--mu-inc', field: 'muIncrease', kinds: ['lm', 'br'] },
  { flag: 'muMax', option: '--mu-max', field: 'muMax', kinds: ['lm', 'br'] },
  { flag: 'damping', option: '--damping', field: 'damping', kinds: ['lm', 'br'] },
  { flag: 'lmSolver', option: '--lm-solver', field: 'solver', kinds: ['lm', 'br'] },
];

function optimizerSpec(kind: OptimizerKind, flags: TrainFlags): OptimizerSpecInput {
  const spec: Record<string, unknown> = { kind };
  for (const h of HYPER) if (flags[h.flag] !== undefined && h.kinds.includes(kind)) spec[h.field] = flags[h.flag];
  if (kind === 'lbfgs' || kind === 'bfgs') {
    const lineSearch = {
      ...(flags.lineSearch && { kind: flags.lineSearch }),
      ...(flags.maxLsEvals && { maxEvaluations: flags.maxLsEvals }),
      ...(flags.initialStep && { initialStep: flags.initialStep }),
      ...(flags.firstStep && { firstStep: flags.firstStep }),
    };
    if (Object.keys(lineSearch).length > 0) spec.lineSearch = lineSearch;
  }
  if (kind === 'bfgs' && flags.initialHessian) spec.initialHessian = flags.initialHessian;
  if ((kind === 'lbfgs' || kind === 'bfgs') && flags.curvatureUpdate) spec.curvatureUpdate = flags.curvatureUpdate;
  if (kind === 'lbfgs' && flags.initialScaling) spec.initialScaling = flags.initialScaling;
  const parsed = optimizerSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${kind}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return spec as OptimizerSpecInput;
}

/** "a, b,c" → ["a", "b", "c"]: the column lists of --target, --ignore and --expand-dates. */
function columnList(flag: string): string[] {
  return flag.split(',').map((t) => t.trim()).filter(Boolean);
}

export function experimentFromFlags(data: string, flags: TrainFlags, cwd = process.cwd(), imported?: ImportedModel): Experiment {
  const choices = parseOptimizers(flags.optimizer);
  const kinds = choices.flat();
  if ((flags.switchAfter !== undefined || flags.switchOnPlateau !== undefined) && choices.every((c) => c.length === 1)) {
    throw new InputError('--switch-after and --switch-on-plateau apply to hand-off optimizers such as adam>lbfgs, none of which was chosen');
  }
  for (const h of HYPER) {
    if (flags[h.flag] !== undefined && !kinds.some((k) => h.kinds.includes(k))) {
      throw new InputError(`${h.option} applies to ${h.kinds.join('/')}, none of which was chosen`);
    }
  }
  const precisions = flags.precision ? parsePrecisions(flags.precision) : ['float32' as const];
  const fitting = flags.preset === 'fitting';
  if (flags.preset !== undefined && !fitting) throw new InputError(`--preset must be "fitting" (got "${flags.preset}")`);
  if (flags.huberDelta !== undefined && flags.loss !== 'huber') throw new InputError('--huber-delta applies to --loss huber');
  const targets = columnList(flags.target);
  if (targets.length === 0) throw new InputError('--target needs a column name');
  if (flags.dateOrder !== undefined && !flags.expandDates) throw new InputError('--date-order applies to --expand-dates');
  const stopping = {
    // The fitting preset's 6 checks are filled in by parseExperiment unless this flag sets them.
    ...(flags.validationChecks !== undefined && { validationChecks: flags.validationChecks }),
    ...(flags.maxIter !== undefined && { maxIterations: flags.maxIter }),
    ...(flags.maxEvals !== undefined && { maxEvaluations: flags.maxEvals }),
    ...(flags.maxSeconds !== undefined && { maxSeconds: flags.maxSeconds }),
    ...(flags.gtol !== undefined && { gradientTolerance: flags.gtol }),
    ...(flags.ftol !== undefined && { functionTolerance: flags.ftol }),
    ...(flags.xtol !== undefined && { stepTolerance: flags.xtol }),
  };
  const input: ExperimentInput = {
    name: flags.name ?? `${path.basename(data)} → ${flags.target}`,
    data: {
      source: { kind: 'file', path: path.resolve(cwd, data) },
      target: targets.length === 1 ? targets[0] : targets,
      ...(flags.weight && { weight: flags.weight }),
      ...(flags.ignore && { ignore: columnList(flags.ignore) }),
      ...(flags.expandDates && { expandDates: columnList(flags.expandDates) }),
      ...(flags.dateOrder && { dateOrder: flags.dateOrder as 'auto' }),
      ...(flags.task && { task: flags.task as 'auto' }),
      preprocessing: { standardize: flags.standardize, scaleTarget: flags.scaleTarget, ...(flags.missing && { missing: flags.missing as 'error' }) },
      split: {
        ...(fitting && FITTING_SPLIT),
        ...(flags.validation !== undefined && { validation: flags.validation }),
        ...(flags.test !== undefined && { test: flags.test }),
        ...(flags.seed !== undefined && { seed: flags.seed }),
      },
    },
    model: {
      layers: imported ? imported.layers : flags.layers ? parseLayers(flags.layers) : [{ units: 32, activation: 'tanh' }],
      ...(imported && { from: imported.file, output: 'last' as const }),
      ...(imported?.loss && !flags.loss && { loss: imported.loss }),
      ...(flags.loss && { loss: flags.loss as 'mse' }),
      ...(flags.huberDelta !== undefined && { huberDelta: flags.huberDelta }),
      ...(flags.l2 !== undefined && { l2: flags.l2 }),
    },
    // With both precisions every optimizer races itself: same start, one run per precision.
    runs: precisions.length > 1 ? choices.flatMap((c) => precisions.map((precision) => ({ optimizer: runOptimizer(c, flags), stopping, precision }))) : choices.map((c) => ({ optimizer: runOptimizer(c, flags), stopping })),
    ...(precisions.length === 1 && { precision: precisions[0] }),
    ...(flags.seed !== undefined && { seed: flags.seed }),
    ...(flags.repeats !== undefined && { repeats: flags.repeats }),
    ...(fitting && { preset: 'fitting' as const }),
    ...(flags.initWeights && { initialWeights: { path: path.resolve(cwd, flags.initWeights) } }),
  };
  return parseExperiment(input, 'command line');
}
