/**
 * Runs an experiment: loads data, builds the objective, starts every run spec from each of the
 * experiment's start points (repeats; paired by start), advances all runs round-robin (one
 * iteration each, so live views see all curves grow together) and emits ExperimentEvents. Each
 * run's wall time counts only its own steps.
 */
import { runPrecision, type Experiment, type RunSpec } from '../schema/experiment';
import type { Precision } from '../engine/engine';
import type { EventSubsetPredictions, ExperimentEvent, IterationPoint, RunSpectrum, RunSummary, StartupStage, SubsetFit } from './events';
import type { Preprocessing, Task } from '../data/types';
import { subsetFit } from './fitStats';
import type { DenseWeights, DenseWeights64 } from '../model/spec';
import { spectrumPolicy, SpectrumTracker } from './curvature';
import { enginesFor, objectiveFor, openLanes, precisionsOf, type Lane, type Lanes } from './lanes';
import type { IterationRecord, Stepper, StoppingCriteria } from '../optim/types';
import { OPTIMIZER_LABELS, isQuasiNewton, needsDeterministicObjective, optimizerLabel } from '../optim/spec';
import { createOptimizer } from '../optim';
import { formatBytes } from '../util/bytes';
import type { EngineReport } from '../engine/types';
import { hasDropout, type ResolvedModel } from '../model/layers';
import { float32RoundingChange, toLayerWeights, toLayerWeights64 } from '../model/params';
import type { ModelObjective } from '../model/objective';
import type { RunPredictions, SubsetName } from './scoring';
import { ValidationChecks } from './validationChecks';
import { originalUnitsLoss, subsetScore } from './metrics';
import { foldTargetScaling, foldTargetScaling64 } from '../model/outputScaling';
import { buildProblem, repeatStart, type Problem } from './problem';
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
  /** Float64 runs: the same weights unrounded (the .npz and JSON exports write these). */
  layers64?: DenseWeights64[];
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
  engine?: EngineReport;
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
  precision: Precision;
  /** The objective this run's passes go through (its precision's), and its validation split there. */
  lane: Lane;
  stepper: Stepper;
  history: IterationPoint[];
  /** Lowest objective seen and its iteration (the point stepper.result() reports). */
  lowest: { f: number; iteration: number };
  checks?: ValidationChecks;
  finished?: FinishedRun;
  /** Eigenvalues along the run, when the experiment's spectrum policy is on. */
  spectrum?: RunSpectrum;
  /** The start point (shared by the runs of one repeat; never modified). */
  x0: Float64Array;
  /** Phases ended so far (hand-off runs), to see a switch. */
  phasesEnded: number;
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
  const control: RaceControl = { stopRequests: new Set<string>(), stopEverything: false };
  const emit = options.onEvent;
  const done = (async (): Promise<ExperimentOutcome> => {
    try {
      return await runExperiment(experiment, options, experimentId, control);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      emit({ type: 'error', experimentId, message, detail: err instanceof Error ? err.stack : undefined });
      throw err;
    }
  })();
  return {
    experimentId,
    stopRun: (runId) => void control.stopRequests.add(runId),
    stopAll: () => {
      control.stopEverything = true;
    },
    done,
  };
}

interface RaceControl {
  stopRequests: Set<string>;
  stopEverything: boolean;
}

