/**
 * The live race: one experiment's runs, their status and curves, fed by ExperimentEvents.
 */
import type { CurvatureApi } from '../../../app/ui';
import type { OptimizerKind, StoppingSpec } from '../../../app/ui';
import { optimizerLabel } from '../../../app/ui';
import { repeatRunId } from '../../../app/ui';
import { aggregateRepeats, type Aggregate, type Comparison } from '../../../app/ui';
import type { Experiment } from '../../../app/ui';
import type { EventSubsetPredictions, ExperimentEvent, IterationPoint, RunSummary, StartupStage, SubsetName } from '../../../app/ui';
import type { SpectrumReport, Task } from '../../../app/ui';
import { errorMessage, humanError, scrubPaths } from './files';
import { RunSeries } from './series';
import { bestBasis, bestRun } from './best';
import { humanizeSchemaLines } from './issues';

const TABLE_MS = 100;

export type RunPhase = 'queued' | 'running' | 'stopping' | 'finished';

export interface RaceRun {
  runId: string;
  /** The run spec's id (repeat 0's run id); the repeats of a spec share it. */
  specId: string;
  /** 0-based start point. */
  repeat: number;
  label: string;
  optimizer: OptimizerKind;
  /** The arithmetic of the run's passes (the loss chart can draw float32's resolution under float32 runs). */
  precision: 'float32' | 'float64';
  colorIndex: number;
  phase: RunPhase;
  stopping: StoppingSpec;
  last: IterationPoint | null;
  summary: RunSummary | null;
  error: string | null;
  /** Set while this run makes its first evaluation (before its first point). */
  firstEvaluation: boolean;
}

export class RaceStore {
  experimentId = $state<string | null>(null);
  runs = $state<RaceRun[]>([]);
  task = $state<Task | null>(null);
  parameterCount = $state<number | null>(null);
  notes = $state<string[]>([]);
  /** Experiment-wide errors in human words; `detail` (a stack, paths reduced to file names) sits behind a toggle. */
  errors = $state<{ message: string; detail?: string }[]>([]);
  /** The data file's name as the user knows it, so host paths in errors can be replaced by it. */
  private dataName: string | undefined;
  starting = $state(false);
  /** The experiment's start-up stage until the first point arrives. */
  stage = $state<StartupStage | null>(null);
  /** The race's wall clock at its latest point (seconds, every run's turns included). */
  raceSeconds = $state<number | null>(null);
  /** Bumped on every new point; charts poll it on animation frames (deliberately not reactive). */
  version = 0;
  /** Bumped when the run list is replaced, so charts rebuild their datasets. */
  generation = $state(0);
  hidden = $state<Record<string, boolean>>({});
  /** Spectra computed on demand ("compute now") by run id: the report, 'pending', or the error in words. */
  onDemandSpectra = $state<Record<string, SpectrumReport | 'pending' | { error: string }>>({});
  /** Start points per run spec of the current race; above 1 the charts draw median and IQR bands. */
  repeats = $state(1);
  /** With repeats: also draw every repeat's own curve, thinly. */
  showRepeats = $state(false);
  readonly series = new Map<string, RunSeries>();
  /**
   * Per finished run: predictions and targets per subset in original units (the run-finished
   * event's, for the fitting plots). Plain, not reactive (they can be large): read it when
   * `finishedVersion` changes.
   */
  readonly predictions = new Map<string, Partial<Record<SubsetName, EventSubsetPredictions>>>();
  finishedVersion = $state(0);
  /** Class labels in output order (classification) and target names, from experiment-started. */
  classLabels = $state<string[] | null>(null);
  targets = $state<string[]>([]);
  private queued: ExperimentEvent[] = [];
  /** Latest point per run, published to the (reactive) table at most every TABLE_MS. */
  private latest = new Map<string, IterationPoint>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  readonly running = $derived(this.runs.some((r) => r.phase === 'running' || r.phase === 'queued' || r.phase === 'stopping'));
  /** With repeats, once every run has ended: per-spec quartiles and paired win rates. */
  readonly aggregate = $derived.by((): { aggregates: Aggregate[]; comparisons: Comparison[] } | null => {
    if (this.repeats < 2 || this.runs.some((r) => !r.summary)) return null;
    return aggregateRepeats(
      this.runs.map((r) => {
        const s = this.series.get(r.runId);
        return {
          spec: r.specId,
          label: r.label.replace(/ · start \d+$/, ''),
          optimizer: r.optimizer,
          repeat: r.repeat,
          summary: r.summary!,
          curve: { loss: s?.trainLoss ?? [], evaluations: s?.evaluations ?? [] },
          ...(s && r.summary!.metrics.validationLoss !== undefined && { validationCurve: { loss: s.validationLoss, evaluations: s.evaluations } }),
        };
      }),
    );
  });

