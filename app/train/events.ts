/** Events an experiment emits; the trainer process, CLI and UI all consume these. Plain JSON. */
import type { IterationRecord, TerminationStatus } from '../optim/types';
import type { OptimizerKind } from '../optim/spec';
import type { Task } from '../data/types';

export interface Metrics {
  /** Validation loss (same loss as training, without the L2 term). */
  validationLoss?: number;
  /** Accuracy for classification. */
  validationAccuracy?: number;
  /** MSE and R² for regression. */
  validationMse?: number;
  validationR2?: number;
}

/** An iteration as the UI sees it: the optimizer record plus the train/validation evaluation. */
export interface IterationPoint extends IterationRecord, Metrics {
  /** Training loss without the L2 penalty (f includes it). */
  trainLoss: number;
  /** Milliseconds since the experiment started: the race's wall clock, all runs' turns included. */
  raceMs?: number;
}

/** What an experiment is doing before its runs' first points, so a UI need not just say "Queued". */
export type StartupStage = 'starting-engine' | 'loading-data' | 'building-model' | 'first-evaluation';

export interface RunSummary {
  runId: string;
  optimizer: OptimizerKind;
  label: string;
  status: TerminationStatus;
  success: boolean;
  message: string;
  iterations: number;
  functionEvaluations: number;
  gradientEvaluations: number;
  trainLoss: number;
  /** f including any L2 penalty. */
  objective: number;
  metrics: Metrics;
  seconds: number;
}

export type ExperimentEvent =
  | {
      type: 'experiment-started';
      experimentId: string;
      name: string;
      task: Task;
      parameterCount: number;
      backend: string;
      runs: { runId: string; optimizer: OptimizerKind; label: string }[];
      notes: string[];
    }
  | { type: 'run-started'; experimentId: string; runId: string; optimizer: OptimizerKind; label: string }
  /**
   * A start-up stage began, before the first points. It precedes experiment-started; first-evaluation
   * names its run in `forRun` (not runId: a run's own event sequence stays run-started, iterations, run-finished).
   */
  | { type: 'progress'; experimentId: string; stage: StartupStage; forRun?: string }
  | { type: 'iteration'; experimentId: string; runId: string; point: IterationPoint }
  | { type: 'run-finished'; experimentId: string; runId: string; summary: RunSummary }
  | { type: 'experiment-finished'; experimentId: string; summaries: RunSummary[] }
  | { type: 'error'; experimentId: string; runId?: string; message: string; detail?: string };

export type ExperimentEventType = ExperimentEvent['type'];
