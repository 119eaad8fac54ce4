/**
 * Runs an experiment: loads data, builds the objective, starts every run from the same initial
 * weights, advances runs round-robin (one iteration each, so live views see all curves grow
 * together) and emits ExperimentEvents. Each run's wall time counts only its own steps.
 */
import type { Experiment, RunSpec } from '../schema/experiment';
import type { ExperimentEvent, IterationPoint, RunSummary, StartupStage } from './events';
import type { DenseWeights } from '../model/spec';
import type { PreparedData, Preprocessing } from '../data/types';
import type { IterationRecord, Stepper, StoppingCriteria } from '../optim/types';
import { OPTIMIZER_LABELS, isQuasiNewton } from '../optim/spec';
import { createOptimizer } from '../optim';
import { initBackend } from '../engine/backend';
import { hasDropout, type ResolvedModel } from '../model/layers';
import { toLayerWeights } from '../model/params';
import { ModelObjective, type DeviceSplit } from '../model/objective';
import { computeMetrics } from './metrics';
import { buildProblem } from './problem';

export interface RunOptions {
  /** Receives every event, synchronously, in order. */
  onEvent: (event: ExperimentEvent) => void;
  /** Folder that relative data/initial-weight paths are resolved against. */
  baseDir?: string;
  experimentId?: string;
  /** Keep every iteration point in memory for export/--json (default true). */
  keepHistory?: boolean;
}

export interface FinishedRun {
  summary: RunSummary;
  layers: DenseWeights[];
  history: IterationPoint[];
}

export interface ExperimentHandle {
  readonly experimentId: string;
  stopRun(runId: string): void;
  stopAll(): void;
  /** Resolves when every run has ended (or rejects on a load/setup error, after an 'error' event). */
  readonly done: Promise<ExperimentOutcome>;
}

export interface ExperimentOutcome {
  experimentId: string;
  backend: string;
  inputDim: number;
  preprocessing: Preprocessing;
  /** The shared start point of every run. */
  initialWeights: DenseWeights[];
  runs: FinishedRun[];
}

interface ActiveRun {
  id: string;
  spec: RunSpec;
  label: string;
  stepper: Stepper;
  history: IterationPoint[];
  finished?: FinishedRun;
}

let counter = 0;

export function runIds(runs: RunSpec[]): string[] {
  const seen = new Map<string, number>();
  return runs.map((r) => {
    if (r.id) return r.id;
    const n = (seen.get(r.optimizer.kind) ?? 0) + 1;
    seen.set(r.optimizer.kind, n);
    return n === 1 ? r.optimizer.kind : `${r.optimizer.kind}-${n}`;
  });
}

export function stoppingCriteria(run: RunSpec): StoppingCriteria {
  const s = run.stopping;
  return {
    gradientTolerance: s.gradientTolerance,
    functionTolerance: s.functionTolerance,
    stepTolerance: s.stepTolerance,
    maxIterations: s.maxIterations,
    maxEvaluations: s.maxEvaluations,
    maxTimeMs: s.maxSeconds === undefined ? Infinity : s.maxSeconds * 1000,
  };
}

