/** Events an experiment emits; the trainer process, CLI and UI all consume these. Plain JSON. */
import type { IterationRecord, OptimizeResult, PhaseResult } from '../optim/types';
import type { OptimizerKind } from '../optim/spec';
import type { Task } from '../data/types';
import type { SpectrumReport } from '../optim/spectrumVerdict';
import type { Precision } from '../engine/engine';
import type { DeviceReport } from '../engine/types';

/** The three subsets of a dataset; the test rows only ever reach a score at the end of a run. */
export const SUBSETS = ['train', 'validation', 'test'] as const;
export type SubsetName = (typeof SUBSETS)[number];

/**
 * What the fitting plots summarise per subset, on every row at the reported weights: regression —
 * R (Pearson, predictions vs targets) per target; classification — the confusion matrix (rows:
 * actual class, columns: predicted, in class-label order; binary at 0.5) and, for binary, ROC AUC.
 */
export interface SubsetFit {
  r?: (number | null)[];
  confusion?: number[][];
  auc?: number | null;
}

/** A subset scored once: its loss, headline metric (accuracy, or R² averaged over targets) and per-target R². */
export interface SubsetScore {
  loss: number;
  metric: number | null;
  /** Per target (several regression targets only). */
  metrics?: number[];
}

/** The Hessian's spectrum along a run: at its start, at each hand-off switch, at its end. */
export interface RunSpectrum {
  initial?: SpectrumReport;
  /** One per hand-off: `phase` is the phase that starts at this point, `iteration` the run's iteration. */
  switches: (SpectrumReport & { phase: number; iteration: number })[];
  /** At the best point the run returns (its final weights). */
  final?: SpectrumReport;
}

export interface Metrics {
  /** Validation loss (same loss as training, without the L2 term), in the target's original units. */
  validationLoss?: number;
  /** Accuracy for classification. */
  validationAccuracy?: number;
  /** MSE and R² for regression. */
  validationMse?: number;
  /** R² (averaged over the targets when there are several). */
  validationR2?: number;
  /** Several targets: R² per target, in target order (null where a target is constant on the subset). */
  validationR2PerTarget?: (number | null)[];
}

/** An iteration as the UI sees it: the optimizer record plus the train/validation evaluation. */
export interface IterationPoint extends IterationRecord, Metrics {
  /**
   * Training loss without the L2 penalty, in the target's original units. f, the gradient norms and
   * the step are the optimizer's own objective (on the standardised target when it is scaled).
   */
  trainLoss: number;
  /** Milliseconds since the experiment started: the race's wall clock, all runs' turns included. */
  raceMs?: number;
}

/** What an experiment is doing before its runs' first points, so a UI need not just say "Queued". */
export type StartupStage = 'starting-engine' | 'loading-data' | 'building-model' | 'first-evaluation';

/** The optimizer's own account of how a run ended, as OptimizeResult words it (no vectors: plain JSON). */
export type RunOutcome = Pick<OptimizeResult, 'status' | 'success' | 'message' | 'iterations' | 'functionEvaluations' | 'gradientEvaluations'>;

