/** Data + model + initial weights of an experiment: what every run and the gradient check share. */
import path from 'node:path';
import { runPrecision, type Experiment } from '../schema/experiment';
import type { PreparedData, TargetScaling } from '../data/types';
import { prepareData } from '../data/prepare';
import { withScaledTarget } from '../data/targetScaling';
import { resolveModel, type ResolvedModel } from '../model/layers';
import { glorotUniform } from '../model/params';
import { outputRangeProblem, targetScalingBlocker, unfoldTargetScaling } from '../model/outputScaling';
import { loadInitialWeights } from './initialWeights';
import { modelFromFile } from './modelStart';
import { ConfigError } from '../util/configError';
import { collectGarbage } from '../util/collectGarbage';

/** Training values (rows × inputs) from which preparing the data is followed by a full collection. */
const BIG_DATA_VALUES = 1 << 22;

export interface Problem {
  /** Prepared data; for a scaled regression target, its y are in training (standardised) units. */
  data: PreparedData;
  model: ResolvedModel;
  /** The shared start point: from the experiment's initial weights, or Glorot-uniform from its seed. */
  x0: Float64Array;
  /** Set when the regression target is standardised for training (see data/targetScaling). */
  targetScaling?: TargetScaling;
  /** The start weights as the file or the experiment gave them (original units), when they came from there. */
  givenStart?: Float64Array;
}

export async function buildProblem(experiment: Experiment, baseDir: string): Promise<Problem> {
  // Float64 runs get their data as the loader parsed it; float32 runs then round it on upload.
  const precision = experiment.runs.some((r) => runPrecision(experiment, r) === 'float64') ? 'float64' : 'float32';
  let data = await prepareData(experiment.data, { baseDir, precision });
  // The raw table is garbage now; a big one is collected before the engine allocates its buffers.
  if (data.train.x.length >= BIG_DATA_VALUES) collectGarbage();
  let model: ResolvedModel;
  /** Weights that predict original units: an imported model's, or the experiment's initial weights. */
  let fileStart: Float64Array | undefined;
  const from = experiment.model.from;
  if (from !== undefined) {
    if (experiment.initialWeights) throw new ConfigError('initialWeights and model.from both name a start point; keep one');
    const started = await modelFromFile({ ...experiment.model, from }, data, baseDir);
    model = started.model;
    fileStart = started.x0;
    // Shown wherever the notes go: the race header, the CLI's stderr, the --json report.
    data = { ...data, notes: [`start: weights from ${path.basename(started.imported.file)}`, ...started.imported.notes, ...data.notes] };
  } else {
    model = resolveModel(experiment.model, data.inputDim, data.task, data.outputDim);
    if (experiment.initialWeights) fileStart = await loadInitialWeights(experiment.initialWeights, model, baseDir);
  }
  if (data.task === 'regression' && experiment.data.preprocessing.scaleTarget) {
    const blocker = targetScalingBlocker(model);
    if (blocker) data = { ...data, notes: [...data.notes, `target "${data.preprocessing.target}" not standardised: ${blocker}`] };
    else data = withScaledTarget(data);
  }
  if (data.task === 'regression' && !data.preprocessing.targetScaling) {
    const unreachable = outputRangeProblem(model, data.train.y, data.preprocessing.targets ?? [data.preprocessing.target]);
    if (unreachable) data = { ...data, notes: [...data.notes, `output cannot reach the target: ${unreachable}`] };
  }
  const targetScaling = data.preprocessing.targetScaling;
  // Weights from a file predict original units; training works on the standardised target.
  const x0 = fileStart ? unfoldTargetScaling(model, fileStart, targetScaling) : glorotUniform(model, experiment.seed);
  return { data, model, x0, targetScaling, givenStart: fileStart };
}

/**
 * The start point of repeat r: repeat 0 is the problem's x0 (the file's weights when given); every
 * other repeat draws Glorot-uniform weights from `seed + r`. File weights are never perturbed:
 * noise of an arbitrary size would make a start that is neither the user's nor a standard one.
 */
export function repeatStart(experiment: Experiment, problem: Problem, repeat: number): Float64Array {
  return repeat === 0 ? Float64Array.from(problem.x0) : glorotUniform(problem.model, experiment.seed + repeat);
}
