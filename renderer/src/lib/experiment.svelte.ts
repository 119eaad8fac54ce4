/**
 * The experiment being edited: exactly the JSON the CLI runs, plus the data file handle and its
 * preview. Views edit it through these methods so the output layer follows the task.
 */
import type { CurvatureApi, FileHandle } from '../../../app/ui';
import type { DatasetPreview, DataCheck, Experiment, SingleOptimizerKind as OptimizerKind, StoppingSpec } from '../../../app/ui';
import { experimentSchema, FITTING_VALIDATION_CHECKS, targetsOf, type ModelImportInfo } from '../../../app/ui';
import { errorMessage, fileToBase64, humanError, withFileName } from './files';
import { sameLayers } from './imported-model';
import { watchDataCheck } from './data-check.svelte';
import { describeDataProblem, describeIssue } from './issues';
import { classCount, resolveTask } from './model-math';
import { StartModelStore } from './start-model.svelte';
import { download, findUpload, rememberUpload } from './session-files';
import { blankExperiment } from './edits/blank';
import * as layerEdits from './edits/layers';
import { roleOf, setRole, type ColumnRole } from './edits/roles';
import { newHandOff, newRun, withRunIds } from './edits/runs';

export { blankExperiment, defaultOptimizer } from './edits/blank';
export type { ColumnRole } from './edits/roles';

/** A dropped file travels base64-encoded in one IPC message; past this size use the native dialog. */
const MAX_DROP_BYTES = 256 * 2 ** 20;

/** The file's own name: a saved path may come from another machine (either separator). */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function snapshot(e: Experiment): string {
  return JSON.stringify(e);
}

export class ExperimentStore {
  /** "Start from model…": the file whose weights every run starts from. */
  readonly startModel: StartModelStore;
  experiment = $state<Experiment>(blankExperiment());
  dataFile = $state<FileHandle | null>(null);
  preview = $state.raw<DatasetPreview | null>(null);
  loadError = $state<string | null>(null);
  loading = $state(false);
  /** A data file on its way: bytes sent so far (upload), then the host reading it (since `since`, ms). */
  loadProgress = $state<{ name: string; phase: 'upload' | 'read'; sent: number; total: number; since: number } | null>(null);
  fileName = $state<string | null>(null);
  fileError = $state<string | null>(null);
  /** The trainer's verdict on the current data settings (null while there is nothing to check). */
  dataCheck = $state.raw<DataCheck | null>(null);
  checking = $state(false);
  private saved = $state(snapshot(blankExperiment()));

  readonly dirty = $derived(snapshot(this.experiment) !== this.saved);
  readonly task = $derived(resolveTask(this.experiment.data, this.preview));
  /** What makes the experiment invalid as a file (saving is refused). */
  readonly schemaIssues = $derived.by(() => {
    const r = experimentSchema.safeParse(this.experiment);
    const noData = !this.dataFile && this.experiment.data.source.kind === 'file' && !this.experiment.data.source.path;
    // Without data the empty path and target are one problem, said once.
    const zodIssues = r.success ? [] : r.error.issues.filter((i) => !(noData && i.path[0] === 'data'));
    const issues = [...new Set(zodIssues.map((i) => describeIssue(i, this.experiment)))];
    if (this.experiment.model.from !== undefined && !this.startModel.file) {
      issues.push(`Start from model: open ${this.experiment.model.from} again with "Start from model…" in the Model view, or drop its weights.`);
    }
    if (noData) issues.unshift('No dataset: open a file or an example in the Data view.');
    else if (!this.dataFile && this.experiment.data.source.kind === 'file') {
      // A reopened experiment names its data file, but the page has not got it: racing would fail late.
      issues.unshift(`Data file ${baseName(this.experiment.data.source.path)} is not open: choose it with "Open data file…" in the Data view.`);
    }
    return issues;
  });
  readonly classes = $derived(classCount(this.experiment.data, this.preview));
  /** Likely identifiers, dates and very wide one-hot columns that are still features. */
  readonly columnHints = $derived(
    (this.preview?.hints ?? []).filter(
      (h) => this.roleOf(h.column) === 'feature' && (h.kind === 'identifier' || this.experiment.data.preprocessing.oneHot),
    ),
  );
  /** Everything that stops a race: the above plus what the data check found. */
  readonly issues = $derived.by(() => [
    ...this.schemaIssues,
    ...(this.dataCheck?.problems ?? []).map(describeDataProblem),
    ...this.startModel.fit.map((p) => `Start from model: ${p}`),
  ]);

  constructor(private readonly api: CurvatureApi) {
    this.startModel = new StartModelStore(api, this);
    watchDataCheck(api, this);
  }

