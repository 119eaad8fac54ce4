/**
 * The experiment being edited: exactly the JSON the CLI runs, plus the data file handle and its
 * preview. Views edit it through these methods so the output layer follows the task.
 */
import type { CurvatureApi, FileHandle, ModelImportInfo } from '../../../app/ui';
import { sameLayers } from './imported-model';
import type { DatasetPreview } from '../../../app/ui';
import type { LayerSpec } from '../../../app/ui';
import { layerSpecSchema, modelSpecSchema } from '../../../app/ui';
import {
  OPTIMIZER_LABELS,
  type SingleOptimizerKind as OptimizerKind,
  type SingleOptimizerSpec,
  singleOptimizerSpecSchema,
  type StoppingSpec,
} from '../../../app/ui';
import { dataSpecSchema, type Experiment, experimentSchema, parseExperiment, runSpecSchema } from '../../../app/ui';
import type { DataCheck } from '../../../app/ui';
import { errorMessage, fileToBase64, humanError, withFileName } from './files';
import { watchDataCheck } from './data-check.svelte';
import { describeDataProblem, describeIssue } from './issues';
import { classCount, outputLayerFor, resolveTask, TEMPLATES } from './model-math';
import { modelFitProblems } from './model-fit';
import { download, findUpload, rememberUpload } from './session-files';

/** A dropped file travels base64-encoded in one IPC message; past this size use the native dialog. */
const MAX_DROP_BYTES = 256 * 2 ** 20;

export type ColumnRole = 'feature' | 'target' | 'ignore';

function defaultsOf<T>(schema: { parse(v: unknown): T }): T {
  return schema.parse(undefined);
}

export function defaultOptimizer(kind: OptimizerKind): SingleOptimizerSpec {
  return singleOptimizerSpecSchema.parse({ kind });
}

/** A fresh experiment with every default from the schemas; data is chosen later. */
export function blankExperiment(): Experiment {
  const shape = dataSpecSchema.shape;
  const template = TEMPLATES[1];
  return {
    version: 1,
    name: 'Untitled experiment',
    data: {
      source: { kind: 'file', path: '' },
      target: '',
      ignore: [],
      task: 'auto',
      preprocessing: defaultsOf(shape.preprocessing),
      split: defaultsOf(shape.split),
      maxFileBytes: defaultsOf(shape.maxFileBytes),
    },
    model: modelSpecSchema.parse({ layers: [...template.hidden, { units: 1 }] }),
    runs: [
      runSpecSchema.parse({ id: 'lbfgs', optimizer: { kind: 'lbfgs' } }),
      runSpecSchema.parse({ id: 'adam', optimizer: { kind: 'adam' } }),
    ],
    seed: experimentSchema.shape.seed.parse(undefined),
    repeats: 1,
  };
}

/** The file's own name: a saved path may come from another machine (either separator). */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function snapshot(e: Experiment): string {
  return JSON.stringify(e);
}