export interface RunSummary extends RunOutcome {
  runId: string;
  optimizer: OptimizerKind;
  label: string;
  /** The arithmetic of the run's passes (always set by the runner; absent from older trainers). */
  precision?: Precision;
  /** 0-based start point: repeats of one run spec share its label; paired across specs. Always set by the runner. */
  repeat?: number;
  /** Seed of this repeat's initial weights (the experiment's seed + repeat). Always set by the runner. */
  seed?: number;
  /** Final training loss without L2, in the target's original units. */
  trainLoss: number;
  /** f including any L2 penalty, in training units (what the optimizer minimised). */
  objective: number;
  metrics: Metrics;
  seconds: number;
  /** The compute engine that ran the passes, and why each engine before it in the order was not used. */
  engine?: { name: string; label: string; skipped: { name: string; reason: string }[]; devices?: DeviceReport[] };
  /**
   * Float64 runs only: what the float32 model formats (TF.js, Keras, ONNX) lose. `maxRelativeRounding`
   * is the largest relative change of a weight rounded to float32; `float32TrainLoss` the training
   * loss (original units, no L2) of those rounded weights computed in float32, when a float32 engine ran it.
   */
  float32Export?: { maxRelativeRounding: number; float32TrainLoss?: number };
  /** Sequence (hand-off) runs only: each phase's own counters and how it ended. */
  phases?: PhaseResult[];
  /**
   * Levenberg–Marquardt / Bayesian regularization runs: the solver path ("dense Cholesky …" or
   * "matrix-free CG …"), the last μ, Jacobians formed, and for BR trainbr's report.
   */
  levenbergMarquardt?: {
    solver: string;
    mu: number;
    jacobianEvaluations: number;
    effectiveParameters?: number;
    alpha?: number;
    beta?: number;
    sumSquaredWeights?: number;
    /** "Effective # parameters 23.4 of 81" (BR only). */
    effectiveParametersText?: string;
  };
  /**
   * The iteration whose weights the run reports: the best validation loss under validation checks,
   * else the lowest objective the optimizer saw. Always set by the runner.
   */
  bestIteration?: number;
  /** Validation loss and metric at the reported weights (per target too); null without a validation split. */
  validation?: SubsetScore | null;
  /** Test loss and metric at the reported weights, computed once after the run; null without a test split. */
  test?: SubsetScore | null;
  /** R, confusion matrix, AUC per subset at the reported weights, on every row. Always set by the runner. */
  fit?: Partial<Record<SubsetName, SubsetFit>>;
  /** Newton-CG runs: Hessian-vector products spent. */
  hessianVectorProducts?: number;
  /** When the experiment asks for it (see the experiment's `spectrum`): eigenvalues along the run. */
  spectrum?: RunSpectrum;
}

/**
 * One subset's predictions and targets in original units as events carry them (plain arrays,
 * row-major rows × outputs). Subsets over EVENT_PREDICTION_VALUES values are thinned to every
 * `stride`-th row; the outcome object (FinishedRun.predictions) and summary.fit cover every row.
 */
export interface EventSubsetPredictions {
  rows: number;
  outputs: number;
  stride: number;
  predictions: number[];
  targets: number[];
  weights?: number[];
}

export type ExperimentEvent =
  | {
      type: 'experiment-started';
      experimentId: string;
      name: string;
      task: Task;
      parameterCount: number;
      backend: string;
      /** `spec`: the run spec's id; `repeat`: the start point (both absent from older trainers). */
      runs: { runId: string; optimizer: OptimizerKind; label: string; spec?: string; repeat?: number; precision?: Precision }[];
      notes: string[];
      /** Class labels in output order (classification): the confusion matrix's row and column names. */
      classLabels?: string[];
      /** Target columns in output order (the fitting plots name their axes with them). */
      targets?: string[];
    }
  | { type: 'run-started'; experimentId: string; runId: string; optimizer: OptimizerKind; label: string }
  /**
   * A start-up stage began, before the first points. It precedes experiment-started; first-evaluation
   * names its run in `forRun` (not runId: a run's own event sequence stays run-started, iterations, run-finished).
   */
  | { type: 'progress'; experimentId: string; stage: StartupStage; forRun?: string }
  | { type: 'iteration'; experimentId: string; runId: string; point: IterationPoint }
  | {
      type: 'run-finished';
      experimentId: string;
      runId: string;
      summary: RunSummary;
      /** Per subset (train, validation, test) at the reported weights, for the fitting plots. */
      predictions?: Partial<Record<SubsetName, EventSubsetPredictions>>;
    }
  | { type: 'experiment-finished'; experimentId: string; summaries: RunSummary[] }
  | { type: 'error'; experimentId: string; runId?: string; message: string; detail?: string };

export type ExperimentEventType = ExperimentEvent['type'];