async function runExperiment(experiment: Experiment, options: RunOptions, experimentId: string, control: RaceControl): Promise<ExperimentOutcome> {
  const emit = options.onEvent;
  const stage = (s: StartupStage, forRun?: string) => emit({ type: 'progress', experimentId, stage: s, ...(forRun ? { forRun } : {}) });
  const t0 = performance.now();
  stage('starting-engine');
  const precisions = precisionsOf(experiment);
  const engines = await enginesFor(experiment, precisions);
  const backend = (engines.get('float32') ?? engines.get('float64')!).report;
  stage('loading-data');
  const problem = await buildProblem(experiment, options.baseDir ?? process.cwd());
  const { data, model, x0, targetScaling } = problem;
  stage('building-model');
  const lanes = await openLanes(experiment, problem, engines);
  try {
    const notes = [...data.notes, ...modelNotes(experiment, model), ...laneNotes(experiment, lanes)];
    const runs = createRuns(experiment, problem, lanes, precisions.length > 1);
    emit({
      type: 'experiment-started',
      experimentId,
      name: experiment.name,
      task: data.task,
      parameterCount: model.parameterCount,
      backend: precisions.map((p) => engines.get(p)!.report.label).filter((l, k, all) => all.indexOf(l) === k).join(' + '),
      runs: runs.map((r) => ({ runId: r.id, optimizer: r.spec.optimizer.kind, label: r.label, spec: r.specId, repeat: r.repeat, precision: r.precision })),
      notes,
      ...(data.preprocessing.classLabels && { classLabels: data.preprocessing.classLabels }),
      targets: data.preprocessing.targets ?? [data.preprocessing.target],
    });
    const recorder = new RunRecorder(experimentId, emit, model, lanes.float32Check, {
      t0,
      keepHistory: options.keepHistory ?? true,
      keepPredictions: options.keepPredictions ?? true,
      spectra: new SpectrumTracker(spectrumPolicy(experiment, model.parameterCount, data.train.rows), model.parameterCount),
    });
    for (const run of runs) {
      emit({ type: 'run-started', experimentId, runId: run.id, optimizer: run.spec.optimizer.kind, label: run.label });
      stage('first-evaluation', run.id);
      recorder.start(run);
    }
    await raceRoundRobin(runs, recorder, control);
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
  } finally {
    lanes.dispose();
  }
}

/** What the user should know about the lanes before trusting the race. */
function laneNotes(experiment: Experiment, lanes: Lanes): string[] {
  const notes: string[] = [];
  const f64 = lanes.byPrecision.get('float64');
  if (f64) notes.push(`float64 runs compute on ${f64.report.label}`);
  const hasValidation = [...lanes.byPrecision.values()][0].scorer.hasValidation;
  if (experiment.runs.some((r) => r.stopping.validationChecks !== undefined) && !hasValidation) {
    notes.push('Validation checks are set but there is no validation split; runs stop on their other rules only.');
  }
  return notes;
}

/** Every run spec from each start point, repeat-major: with one repeat, runs and events come exactly as without repeats. */
function createRuns(experiment: Experiment, problem: Problem, lanes: Lanes, mixedPrecision: boolean): ActiveRun[] {
  const ids = runIds(experiment.runs);
  const runs: ActiveRun[] = [];
  for (let repeat = 0; repeat < experiment.repeats; repeat++) {
    const start = repeatStart(experiment, problem, repeat);
    experiment.runs.forEach((spec, i) => {
      const precision = runPrecision(experiment, spec);
      const lane = lanes.byPrecision.get(precision)!;
      const checks = validationChecksOf(spec);
      runs.push({
        id: repeatRunId(ids[i], repeat),
        specId: ids[i],
        repeat,
        seed: experiment.seed + repeat,
        spec,
        precision,
        lane,
        label: spec.label ?? runLabel(spec, precision, mixedPrecision),
        // Minibatch order also varies by repeat (repeat 0 keeps the default seed 0).
        stepper: createOptimizer(spec.optimizer, objectiveFor(spec, lane), Float64Array.from(start), stoppingCriteria(spec), { seed: repeat }),
        history: [],
        lowest: { f: Infinity, iteration: 0 },
        ...(checks !== undefined && lane.scorer.hasValidation && { checks: new ValidationChecks(checks) }),
        x0: start,
        phasesEnded: 0,
      });
    });
  }
  return runs;
}

/**
 * One round = one iteration of every live run, all specs × all repeats. Running the repeats of one
 * start after another would make the live median and band describe only the starts done so far,
 * and shift as later starts arrive; interleaving all keeps every repeat at the same iteration, so
 * the band at any x covers all K starts.
 */