export class ExperimentStore {
  experiment = $state<Experiment>(blankExperiment());
  dataFile = $state<FileHandle | null>(null);
  preview = $state.raw<DatasetPreview | null>(null);
  loadError = $state<string | null>(null);
  loading = $state(false);
  /** A data file on its way: bytes sent so far (upload), then the host reading it (since `since`, ms). */
  loadProgress = $state<{ name: string; phase: 'upload' | 'read'; sent: number; total: number; since: number } | null>(null);
  fileName = $state<string | null>(null);
  fileError = $state<string | null>(null);
  /** "Start from model…": the chosen file and what it held; its weights are every run's start point. */
  modelFile = $state<FileHandle | null>(null);
  importedModel = $state.raw<ModelImportInfo | null>(null);
  modelError = $state<string | null>(null);
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
    if (this.experiment.model.from !== undefined && !this.modelFile) {
      issues.push(`Start from model: open ${this.experiment.model.from} again with "Start from model…" in the Model view, or drop its weights.`);
    }
    if (noData) issues.unshift('No dataset: open a file or an example in the Data view.');
    else if (!this.dataFile && this.experiment.data.source.kind === 'file') {
      // A reopened experiment names its data file, but the page has not got it: racing would fail late.
      issues.unshift(`Data file ${baseName(this.experiment.data.source.path)} is not open: choose it with "Open data file…" in the Data view.`);
    }
    return issues;
  });
  /** An imported model that does not fit the data (inputs, classes): shown beside the model, and it stops a race. */
  readonly modelFit = $derived(
    this.experiment.model.from !== undefined ? modelFitProblems(this.importedModel, this.dataCheck, this.task, classCount(this.experiment.data, this.preview)) : [],
  );
  /** Everything that stops a race: the above plus what the data check found. */
  readonly issues = $derived([
    ...this.schemaIssues,
    ...(this.dataCheck?.problems ?? []).map(describeDataProblem),
    ...this.modelFit.map((p) => `Start from model: ${p}`),
  ]);

  constructor(private readonly api: CurvatureApi) {
    watchDataCheck(api, this);
  }

  // ---- files -------------------------------------------------------------------------------

  reset(): void {
    this.replace(blankExperiment(), null, null);
  }

  private replace(experiment: Experiment, dataFile: FileHandle | null, fileName: string | null): void {
    this.experiment = this.withRunIds(experiment);
    this.saved = snapshot(this.experiment);
    this.dataFile = dataFile;
    this.fileName = fileName;
    this.preview = null;
    this.loadError = null;
    this.fileError = null;
    this.modelFile = null;
    this.importedModel = null;
    this.modelError = null;
    if (dataFile) void this.loadPreview(dataFile, false);
  }

  /** Runs need stable ids: the race view and stopRun address runs by id. */
  private withRunIds(e: Experiment): Experiment {
    const used = new Set<string>();
    const runs = e.runs.map((r) => {
      let id = r.id ?? r.optimizer.kind;
      for (let i = 2; used.has(id); i++) id = `${r.id ?? r.optimizer.kind}-${i}`;
      used.add(id);
      return { ...r, id };
    });
    return { ...e, runs };
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
    try {
      const r = await this.api.openExample(name);
      this.replace(r.experiment, r.dataFile ?? null, null);
    } catch (e) {
      this.loadError = humanError(errorMessage(e));
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
    const d = this.experiment.data;
    if (column === d.target) return 'target';
    if (d.ignore.includes(column)) return 'ignore';
    if (d.features && !d.features.includes(column)) return 'ignore';
    return 'feature';
  }

  setRole(column: string, role: ColumnRole): void {
    const d = this.experiment.data;
    // An explicit feature list becomes "everything not ignored", which says the same thing.
    if (d.features && this.preview) {
      const keep = new Set(d.features);
      d.ignore = this.preview.columns.map((c) => c.name).filter((n) => n !== d.target && !keep.has(n));
      d.features = undefined;
    }
    if (role === 'target') {
      d.target = column;
      d.ignore = d.ignore.filter((n) => n !== column);
      this.syncOutputLayer();
    } else if (role === 'ignore') {
      if (!d.ignore.includes(column)) d.ignore = [...d.ignore, column];
    } else {
      d.ignore = d.ignore.filter((n) => n !== column);
    }
  }

  setTask(task: Experiment['data']['task']): void {
    this.experiment.data.task = task;
    this.syncOutputLayer();
  }

  // ---- model ------------------------------------------------------------------------------

  /** True when the layers no longer match the imported file: the user must drop its weights or undo. */
  readonly layersEdited = $derived(
    this.importedModel !== null && this.experiment.model.from !== undefined && !sameLayers(this.experiment.model.layers, this.importedModel.layers),
  );

  async chooseModel(): Promise<void> {
    this.modelError = null;
    try {
      const handle = await this.api.chooseModel();
      if (handle) await this.useModel(handle);
    } catch (e) {
      this.modelError = errorMessage(e);
    }
  }

  /**
   * Picked or dropped model files. A TF.js model.json needs its weight shards beside it, so several
   * files travel as one set; the one to open is the .json (or the only non-.bin file).
   */
  async uploadModel(files: File[]): Promise<void> {
    this.modelError = null;
    const main = files.find((f) => /\.json$/i.test(f.name)) ?? files.find((f) => !/\.bin$/i.test(f.name)) ?? files[0];
    if (!main) return;
    try {
      const set = [main, ...files.filter((f) => f !== main)];
      const handle =
        set.length === 1
          ? await this.api.uploadFile(main.name, await fileToBase64(main))
          : await this.api.uploadFileSet(await Promise.all(set.map(async (f) => ({ name: f.name, base64: await fileToBase64(f) }))));
      await this.useModel(handle);
    } catch (e) {
      this.modelError = humanError(errorMessage(e), main.name);
    }
  }

  /** Fills the layer editor from the file; weights-only files are read against the current layers. */
  async useModel(handle: FileHandle): Promise<void> {
    this.modelError = null;
    try {
      const layers = $state.snapshot(this.experiment.model.layers) as LayerSpec[];
      const info = await this.api.importModel(handle.token, layers);
      const model = this.experiment.model;
      model.layers = info.layers.map((l) => layerSpecSchema.parse(l));
      model.from = handle.name;
      model.output = 'last';
      if (info.loss) model.loss = info.loss;
      this.modelFile = handle;
      this.importedModel = info;
    } catch (e) {
      this.modelError = humanError(errorMessage(e), handle.name);
    }
  }

  /** Back to fresh Glorot weights from the seed; the layers stay as they are. */
  dropModelWeights(): void {
    this.experiment.model.from = undefined;
    this.modelFile = null;
    this.importedModel = null;
  }

  /** Puts the imported layers back (undoing an edit) so the file's weights still fit. */
  restoreImportedLayers(): void {
    if (this.importedModel) this.experiment.model.layers = this.importedModel.layers.map((l) => layerSpecSchema.parse(l));
  }

  /** Output units and activation follow the task; the user may still edit them afterwards. */
  syncOutputLayer(): void {
    const task = resolveTask(this.experiment.data, this.preview);
    // An imported model's output layer is part of its weights: the run checks it against the data instead.
    if (!task || this.experiment.model.from !== undefined) return;
    const layers = this.experiment.model.layers;
    const out = outputLayerFor(task, classCount(this.experiment.data, this.preview));
    const last = layers[layers.length - 1];
    last.units = out.units;
    last.activation = out.activation;
  }

  applyTemplate(id: string): void {
    const t = TEMPLATES.find((x) => x.id === id);
    if (!t) return;
    const out = this.experiment.model.layers[this.experiment.model.layers.length - 1];
    this.experiment.model.layers = [...t.hidden.map((h) => layerSpecSchema.parse(h)), out];
  }

  addHiddenLayer(): void {
    const layers = this.experiment.model.layers;
    const prev = layers.length > 1 ? layers[layers.length - 2] : undefined;
    const layer: LayerSpec = layerSpecSchema.parse({ units: prev?.units ?? 32, activation: prev?.activation ?? 'tanh' });
    layers.splice(layers.length - 1, 0, layer);
  }

  removeLayer(index: number): void {
    const layers = this.experiment.model.layers;
    if (index < layers.length - 1) layers.splice(index, 1);
  }

  moveLayer(index: number, delta: -1 | 1): void {
    const layers = this.experiment.model.layers;
    const to = index + delta;
    // The output layer stays last.
    if (to < 0 || to >= layers.length - 1 || index >= layers.length - 1) return;
    const [l] = layers.splice(index, 1);
    layers.splice(to, 0, l);
  }

  // ---- runs -------------------------------------------------------------------------------

  addRun(kind: OptimizerKind): void {
    const runs = this.experiment.runs;
    const ids = new Set(runs.map((r) => r.id));
    let id: string = kind;
    for (let i = 2; ids.has(id); i++) id = `${kind}-${i}`;
    const stopping = runs[0] ? $state.snapshot(runs[0].stopping) : runSpecSchema.shape.stopping.parse(undefined);
    const n = runs.filter((r) => r.optimizer.kind === kind).length;
    runs.push({ id, label: n > 0 ? `${OPTIMIZER_LABELS[kind]} ${n + 1}` : undefined, optimizer: defaultOptimizer(kind), stopping });
  }

  /** The recipe for smooth scientific models: Adam for 200 iterations, then L-BFGS from there. */
  addHandOff(): void {
    const runs = this.experiment.runs;
    const ids = new Set(runs.map((r) => r.id));
    let id = 'adam-lbfgs';
    for (let i = 2; ids.has(id); i++) id = `adam-lbfgs-${i}`;
    const stopping = runs[0] ? $state.snapshot(runs[0].stopping) : runSpecSchema.shape.stopping.parse(undefined);
    runs.push({
      id,
      optimizer: {
        kind: 'sequence',
        phases: [
          { optimizer: defaultOptimizer('adam'), until: { iterations: 200 } },
          { optimizer: defaultOptimizer('lbfgs') },
        ],
      },
      stopping,
    });
  }

  removeRun(index: number): void {
    if (this.experiment.runs.length > 1) this.experiment.runs.splice(index, 1);
  }

  /** The budget is shared: a race is only fair when every run gets the same one. */
  setStopping(stopping: StoppingSpec): void {
    for (const r of this.experiment.runs) r.stopping = { ...stopping };
  }
}