  readonly bestRunId = $derived(bestRun(this.runs));
  readonly bestBasis = $derived(bestBasis(this.runs));

  constructor(private readonly api: CurvatureApi) {
    api.onEvent((e) => this.onEvent(e));
  }

  /**
   * Forgets the race (charts, results, load notes, export cards): a new or reopened experiment must
   * not show the previous one's. A race still running is stopped first.
   */
  clear(): void {
    if (this.running && this.experimentId) void this.api.stopAll(this.experimentId).catch(() => undefined);
    this.forget();
    this.runs = [];
    this.repeats = 1;
    this.task = null;
    this.parameterCount = null;
    this.generation++;
  }

  private forget(): void {
    this.series.clear();
    this.predictions.clear();
    this.errors = [];
    this.notes = [];
    this.experimentId = null;
    this.onDemandSpectra = {};
    this.queued = [];
    this.latest.clear();
    this.stage = null;
    this.raceSeconds = null;
  }

  async start(experiment: Experiment, dataFile?: string, modelFile?: string, dataName?: string): Promise<void> {
    this.dataName = dataName;
    this.forget();
    this.repeats = experiment.repeats ?? 1;
    // Repeat-major, as the runner orders them; every repeat of a spec shares its colour.
    this.runs = Array.from({ length: this.repeats }, (_, repeat) =>
      experiment.runs.map((r, i): RaceRun => {
        const specId = r.id ?? `${r.optimizer.kind}-${i}`;
        const runId = repeatRunId(specId, repeat);
        this.series.set(runId, new RunSeries());
        const label = r.label || optimizerLabel(r.optimizer);
        return {
          runId, specId, repeat, label: this.repeats > 1 ? `${label} · start ${repeat + 1}` : label, optimizer: r.optimizer.kind, colorIndex: i,
          precision: r.precision ?? experiment.precision ?? 'float32',
          phase: 'queued', stopping: r.stopping, last: null, summary: null, error: null, firstEvaluation: false,
        };
      }),
    ).flat();
    this.generation++;
    this.starting = true;
    try {
      const { experimentId } = await this.api.startExperiment(experiment, dataFile, modelFile);
      this.experimentId = experimentId;
      const pending = this.queued;
      this.queued = [];
      for (const e of pending) if (e.experimentId === experimentId) this.apply(e);
    } catch (e) {
      this.errors = [...this.errors, { message: `Could not start: ${humanizeSchemaLines(humanError(errorMessage(e), this.dataName), experiment)}` }];
      for (const r of this.runs) r.phase = 'finished';
    } finally {
      this.starting = false;
    }
  }

  async stopRun(runId: string): Promise<void> {
    const run = this.runs.find((r) => r.runId === runId);
    if (!this.experimentId || !run || run.phase === 'finished') return;
    run.phase = 'stopping';
    try {
      await this.api.stopRun(this.experimentId, runId);
    } catch (e) {
      this.errors = [...this.errors, { message: `Could not stop ${run.label}: ${humanError(errorMessage(e))}` }];
    }
  }

  /** The trainer keeps a race's final weights once every run has finished: only then can it compute. */
  get canComputeSpectra(): boolean {
    return this.experimentId !== null && this.runs.length > 0 && this.runs.every((r) => r.phase === 'finished' && r.summary);
  }

  /** "Compute now": the Hessian's ends at a finished run's weights, from the trainer. */
  async computeSpectrum(runId: string, k = 5): Promise<void> {
    if (!this.experimentId || !this.canComputeSpectra || this.onDemandSpectra[runId] === 'pending') return;
    this.onDemandSpectra[runId] = 'pending';
    try {
      this.onDemandSpectra[runId] = await this.api.computeSpectrum(this.experimentId, runId, k);
    } catch (e) {
      this.onDemandSpectra[runId] = { error: humanError(errorMessage(e)) };
    }
  }

