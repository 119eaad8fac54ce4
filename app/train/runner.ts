/**
 * Runs an experiment: loads data, builds the objective, starts every run spec from each of the
 * experiment's start points (repeats; paired by start), advances all runs round-robin (one
 * iteration each, so live views see all curves grow together) and emits ExperimentEvents. Each
 * run's wall time counts only its own steps.
 */
import type { Experiment, RunSpec } from '../schema/experiment';
import type { EventSubsetPredictions, ExperimentEvent, IterationPoint, RunSummary, StartupStage, SubsetFit } from './events';
import type { Task } from '../data/types';
import { subsetFit } from './fitStats';
import type { DenseWeights } from '../model/spec';
import type { Preprocessing } from '../data/types';
import type { IterationRecord, Stepper, StoppingCriteria } from '../optim/types';
import { OPTIMIZER_LABELS, isQuasiNewton, needsDeterministicObjective, optimizerLabel } from '../optim/spec';
import { createOptimizer } from '../optim';
import { engineFor } from '../engine/backend';
import type { BackendReport } from '../engine/types';
import { hasDropout, type ResolvedModel } from '../model/layers';
import { toLayerWeights } from '../model/params';
import { ModelObjective } from '../model/objective';
import { SubsetScorer, type RunPredictions, type SubsetName } from './scoring';
import { ValidationChecks } from './validationChecks';
import { subsetScore } from './metrics';
import { foldTargetScaling } from '../model/outputScaling';
import { buildProblem, repeatStart } from './problem';
import { repeatRunId } from './repeatIds';
export { repeatRunId } from './repeatIds';

export interface RunOptions {
  /** Receives every event, synchronously, in order. */
  onEvent: (event: ExperimentEvent) => void;
  /** Folder that relative data/initial-weight paths are resolved against. */
  baseDir?: string;
  experimentId?: string;
  /** Keep every iteration point in memory for export/--json (default true). */
  keepHistory?: boolean;
  /** Keep each run's predictions per subset in the outcome and the run-finished event (default true). */
  keepPredictions?: boolean;
}

/** Values (rows × outputs) per subset beyond which a run-finished event thins its predictions (see EventSubsetPredictions). */
export const EVENT_PREDICTION_VALUES = 40_000;

export interface FinishedRun {
  /** Id of the run spec; the repeats of one spec share it (always set by the runner). */
  spec?: string;
  repeat?: number;
  summary: RunSummary;
  /** Trained weights; with a standardised target, the output layer already predicts original units. */
  layers: DenseWeights[];
  history: IterationPoint[];
  /** Outputs and targets per subset in original units at the reported weights (absent with keepPredictions false). */
  predictions?: RunPredictions;
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
  /** The engine choice in full (name, label, skipped engines and why). */
  engine?: BackendReport;
  inputDim: number;
  preprocessing: Preprocessing;
  /** The start point of repeat 0, shared by every run spec. */
  initialWeights: DenseWeights[];
  runs: FinishedRun[];
}

interface ActiveRun {
  id: string;
  specId: string;
  repeat: number;
  seed: number;
  spec: RunSpec;
  label: string;
  stepper: Stepper;
  history: IterationPoint[];
  /** Lowest objective seen and its iteration (the point stepper.result() reports). */
  lowest: { f: number; iteration: number };
  checks?: ValidationChecks;
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
  const keepPredictions = options.keepPredictions ?? true;

