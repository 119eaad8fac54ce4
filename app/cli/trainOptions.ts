/** Turns `curvature train` flags into an Experiment — the same schema the GUI saves. */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { InputError } from './errors';
import { ACTIVATIONS, type Activation, type ModelSpec } from '../model/spec';
import { OPTIMIZER_KINDS, optimizerSpecSchema, type OptimizerKind, type OptimizerSpecInput } from '../optim/spec';
import { parseExperiment, type Experiment, type ExperimentInput } from '../schema/experiment';

export interface TrainFlags {
  target: string;
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
  missing?: string;
  initWeights?: string;
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
}

export const parseNumber = (label: string, { int = false, min = -Infinity } = {}) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min) {
      throw new InvalidArgumentError(`${label} must be ${int ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''} (got "${value}")`);
    }
    return n;
  };

/**
 * "64:tanh,32:relu:nobias:dropout=0.2,3:softmax" → Dense layers. Activation defaults to tanh
 * (smooth suits quasi-Newton); further fields are `nobias` and `dropout=RATE`.
 */
export function parseLayers(text: string): ModelSpec['layers'] {
  return text.split(',').map((part, i) => {
    const [unitsText, activation = 'tanh', ...extras] = part.trim().split(':');
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

export function parseOptimizers(text: string): OptimizerKind[] {
  const kinds = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const k of kinds) {
    if (!(OPTIMIZER_KINDS as readonly string[]).includes(k)) {
      throw new InputError(`unknown optimizer "${k}"; use one of ${OPTIMIZER_KINDS.join(', ')}`);
    }
  }
  if (kinds.length === 0) throw new InputError('--optimizer needs at least one optimizer');
  return kinds as OptimizerKind[];
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

export function experimentFromFlags(data: string, flags: TrainFlags, cwd = process.cwd()): Experiment {
  const kinds = parseOptimizers(flags.optimizer);
  for (const h of HYPER) {
    if (flags[h.flag] !== undefined && !kinds.some((k) => h.kinds.includes(k))) {
      throw new InputError(`${h.option} applies to ${h.kinds.join('/')}, none of which was chosen`);
    }
  }
  const stopping = {
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
      target: flags.target,
      ...(flags.task && { task: flags.task as 'auto' }),
      preprocessing: { standardize: flags.standardize, ...(flags.missing && { missing: flags.missing as 'error' }) },
      split: {
        ...(flags.validation !== undefined && { validation: flags.validation }),
        ...(flags.test !== undefined && { test: flags.test }),
        ...(flags.seed !== undefined && { seed: flags.seed }),
      },
    },
    model: {
      layers: flags.layers ? parseLayers(flags.layers) : [{ units: 32, activation: 'tanh' }],
      ...(flags.loss && { loss: flags.loss as 'mse' }),
      ...(flags.l2 !== undefined && { l2: flags.l2 }),
    },
    runs: kinds.map((k) => ({ optimizer: optimizerSpec(k, flags), stopping })),
    ...(flags.seed !== undefined && { seed: flags.seed }),
    ...(flags.initWeights && { initialWeights: { path: path.resolve(cwd, flags.initWeights) } }),
  };
  return parseExperiment(input, 'command line');
}
