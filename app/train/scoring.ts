/**
 * Scoring a run's weights on its subsets: the training loss in original units, validation metrics
 * per iteration, and once at the end the test score and every subset's predictions and targets in
 * original units (what the regression, error-histogram and confusion-matrix plots draw). The test
 * rows are uploaded only here, at the end: nothing before that can see them.
 */
import type { PreparedData, Split, TargetScaling } from '../data/types';
import type { ResolvedModel } from '../model/layers';
import type { DeviceSplit, ModelObjective } from '../model/objective';
import type { Metrics, SubsetName } from './events';
import { computeMetrics, inOriginalUnits, originalUnitsLoss, subsetScore, type ScoreOptions, type SubsetScore } from './metrics';

export { SUBSETS, type SubsetName } from './events';

/** One subset's outputs and targets in original units, row-major (rows × outputs). */
export interface SubsetPredictions {
  rows: number;
  /** Outputs per row: targets for regression, 1 for binary (P(class 1)), K class probabilities for multiclass. */
  outputs: number;
  predictions: Float64Array;
  targets: Float64Array;
  weights?: Float64Array;
}

export type RunPredictions = Partial<Record<SubsetName, SubsetPredictions>>;

export interface FinalScores {
  /** Validation metrics at the reported weights ({} without a validation split). */
  metrics: Metrics;
  test: SubsetScore | null;
  predictions: RunPredictions;
}

export class SubsetScorer {
  private readonly validation?: DeviceSplit;
  private readonly options: ScoreOptions;
  /** Several targets with their own scales: the training loss in original units needs the outputs. */
  private readonly perTargetScaling: boolean;
  private readonly targets = new Map<SubsetName, Float64Array>();

  constructor(
    private readonly obj: ModelObjective,
    private readonly model: ResolvedModel,
    private readonly data: PreparedData,
    readonly scaling: TargetScaling | undefined,
  ) {
    this.options = { loss: model.loss, huberDelta: model.huberDelta };
    this.validation = data.validation && data.validation.rows > 0 ? obj.uploadSplit(data.validation).split : undefined;
    this.perTargetScaling = scaling?.columns !== undefined;
  }

  get task(): PreparedData['task'] {
    return this.data.task;
  }

  get hasValidation(): boolean {
    return this.validation !== undefined;
  }

  /** Training loss without L2 in original units, from the optimizer's f at x. */
  trainLoss(f: number, x: Float64Array): number {
    if (!this.perTargetScaling) return originalUnitsLoss(f - this.obj.penalty(x), this.scaling, this.model.loss);
    return this.score(x, this.obj.trainData, this.data.train).validationLoss ?? NaN;
  }

  /** Validation metrics at x ({} without a validation split). */
  validationMetrics(x: Float64Array): Metrics {
    return this.validation && this.data.validation ? this.score(x, this.validation, this.data.validation) : {};
  }

  /** Everything reported once a run has ended, at the weights it reports. */
  final(x: Float64Array): FinalScores {
    const predictions: RunPredictions = {};
    const keep = (name: SubsetName, split: Split, outputs: Float32Array | Float64Array) => {
      const k = split.rows > 0 ? split.y.length / split.rows : 1;
      const scaling = this.data.task === 'regression' ? this.scaling : undefined;
      // Targets (and weights) are the same for every run: made once, shared by reference.
      let targets = this.targets.get(name);
      if (!targets) this.targets.set(name, (targets = inOriginalUnits(split.y, k, scaling)));
      predictions[name] = {
        rows: split.rows,
        outputs: k,
        predictions: inOriginalUnits(outputs, k, scaling),
        targets,
        ...(split.weights && { weights: split.weights }),
      };
    };
    keep('train', this.data.train, this.obj.lossAndPredictions(x, this.obj.trainData).predictions);
    let metrics: Metrics = {};
    if (this.validation && this.data.validation) {
      const { loss, predictions: p } = this.obj.lossAndPredictions(x, this.validation);
      metrics = this.metricsOf(loss, p, this.data.validation);
      keep('validation', this.data.validation, p);
    }
    let test: SubsetScore | null = null;
    const t = this.data.test;
    if (t && t.rows > 0) {
      // Uploaded, scored and released here: the only place the test rows reach an engine.
      const { loss, predictions: p } = this.obj.lossAndPredictions(x, t);
      test = subsetScore(this.metricsOf(loss, p, t));
      keep('test', t, p);
    }
    return { metrics, test, predictions };
  }

  dispose(): void {
    this.validation?.dispose();
  }

  private score(x: Float64Array, device: DeviceSplit, split: Split): Metrics {
    const { loss, predictions } = this.obj.lossAndPredictions(x, device);
    return this.metricsOf(loss, predictions, split);
  }

  private metricsOf(loss: number, predictions: Float32Array | Float64Array, split: Split): Metrics {
    return computeMetrics(this.data.task, loss, predictions, split.y, split.rows, this.scaling, { ...this.options, weights: split.weights });
  }
}