export function startExperiment(experiment: Experiment, options: RunOptions): ExperimentHandle {
  const experimentId = options.experimentId ?? `exp-${Date.now().toString(36)}-${(counter++).toString(36)}`;
  const stopRequests = new Set<string>();
  let stopEverything = false;
  const emit = options.onEvent;
  const keepHistory = options.keepHistory ?? true;

  const done = (async (): Promise<ExperimentOutcome> => {
    let objective: ModelObjective | undefined;
    let stochastic: ModelObjective | undefined;
    let validation: { split: DeviceSplit; dispose: () => void } | undefined;
    const t0 = performance.now();
    const stage = (s: StartupStage, forRun?: string) => emit({ type: 'progress', experimentId, stage: s, ...(forRun ? { forRun } : {}) });
    try {
      stage('starting-engine');
      const backend = await initBackend();
      stage('loading-data');
      const { data, model, x0 } = await buildProblem(experiment, options.baseDir ?? process.cwd());
      stage('building-model');
      const ids = runIds(experiment.runs);
      const notes = [...data.notes, ...modelNotes(experiment, model)];
      objective = new ModelObjective(model, data.train);
      const obj = objective;
      // Dropout makes f stochastic: first-order runs get it, quasi-Newton runs keep a deterministic f.
      const needsStochastic = hasDropout(model) && experiment.runs.some((r) => !isQuasiNewton(r.optimizer.kind));
      stochastic = needsStochastic ? new ModelObjective(model, data.train, { dropoutSeed: experiment.seed }) : undefined;
      const objectiveFor = (spec: RunSpec) => (stochastic && !isQuasiNewton(spec.optimizer.kind) ? stochastic : obj);
      const val = data.validation && data.validation.rows > 0 ? obj.uploadSplit(data.validation) : undefined;
      validation = val;

      const runs: ActiveRun[] = experiment.runs.map((spec, i) => ({
        id: ids[i],
        spec,
        label: spec.label ?? OPTIMIZER_LABELS[spec.optimizer.kind],
        stepper: createOptimizer(spec.optimizer, objectiveFor(spec), Float64Array.from(x0), stoppingCriteria(spec)),
        history: [],
      }));
      emit({
        type: 'experiment-started',
        experimentId,
        name: experiment.name,
        task: data.task,
        parameterCount: model.parameterCount,
        backend: backend.label,
        runs: runs.map((r) => ({ runId: r.id, optimizer: r.spec.optimizer.kind, label: r.label })),
        notes,
      });

      const point = (run: ActiveRun, rec: IterationRecord): IterationPoint => {
        const x = run.stepper.current();
        const p: IterationPoint = { ...rec, trainLoss: rec.f - obj.penalty(x), raceMs: performance.now() - t0 };
        if (val && data.validation) {
          const { loss, predictions } = obj.lossAndPredictions(x, val.split);
          Object.assign(p, computeMetrics(data.task, loss, predictions, data.validation.y, data.validation.rows));
        }
        return p;
      };
      const record = (run: ActiveRun, rec: IterationRecord) => {
        const p = point(run, rec);
        if (keepHistory) run.history.push(p);
        emit({ type: 'iteration', experimentId, runId: run.id, point: p });
      };
      const finish = (run: ActiveRun) => {
        run.finished = finishRun(run, model, obj, data, val?.split);
        emit({ type: 'run-finished', experimentId, runId: run.id, summary: run.finished.summary });
      };

      for (const run of runs) {
        emit({ type: 'run-started', experimentId, runId: run.id, optimizer: run.spec.optimizer.kind, label: run.label });
        stage('first-evaluation', run.id);
        record(run, run.stepper.start());
        if (run.stepper.done) finish(run);
      }
      let active = runs.filter((r) => !r.finished);
      while (active.length > 0) {
        for (const run of active) {
          if (stopEverything || stopRequests.has(run.id)) run.stepper.stop();
          const rec = run.stepper.step();
          if (rec) record(run, rec);
          if (run.stepper.done) finish(run);
        }
        active = active.filter((r) => !r.finished);
        // Let stop commands (and the host's event loop) in between rounds.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const finished = runs.map((r) => r.finished!);
      emit({ type: 'experiment-finished', experimentId, summaries: finished.map((f) => f.summary) });
      return {
        experimentId,
        backend: backend.label,
        inputDim: data.inputDim,
        preprocessing: data.preprocessing,
        initialWeights: toLayerWeights(model, x0),
        runs: finished,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      emit({ type: 'error', experimentId, message, detail: err instanceof Error ? err.stack : undefined });
      throw err;
    } finally {
      validation?.dispose();
      objective?.dispose();
      stochastic?.dispose();
    }
  })();

  return {
    experimentId,
    stopRun: (runId) => void stopRequests.add(runId),
    stopAll: () => {
      stopEverything = true;
    },
    done,
  };
}

function finishRun(run: ActiveRun, model: ResolvedModel, obj: ModelObjective, data: PreparedData, val?: DeviceSplit): FinishedRun {
  const r = run.stepper.result();
  const trainLoss = r.f - obj.penalty(r.x);
  let metrics = {};
  if (val && data.validation) {
    const { loss, predictions } = obj.lossAndPredictions(r.x, val);
    metrics = computeMetrics(data.task, loss, predictions, data.validation.y, data.validation.rows);
  }
  const summary: RunSummary = {
    runId: run.id,
    optimizer: run.spec.optimizer.kind,
    label: run.label,
    status: r.status,
    success: r.success,
    message: r.message,
    iterations: r.iterations,
    functionEvaluations: r.functionEvaluations,
    gradientEvaluations: r.gradientEvaluations,
    trainLoss,
    objective: r.f,
    metrics,
    seconds: r.elapsedMs / 1000,
  };
  return { summary, layers: toLayerWeights(model, r.x), history: run.history };
}

/** Warnings the user should see before trusting a race. */
function modelNotes(experiment: Experiment, model: ResolvedModel): string[] {
  const notes: string[] = [];
  const quasiNewton = experiment.runs.filter((r) => isQuasiNewton(r.optimizer.kind));
  if (hasDropout(model) && quasiNewton.length > 0) {
    const labels = [...new Set(quasiNewton.map((r) => OPTIMIZER_LABELS[r.optimizer.kind]))];
    notes.push(
      `Dropout makes the loss stochastic, which breaks the line searches and curvature pairs of BFGS/L-BFGS: ` +
        `${labels.join(' and ')} ${labels.length === 1 ? 'trains' : 'train'} without dropout; first-order runs use it.`,
    );
  }
  for (const run of experiment.runs) {
    const o = run.optimizer;
    if (o.kind === 'bfgs') {
      const bytes = model.parameterCount ** 2 * 8;
      if (bytes > o.memoryBudgetBytes) {
        notes.push(
          `Dense BFGS needs ${(bytes / 1024 ** 3).toFixed(2)} GB for ${model.parameterCount} parameters, over its budget; it will refuse. Use L-BFGS.`,
        );
      }
    }
    if (!isQuasiNewton(o.kind) && 'batchSize' in o && o.batchSize !== undefined && experiment.runs.some((r) => isQuasiNewton(r.optimizer.kind))) {
      notes.push(`${OPTIMIZER_LABELS[o.kind]} uses minibatches of ${o.batchSize}: its curve is per epoch; quasi-Newton runs use the full batch.`);
    }
  }
  return [...new Set(notes)];
}