  // ---- files -------------------------------------------------------------------------------

  reset(): void {
    this.replace(blankExperiment(), null, null);
  }

  private replace(experiment: Experiment, dataFile: FileHandle | null, fileName: string | null): void {
    this.experiment = withRunIds(experiment);
    this.saved = snapshot(this.experiment);
    this.dataFile = dataFile;
    this.fileName = fileName;
    this.preview = null;
    this.loadError = null;
    this.fileError = null;
    this.startModel.clear();
    if (dataFile) void this.loadPreview(dataFile, false);
  }

  async open(): Promise<boolean> {
    this.fileError = null;
    try {
      const r = await this.api.openExperiment();
      if (!r) return false;
      this.replace(r.experiment, r.dataFile ?? null, r.fileName);
      return true;
    } catch (e) {
      this.fileError = `Could not open the experiment: ${humanError(errorMessage(e))}`;
      return false;
    }
  }

  /** Browser mode: an experiment file picked in the page, validated here with the shared schema. */
  async openFile(file: File): Promise<boolean> {
    this.fileError = null;
    try {
      const r = experimentSchema.safeParse(JSON.parse(await file.text()));
      if (!r.success) throw new Error(`it is not a valid experiment (${[...new Set(r.error.issues.map((i) => describeIssue(i)))].slice(0, 5).join('; ')})`);
      const experiment = r.data;
      const source = experiment.data.source;
      const data = source.kind === 'file' ? findUpload(source.path) : null;
      this.replace(experiment, data, file.name);
      return true;
    } catch (e) {
      this.fileError = `Could not open ${file.name}: ${humanError(errorMessage(e))}`;
      return false;
    }
  }

  async save(saveAs = false): Promise<boolean> {
    this.fileError = null;
    if (this.schemaIssues.length > 0) {
      this.fileError = `Cannot save yet: ${this.schemaIssues.join('; ')}`;
      return false;
    }
    try {
      const toSave = $state.snapshot(this.experiment) as Experiment;
      const r = await this.api.saveExperiment(toSave, saveAs);
      if (!r) return false;
      this.fileName = r.fileName;
      this.saved = snapshot(toSave);
      if (r.downloadUrl) download(r.downloadUrl, r.fileName);
      return true;
    } catch (e) {
      this.fileError = `Could not save: ${humanError(errorMessage(e))}`;
      return false;
    }
  }

  async openExample(name: string): Promise<void> {
    this.loadError = null;
    this.loading = true;
    try {
      const r = await this.api.openExample(name);
      this.loading = false; // the preview's own load (started by replace) takes over
      this.replace(r.experiment, r.dataFile ?? null, null);
    } catch (e) {
      this.loadError = humanError(errorMessage(e));
      this.loading = false;
    }
  }

  // ---- data -------------------------------------------------------------------------------

  async chooseDataset(): Promise<void> {
    try {
      const handle = await this.api.chooseDataset();
      if (handle) await this.useDataset(handle);
    } catch (e) {
      this.loadError = humanError(errorMessage(e));
    }
  }

  async uploadDataset(file: File): Promise<void> {
    this.loadError = null;
    this.loading = true;
    try {
      // Browser mode streams the file by HTTP; the desktop app (a drop) sends it in one message,
      // which cannot hold a very large file: those go through the native Open data file… dialog.
      if (!this.api.uploadBlob && file.size > MAX_DROP_BYTES) {
        throw new Error(`${file.name}: too large to drop (${Math.round(file.size / 2 ** 20)} MiB); open it with Open data file… instead`);
      }
      const progress = { name: file.name, phase: 'upload' as const, sent: 0, total: file.size, since: Date.now() };
      this.loadProgress = progress;
      const handle = this.api.uploadBlob
        ? await this.api.uploadBlob(file, file.name, (sent, total) => {
            if (this.loadProgress?.phase === 'upload') this.loadProgress = { ...progress, sent, total };
          })
        : await this.api.uploadFile(file.name, await fileToBase64(file));
      this.loadProgress = { ...progress, phase: 'read', sent: file.size, since: Date.now() };
      rememberUpload(handle);
      await this.useDataset(handle);
    } catch (e) {
      this.loadError = humanError(errorMessage(e));
    } finally {
      this.loading = false;
      this.loadProgress = null;
    }
  }

  /** A newly chosen file: take its suggested target and shape the output layer for it. */
  async useDataset(handle: FileHandle): Promise<void> {
    const preview = await this.loadPreview(handle, true);
    if (!preview) return;
    this.dataFile = handle;
    const d = this.experiment.data;
    d.source = { kind: 'file', path: handle.name };
    d.target = preview.suggestedTarget;
    d.features = undefined;
    d.ignore = [];
    d.task = 'auto';
    this.syncOutputLayer();
  }

