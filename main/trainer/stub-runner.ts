/**
 * A protocol stand-in for app/train's runner: same signature and event sequence, no tensors. It
 * lets the shell's process plumbing be tested on its own (CURVATURE_TRAINER_RUNNER=stub) and
 * keeps the trainer usable while the real runner is absent. The loss is a made-up decaying curve.
 */
import type { ExperimentEvent, IterationPoint, RunSummary } from '../../app/train/events';
import type { ExperimentHandle, ExperimentOutcome, FinishedRun, RunOptions } from '../../app/train/runner';
import type { Experiment } from '../../app/schema/experiment';
import type { TerminationStatus } from '../../app/optim/types';
import { OPTIMIZER_LABELS } from '../../app/optim/spec';
import { targetsOf } from '../../app/data/spec';

export function startStubExperiment(experiment: Experiment, options: RunOptions): ExperimentHandle {
  const experimentId = options.experimentId ?? `stub-${Date.now()}`;
  const emit = (e: ExperimentEvent) => options.onEvent(e);
  const runs = experiment.runs.map((r, i) => ({
    runId: r.id ?? `${r.optimizer.kind}-${i}`,
    optimizer: r.optimizer.kind,
    label: r.label ?? OPTIMIZER_LABELS[r.optimizer.kind],
    maxIterations: r.stopping.maxIterations,
    iteration: 0,
    stopRequested: false,
    status: null as TerminationStatus | null,
    started: performance.now(),
    history: [] as IterationPoint[],
  }));

  const point = (i: number, t0: number): IterationPoint => {
    const f = Math.exp(-i / 50);
    return {
      iteration: i, f, trainLoss: f, gradInfNorm: f / 10, gradNorm2: f / 10, step: i === 0 ? 0 : 1, stepNorm: 0.01,
      lineSearchEvaluations: 1, curvature: null, pairSkipped: false, memoryReset: false,
      functionEvaluations: i + 1, gradientEvaluations: i + 1, elapsedMs: performance.now() - t0,
    };
  };
  const summary = (r: (typeof runs)[number]): RunSummary => {
    const last = r.history.at(-1)!;
    return {
      runId: r.runId, optimizer: r.optimizer, label: r.label, status: r.status!, success: false,
      message: r.status === 'stopped-by-user' ? 'Stopped by the user.' : 'Maximum number of iterations reached.',
      iterations: last.iteration, functionEvaluations: last.functionEvaluations,
      gradientEvaluations: last.gradientEvaluations, trainLoss: last.trainLoss, objective: last.f, metrics: {},
      seconds: (performance.now() - r.started) / 1000,
    };
  };

  const done = new Promise<ExperimentOutcome>((resolve) => {
    emit({
      type: 'experiment-started', experimentId, name: experiment.name, task: 'binary', parameterCount: 0,
      backend: 'stub', runs: runs.map(({ runId, optimizer, label }) => ({ runId, optimizer, label })),
      notes: ['protocol stub runner: no training happens'],
    });
    for (const r of runs) emit({ type: 'run-started', experimentId, runId: r.runId, optimizer: r.optimizer, label: r.label });
    const tick = () => {
      const active = runs.filter((r) => r.status === null);
      for (const r of active) {
        if (r.stopRequested) r.status = 'stopped-by-user';
        else {
          const p = point(r.iteration, r.started);
          r.history.push(p);
          emit({ type: 'iteration', experimentId, runId: r.runId, point: p });
          r.iteration++;
          if (r.iteration > r.maxIterations) r.status = 'max-iterations';
        }
        if (r.status !== null) emit({ type: 'run-finished', experimentId, runId: r.runId, summary: summary(r) });
      }
      if (runs.every((r) => r.status !== null)) {
        const summaries = runs.map(summary);
        emit({ type: 'experiment-finished', experimentId, summaries });
        const finished: FinishedRun[] = runs.map((r) => ({ summary: summary(r), layers: [], history: r.history }));
        resolve({
          experimentId, backend: 'stub', runs: finished, inputDim: 0, initialWeights: [],
          preprocessing: {
            featureColumns: [], inputNames: [], standardization: [], oneHot: [], target: targetsOf(experiment.data)[0],
            task: 'binary', missing: { policy: 'error', droppedRows: 0, filledCells: 0 },
          },
        });
      } else setImmediate(tick);
    };
    setImmediate(tick);
  });

  return {
    experimentId,
    done,
    stopRun: (runId) => runs.filter((r) => r.runId === runId).forEach((r) => (r.stopRequested = true)),
    stopAll: () => runs.forEach((r) => (r.stopRequested = true)),
  };
}