async function raceRoundRobin(runs: ActiveRun[], recorder: RunRecorder, control: RaceControl): Promise<void> {
  let active = runs.filter((r) => !r.finished);
  while (active.length > 0) {
    for (const run of active) {
      if (control.stopEverything || control.stopRequests.has(run.id)) run.stepper.stop();
      const rec = run.stepper.step();
      if (rec) recorder.record(run, rec);
      if (run.stepper.done) recorder.finish(run);
    }
    active = active.filter((r) => !r.finished);
    // Let stop commands (and the host's event loop) in between rounds.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Turns a run's records into iteration points and events, and its end into a FinishedRun. */
class RunRecorder {
  constructor(
    private readonly experimentId: string,
    private readonly emit: (e: ExperimentEvent) => void,
    private readonly model: ResolvedModel,
    private readonly float32Check: ModelObjective | undefined,
    private readonly settings: { t0: number; keepHistory: boolean; keepPredictions: boolean; spectra: SpectrumTracker },
  ) {}

  start(run: ActiveRun): void {
    run.spectrum = this.settings.spectra.atStart(run.lane.objective, `${run.precision}/${run.repeat}`, run.x0);
    this.record(run, run.stepper.start());
    if (run.stepper.done) this.finish(run);
  }

  record(run: ActiveRun, rec: IterationRecord): void {
    // A hand-off opens the next phase inside the step that ended the last one, at the point the
    // next phase starts from: the spectrum there is the one at the switch.
    const ended = run.stepper.phases?.().length ?? 0;
    if (ended > run.phasesEnded && !run.stepper.done) this.settings.spectra.atSwitch(run.spectrum, run.lane.objective, run.stepper.current(), ended, rec.iteration);
    run.phasesEnded = ended;
    const x = run.stepper.current();
    const scores = run.lane.scorer;
    const p: IterationPoint = Object.assign({ ...rec, trainLoss: scores.trainLoss(rec.f, x), raceMs: performance.now() - this.settings.t0 }, scores.validationMetrics(x));
    if (Number.isFinite(rec.f) && rec.f < run.lowest.f) run.lowest = { f: rec.f, iteration: rec.iteration };
    if (this.settings.keepHistory) run.history.push(p);
    this.emit({ type: 'iteration', experimentId: this.experimentId, runId: run.id, point: p });
    // Validation checks: past K iterations without a better validation loss, the run ends here.
    if (run.checks?.observe(p, run.stepper.current()) === 'stop') {
      run.stepper.stop();
      run.stepper.step();
    }
  }

  finish(run: ActiveRun): void {
    const finished = finishRun(run, this.model, this.settings.keepPredictions, this.float32Check);
    run.finished = finished;
    if (run.spectrum && Number.isFinite(finished.summary.objective)) {
      // At the weights the run reports (the best-validation ones under validation checks).
      const x = run.checks?.best?.x ?? run.stepper.result().x;
      finished.summary.spectrum = this.settings.spectra.atEnd(run.spectrum, run.lane.objective, x, run.stepper.inverseHessianModel?.());
    } else if (run.spectrum) finished.summary.spectrum = run.spectrum;
    const r = run.lane.report;
    // Devices are copied when the run ends: the per-model timing probe has filled them in by then.
    finished.summary.engine = { name: r.name, label: r.label, skipped: r.skipped, ...(r.devices ? { devices: r.devices.map((d) => ({ ...d })) } : {}) };
    const predictions = finished.predictions && eventPredictions(finished.predictions);
    this.emit({ type: 'run-finished', experimentId: this.experimentId, runId: run.id, summary: finished.summary, ...(predictions && { predictions }) });
  }
}

/** Activations per pass (rows × widest layer) from which a run's engine buffers are freed before scoring. */
const BIG_ACTIVATIONS = 1 << 22;

const activationValues = (objective: ModelObjective, model: ResolvedModel): number => objective.sampleCount * Math.max(...model.layers.map((l) => l.units));

function finishRun(run: ActiveRun, model: ResolvedModel, keepPredictions: boolean, float32Check?: ModelObjective): FinishedRun {
  const scores = run.lane.scorer;
  const r = run.stepper.result();
  // Under validation checks the run reports its best-validation weights, as MATLAB's train does,
  // whether the checks ended it or another rule did first.
  const best = run.checks?.best;
  const stoppedByChecks = run.checks?.stopped === true;
  const x = best ? best.x : r.x;
  // The gradient pass's buffers are not needed to score the run; on big data they would add to the
  // forward pass's. Runs that follow rebuild them.
  if (activationValues(run.lane.objective, model) >= BIG_ACTIVATIONS) run.lane.objective.releaseEngineMemory();
  const final = scores.final(x);
  const summary: RunSummary = {
    runId: run.id,
    optimizer: run.spec.optimizer.kind,
    label: run.label,
    precision: run.precision,
    repeat: run.repeat,
    seed: run.seed,
    status: stoppedByChecks ? 'validation-checks' : r.status,
    success: stoppedByChecks ? true : r.success,
    message: stoppedByChecks ? run.checks!.message() : best && r.status !== 'refused' ? `${r.message} Weights from iteration ${best.iteration} (best validation loss).` : r.message,
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
    ...(r.hessianVectorProducts !== undefined && { hessianVectorProducts: r.hessianVectorProducts }),
  };
  const last = run.history[run.history.length - 1];
  const solver = run.stepper.solverDescription?.() ?? '';
  // A refused run never formed a Jacobian: it has no solver to report.
  if (solver && last?.mu !== undefined && r.status !== 'refused') {
    summary.levenbergMarquardt = {
      solver: `${solver}; J from ${run.lane.objective.jacobianSource === 'engine' ? 'the engine' : 'the float64 JavaScript products'}`,
      mu: last.mu,
      jacobianEvaluations: last.jacobianEvaluations ?? 0,
      ...(last.effectiveParameters !== undefined && {
        effectiveParameters: last.effectiveParameters,
        alpha: last.alpha,
        beta: last.beta,
        sumSquaredWeights: last.sumSquaredWeights,
        effectiveParametersText: `Effective # parameters ${last.effectiveParameters.toFixed(1)} of ${model.parameterCount}`,
      }),
    };
  }
  const finished: FinishedRun = {
    spec: run.specId,
    repeat: run.repeat,
    summary,
    layers: foldTargetScaling(toLayerWeights(model, x), scores.scaling),
    history: run.history,
    ...(keepPredictions && { predictions: final.predictions }),
  };
  if (run.precision === 'float64') {
    finished.layers64 = foldTargetScaling64(toLayerWeights64(model, x), scores.scaling);
    const float32Export: NonNullable<RunSummary['float32Export']> = { maxRelativeRounding: float32RoundingChange(x) };
    if (float32Check) {
      const f32 = float32Check.evaluate(x, new Float64Array(x.length)) - float32Check.penalty(x);
      float32Export.float32TrainLoss = originalUnitsLoss(f32, scores.scaling, model.loss);
    }
    summary.float32Export = float32Export;
  }
  return finished;
}

/**
 * K of the run's validation checks: the budget's, else trainlm's max_fail for Levenberg–Marquardt
 * (its optimizer spec carries the default, 6; Bayesian regularization's is 0, off).
 */
function validationChecksOf(spec: RunSpec): number | undefined {
  if (spec.stopping.validationChecks !== undefined) return spec.stopping.validationChecks;
  const o = spec.optimizer;
  return (o.kind === 'lm' || o.kind === 'br') && o.validationChecks > 0 ? o.validationChecks : undefined;
}

/** The optimizer's label, naming the precision when the experiment races both. */
function runLabel(spec: RunSpec, precision: Precision, mixed: boolean): string {
  const label = optimizerLabel(spec.optimizer);
  return mixed || precision === 'float64' ? `${label} (${precision})` : label;
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
          `Dense BFGS needs ${formatBytes(bytes)} for ${model.parameterCount} parameters, over its budget of ${formatBytes(o.memoryBudgetBytes)}; it will refuse. Use L-BFGS.`,
        );
      }
    }
    if (!isQuasiNewton(o.kind) && 'batchSize' in o && o.batchSize !== undefined && experiment.runs.some((r) => isQuasiNewton(r.optimizer.kind))) {
      notes.push(`${OPTIMIZER_LABELS[o.kind]} uses minibatches of ${o.batchSize}: its curve is per epoch; quasi-Newton runs use the full batch.`);
    }
  }
  return [...new Set(notes)];
}

