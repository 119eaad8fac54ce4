/** Events an experiment emits; the trainer process, CLI and UI all consume these. Plain JSON. */
import type { IterationRecord, PhaseResult, TerminationStatus } from '../optim/types';
import type { OptimizerKind } from '../optim/spec';
import type { Task } from '../data/types';
import type { SpectrumReport } from '../optim/spectrumVerdict';

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
  validationR2?: number;
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

export interface RunSummary {
  runId: string;
  optimizer: OptimizerKind;
  label: string;
  /** 0-based start point: repeats of one run spec share its label; paired across specs. Always set by the runner. */
  repeat?: number;
  /** Seed of this repeat's initial weights (the experiment's seed + repeat). Always set by the runner. */
  seed?: number;
  status: TerminationStatus;
  success: boolean;
  message: string;
  iterations: number;
  functionEvaluations: number;
  gradientEvaluations: number;
  /** Final training loss without L2, in the target's original units. */
  trainLoss: number;
  /** f including any L2 penalty, in training units (what the optimizer minimised). */
  objective: number;
  metrics: Metrics;
  seconds: number;
  /** The compute engine that ran the passes, and why each engine before it in the order was not used. */
  engine?: { name: string; label: string; skipped: { name: string; reason: string }[] };
  /** Sequence (hand-off) runs only: each phase's own counters and how it ended. */
  phases?: PhaseResult[];
  /** Newton-CG runs: Hessian-vector products spent. */
  hessianVectorProducts?: number;
  /** When the experiment asks for it (see the experiment's `spectrum`): eigenvalues along the run. */
  spectrum?: RunSpectrum;
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
      runs: { runId: string; optimizer: OptimizerKind; label: string; spec?: string; repeat?: number }[];
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