  private async loadPreview(handle: FileHandle, replacing: boolean): Promise<DatasetPreview | null> {
    this.loading = true;
    this.loadError = null;
    try {
      const preview = await this.api.previewDataset(handle.token);
      this.preview = preview;
      return preview;
    } catch (e) {
      const msg = humanError(errorMessage(e), handle.name);
      this.loadError = msg.includes(handle.name) ? msg : `${handle.name}: ${msg}`;
      // A failed new file leaves the current dataset, roles and preview as they were; an opened
      // experiment whose data cannot be read keeps its settings but has no data handle.
      if (!replacing) {
        this.preview = null;
        this.dataFile = null;
      }
      return null;
    } finally {
      this.loading = false;
    }
  }

  roleOf(column: string): ColumnRole {
    return roleOf(this.experiment.data, column);
  }

  /**
   * `add`: a column made a target joins the targets (the column table: several targets make a
   * multi-output regression) instead of replacing the one there (the target picker) — when every
   * target would be a regression target. A class column replaces: classification has one target.
   */
  setRole(column: string, role: ColumnRole, mode: 'replace' | 'add' = 'replace'): void {
    const how = mode === 'add' && role === 'target' && !this.joinsTargets(column) ? 'replace' : mode;
    if (setRole(this.experiment.data, this.preview?.columns.map((c) => c.name) ?? null, column, role, how)) this.syncOutputLayer();
  }

  /** Numeric columns with more distinct values than a class column has (infer.ts' rule) may share a regression. */
  private joinsTargets(column: string): boolean {
    const d = this.experiment.data;
    if (d.task === 'binary' || d.task === 'multiclass') return false;
    const columns = this.preview?.columns ?? [];
    const continuous = (name: string) => columns.some((c) => c.name === name && c.kind === 'numeric' && c.distinct > 20);
    return [...targetsOf(d).filter(Boolean), column].every(continuous);
  }

  /** MATLAB's fitting-app defaults: a 70/15/15 split and 6 validation checks on every run. */
  applyFittingPreset(): void {
    const d = this.experiment.data;
    d.split.validation = 0.15;
    d.split.test = 0.15;
    for (const r of this.experiment.runs) r.stopping.validationChecks = FITTING_VALIDATION_CHECKS;
  }

  setTask(task: Experiment['data']['task']): void {
    this.experiment.data.task = task;
    this.syncOutputLayer();
  }

  // ---- model ------------------------------------------------------------------------------

  /** Output units and activation follow the task; the user may still edit them afterwards. */
  syncOutputLayer(): void {
    const task = resolveTask(this.experiment.data, this.preview);
    // An imported model's output layer is part of its weights: the run checks it against the data instead.
    if (!task || this.experiment.model.from !== undefined) return;
    layerEdits.fitOutputLayer(this.experiment.model.layers, task, classCount(this.experiment.data, this.preview), targetsOf(this.experiment.data).length);
  }

  applyTemplate(id: string): void {
    this.experiment.model.layers = layerEdits.applyTemplate(this.experiment.model.layers, id);
  }

  addHiddenLayer(): void {
    layerEdits.addHiddenLayer(this.experiment.model.layers);
  }

  removeLayer(index: number): void {
    layerEdits.removeLayer(this.experiment.model.layers, index);
  }

  moveLayer(index: number, delta: -1 | 1): void {
    layerEdits.moveLayer(this.experiment.model.layers, index, delta);
  }

  // ---- runs -------------------------------------------------------------------------------

  addRun(kind: OptimizerKind): void {
    this.experiment.runs.push(newRun(this.experiment.runs, kind, this.sharedStopping()));
  }

  /** The recipe for smooth scientific models: Adam for 200 iterations, then L-BFGS from there. */
  addHandOff(): void {
    this.experiment.runs.push(newHandOff(this.experiment.runs, this.sharedStopping()));
  }

  private sharedStopping(): StoppingSpec | undefined {
    const first = this.experiment.runs[0];
    return first ? ($state.snapshot(first.stopping) as StoppingSpec) : undefined;
  }

  removeRun(index: number): void {
    if (this.experiment.runs.length > 1) this.experiment.runs.splice(index, 1);
  }

  /** The budget is shared: a race is only fair when every run gets the same one. */
  setStopping(stopping: StoppingSpec): void {
    for (const r of this.experiment.runs) r.stopping = { ...stopping };
  }
}