  async stopAll(): Promise<void> {
    if (!this.experimentId) return;
    for (const r of this.runs) if (r.phase !== 'finished') r.phase = 'stopping';
    try {
      await this.api.stopAll(this.experimentId);
    } catch (e) {
      this.errors = [...this.errors, { message: `Could not stop: ${humanError(errorMessage(e))}` }];
    }
  }

  toggle(runId: string): void {
    this.hidden[runId] = !this.hidden[runId];
  }

  /** Share of the budget used, 0..1: the largest of iterations, evaluations and seconds. */
  progress(run: RaceRun): number {
    if (run.phase === 'finished') return 1;
    const p = run.last;
    if (!p) return 0;
    const s = run.stopping;
    const parts = [p.iteration / s.maxIterations, p.functionEvaluations / s.maxEvaluations];
    if (s.maxSeconds) parts.push(p.elapsedMs / 1000 / s.maxSeconds);
    return Math.min(1, Math.max(...parts));
  }

  /** Hundreds of points a second would re-render the table for each; people read it at ~10 Hz. */
  private flushLatest(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const [runId, point] of this.latest) {
      const run = this.runs.find((r) => r.runId === runId);
      if (!run) continue;
      run.last = point;
      run.firstEvaluation = false;
      if (point.raceMs !== undefined) this.raceSeconds = Math.max(this.raceSeconds ?? 0, point.raceMs / 1000);
      if (run.phase === 'queued') run.phase = 'running';
    }
    this.latest.clear();
  }

  private onEvent(e: ExperimentEvent): void {
    if (this.experimentId === null) {
      if (this.starting) this.queued.push(e);
      return;
    }
    if (e.experimentId === this.experimentId) this.apply(e);
  }

  private apply(e: ExperimentEvent): void {
    const run = 'runId' in e && e.runId ? this.runs.find((r) => r.runId === e.runId) : undefined;
    switch (e.type) {
      case 'experiment-started':
        this.task = e.task;
        this.classLabels = e.classLabels ?? null;
        this.targets = e.targets ?? [];
        this.parameterCount = e.parameterCount;
        this.notes = e.notes;
        for (const info of e.runs) {
          const r = this.runs.find((x) => x.runId === info.runId);
          if (r) r.label = this.repeats > 1 ? `${info.label} · start ${r.repeat + 1}` : info.label;
        }
        break;
      case 'progress':
        this.stage = e.stage;
        for (const r of this.runs) r.firstEvaluation = e.stage === 'first-evaluation' && r.runId === e.forRun;
        break;
      case 'run-started':
        if (run && run.phase === 'queued') run.phase = 'running';
        break;
      case 'iteration':
        if (run) {
          this.series.get(run.runId)?.push(e.point);
          this.version++;
          this.latest.set(run.runId, e.point);
          this.flushTimer ??= setTimeout(() => this.flushLatest(), TABLE_MS);
        }
        break;
      case 'run-finished':
        this.flushLatest();
        if (run) {
          run.summary = e.summary;
          run.phase = 'finished';
          if (e.predictions) {
            this.predictions.set(run.runId, e.predictions);
            this.finishedVersion++;
          }
        }
        break;
      case 'experiment-finished':
        this.flushLatest();
        for (const s of e.summaries) {
          const r = this.runs.find((x) => x.runId === s.runId);
          if (r) {
            r.summary = s;
            r.phase = 'finished';
          }
        }
        for (const r of this.runs) if (r.phase !== 'finished') r.phase = 'finished';
        break;
      case 'error': {
        // The message once, in words; the stack (which repeats it) only behind "details".
        const text = humanError(e.message, this.dataName);
        const detail = e.detail ? scrubPaths(e.detail, this.dataName) : undefined;
        if (run) {
          run.error = text;
        } else {
          // Without a run id the error ended the whole experiment (e.g. the trainer crashed).
          this.errors = [...this.errors, { message: text, detail }];
          this.flushLatest();
          for (const r of this.runs) {
            if (r.phase === 'finished') continue;
            r.phase = 'finished';
            r.error ??= 'Ended by the experiment error shown above.';
          }
        }
        break;
      }
    }
  }
}