  const done = (async (): Promise<ExperimentOutcome> => {
    let objective: ModelObjective | undefined;
    let stochastic: ModelObjective | undefined;
    let scorer: SubsetScorer | undefined;
    const t0 = performance.now();
    const stage = (s: StartupStage, forRun?: string) => emit({ type: 'progress', experimentId, stage: s, ...(forRun ? { forRun } : {}) });
    try {
      stage('starting-engine');
      const { engine, report: backend } = await engineFor(experiment.engine);
      stage('loading-data');
      const problem = await buildProblem(experiment, options.baseDir ?? process.cwd());
      const { data, model, x0, targetScaling } = problem;
      stage('building-model');
      const ids = runIds(experiment.runs);
      const notes = [...data.notes, ...modelNotes(experiment, model)];
      objective = new ModelObjective(model, data.train, { engine });
      const obj = objective;
      // Dropout makes f stochastic: first-order runs get it, quasi-Newton runs keep a deterministic f.
      const needsStochastic = hasDropout(model) && experiment.runs.some((r) => !needsDeterministicObjective(r.optimizer));
      stochastic = needsStochastic ? new ModelObjective(model, data.train, { dropoutSeed: experiment.seed, engine }) : undefined;
      const objectiveFor = (spec: RunSpec) => (stochastic && !needsDeterministicObjective(spec.optimizer) ? stochastic : obj);
      scorer = new SubsetScorer(obj, model, data, targetScaling);
      const scores = scorer;
      const checksWanted = experiment.runs.find((r) => r.stopping.validationChecks !== undefined);
      if (checksWanted && !scores.hasValidation) {
        notes.push('Validation checks are set but there is no validation split; runs stop on their other rules only.');
      }

      // Repeat-major order: with one repeat, runs and events come exactly as without repeats.
      const runs: ActiveRun[] = [];
      for (let repeat = 0; repeat < experiment.repeats; repeat++) {
        const start = repeatStart(experiment, problem, repeat);
        experiment.runs.forEach((spec, i) => {
          runs.push({
            id: repeatRunId(ids[i], repeat),
            specId: ids[i],
            repeat,
            seed: experiment.seed + repeat,
            spec,
            label: spec.label ?? optimizerLabel(spec.optimizer),
            // Minibatch order also varies by repeat (repeat 0 keeps the default seed 0).
            stepper: createOptimizer(spec.optimizer, objectiveFor(spec), Float64Array.from(start), stoppingCriteria(spec), { seed: repeat }),
            history: [],
            lowest: { f: Infinity, iteration: 0 },
            ...(spec.stopping.validationChecks !== undefined && scores.hasValidation && { checks: new ValidationChecks(spec.stopping.validationChecks) }),
          });
        });
      }
      emit({
        type: 'experiment-started',
        experimentId,
        name: experiment.name,
        task: data.task,
        parameterCount: model.parameterCount,
        backend: backend.label,
        runs: runs.map((r) => ({ runId: r.id, optimizer: r.spec.optimizer.kind, label: r.label, spec: r.specId, repeat: r.repeat })),
        notes,
        ...(data.preprocessing.classLabels && { classLabels: data.preprocessing.classLabels }),
        targets: data.preprocessing.targets ?? [data.preprocessing.target],
      });

      const point = (run: ActiveRun, rec: IterationRecord): IterationPoint => {
        const x = run.stepper.current();
        const p: IterationPoint = { ...rec, trainLoss: scores.trainLoss(rec.f, x), raceMs: performance.now() - t0 };
        return Object.assign(p, scores.validationMetrics(x));
      };
      const record = (run: ActiveRun, rec: IterationRecord) => {
        const p = point(run, rec);
        if (Number.isFinite(rec.f) && rec.f < run.lowest.f) run.lowest = { f: rec.f, iteration: rec.iteration };
        if (keepHistory) run.history.push(p);
        emit({ type: 'iteration', experimentId, runId: run.id, point: p });
        // Validation checks: past K iterations without a better validation loss, the run ends here.
        if (run.checks?.observe(p, run.stepper.current()) === 'stop') {
          run.stepper.stop();
          run.stepper.step();
        }
      };
      const finish = (run: ActiveRun) => {
        run.finished = finishRun(run, model, scores, keepPredictions);
        run.finished.summary.engine = { name: backend.name, label: backend.label, skipped: backend.skipped };
        const predictions = run.finished.predictions && eventPredictions(run.finished.predictions);
        emit({ type: 'run-finished', experimentId, runId: run.id, summary: run.finished.summary, ...(predictions && { predictions }) });
      };

      for (const run of runs) {
        emit({ type: 'run-started', experimentId, runId: run.id, optimizer: run.spec.optimizer.kind, label: run.label });
        stage('first-evaluation', run.id);
        record(run, run.stepper.start());
        if (run.stepper.done) finish(run);
      }
      // One round = one iteration of every live run, all specs × all repeats. Running the repeats of
      // one start after another would make the live median and band describe only the starts done
      // so far, and shift as later starts arrive; interleaving all keeps every repeat at the same
      // iteration, so the band at any x covers all K starts.
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
        engine: backend,
        inputDim: data.inputDim,
        preprocessing: data.preprocessing,
        // Given weights are reported as given: folding the unfolded start back is exact only up to rounding.
        initialWeights: problem.givenStart ? toLayerWeights(model, problem.givenStart) : foldTargetScaling(toLayerWeights(model, x0), targetScaling),
        runs: finished,
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      emit({ type: 'error', experimentId, message, detail: err instanceof Error ? err.stack : undefined });
      throw err;
    } finally {
      scorer?.dispose();
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

function finishRun(run: ActiveRun, model: ResolvedModel, scores: SubsetScorer, keepPredictions: boolean): FinishedRun {
  const r = run.stepper.result();
  // Under validation checks that fired, the run reports its best-validation weights instead.
  const best = run.checks?.stopped ? run.checks.best : undefined;
  const x = best ? best.x : r.x;
  const final = scores.final(x);
  const summary: RunSummary = {
    runId: run.id,
    optimizer: run.spec.optimizer.kind,
    label: run.label,
    repeat: run.repeat,
    seed: run.seed,
    status: best ? 'validation-checks' : r.status,
    success: best ? true : r.success,
    message: best ? run.checks!.message() : r.message,
    iterations: r.iterations,
    functionEvaluations: r.functionEvaluations,
    gradientEvaluations: r.gradientEvaluations,
    trainLoss: best ? best.trainLoss : scores.trainLoss(r.f, r.x),
    objective: best ? best.f : r.f,
    metrics: final.metrics,
    seconds: r.elapsedMs / 1000,
    ...(run.stepper.phases && { phases: run.stepper.phases() }),
    bestIteration: best ? best.iteration : run.lowest.iteration,
    fit: fitOf(scores.task, final.predictions),
    validation: scores.hasValidation ? subsetScore(final.metrics) : null,
    test: final.test,
  };
  return {
    spec: run.specId,
    repeat: run.repeat,
    summary,
    layers: foldTargetScaling(toLayerWeights(model, x), scores.scaling),
    history: run.history,
    ...(keepPredictions && { predictions: final.predictions }),
  };
}

function fitOf(task: Task, p: RunPredictions): Partial<Record<SubsetName, SubsetFit>> {
  const out: Partial<Record<SubsetName, SubsetFit>> = {};
  for (const [name, s] of Object.entries(p) as [SubsetName, NonNullable<RunPredictions[SubsetName]>][]) {
    out[name] = subsetFit(task, s.predictions, s.targets, s.rows, s.outputs);
  }
  return out;
}

/** Plain arrays for the event stream, every stride-th row of a large subset. */
function eventPredictions(p: RunPredictions): Partial<Record<SubsetName, EventSubsetPredictions>> {
  const out: Partial<Record<SubsetName, EventSubsetPredictions>> = {};
  for (const [name, s] of Object.entries(p) as [SubsetName, NonNullable<RunPredictions[SubsetName]>][]) {
    const stride = Math.max(1, Math.ceil((s.rows * s.outputs) / EVENT_PREDICTION_VALUES));
    const pick = (a: Float64Array, width: number) => {
      if (stride === 1) return Array.from(a);
      const o: number[] = [];
      for (let r = 0; r < s.rows; r += stride) for (let k = 0; k < width; k++) o.push(a[r * width + k]);
      return o;
    };
    out[name] = {
      rows: s.rows,
      outputs: s.outputs,
      stride,
      predictions: pick(s.predictions, s.outputs),
      targets: pick(s.targets, s.outputs),
      ...(s.weights && { weights: pick(s.weights, 1) }),
    };
  }
  return out;
}

/** Warnings the user should see before trusting a race. */
function modelNotes(experiment: Experiment, model: ResolvedModel): string[] {
  const notes: string[] = [];
  if (experiment.repeats > 1 && experiment.initialWeights) {
    notes.push(
      `Repeat 0 starts from the given initial weights; repeats 1–${experiment.repeats - 1} draw Glorot-uniform weights from seeds ${experiment.seed + 1}–${experiment.seed + experiment.repeats - 1} (the given weights are not perturbed).`,
    );
  }
  const quasiNewton = experiment.runs.filter((r) => needsDeterministicObjective(r.optimizer));
  if (hasDropout(model) && quasiNewton.length > 0) {
    const labels = [...new Set(quasiNewton.map((r) => optimizerLabel(r.optimizer)))];
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

