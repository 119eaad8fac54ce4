/**
 * "Start from model…": the chosen model file, what it held, and whether it fits the data. Its
 * weights are every run's start point; its layers fill the editor of the experiment it belongs to.
 */
import type { CurvatureApi, DataCheck, Experiment, FileHandle, LayerSpec, ModelImportInfo, Task } from '../../../app/ui';
import { layerSpecSchema } from '../../../app/ui';
import { errorMessage, fileToBase64, humanError } from './files';
import { sameLayers } from './imported-model';
import { modelFitProblems } from './model-fit';

/** What the section reads from the experiment store. */
export interface StartModelHost {
  readonly experiment: Experiment;
  readonly dataCheck: DataCheck | null;
  readonly task: Task | null;
  readonly classes: number | null;
}

export class StartModelStore {
  private readonly api: CurvatureApi;
  private readonly host: StartModelHost;
  file = $state<FileHandle | null>(null);
  info = $state.raw<ModelImportInfo | null>(null);
  error = $state<string | null>(null);

  /** True when the layers no longer match the imported file: the user must drop its weights or undo. */
  readonly layersEdited = $derived.by(() => {
    const model = this.host.experiment.model;
    return this.info !== null && model.from !== undefined && !sameLayers(model.layers, this.info.layers);
  });
  /** A model that does not fit the data (inputs, classes): shown beside the model, and it stops a race. */
  readonly fit = $derived.by(() =>
    this.host.experiment.model.from !== undefined ? modelFitProblems(this.info, this.host.dataCheck, this.host.task, this.host.classes) : [],
  );

  constructor(api: CurvatureApi, host: StartModelHost) {
    this.api = api;
    this.host = host;
  }

  clear(): void {
    this.file = null;
    this.info = null;
    this.error = null;
  }

  async choose(): Promise<void> {
    this.error = null;
    try {
      const handle = await this.api.chooseModel();
      if (handle) await this.use(handle);
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  /**
   * Picked or dropped model files. A TF.js model.json needs its weight shards beside it, so several
   * files travel as one set; the one to open is the .json (or the only non-.bin file).
   */
  async upload(files: File[]): Promise<void> {
    this.error = null;
    const main = files.find((f) => /\.json$/i.test(f.name)) ?? files.find((f) => !/\.bin$/i.test(f.name)) ?? files[0];
    if (!main) return;
    try {
      const set = [main, ...files.filter((f) => f !== main)];
      const handle =
        set.length === 1
          ? await this.api.uploadFile(main.name, await fileToBase64(main))
          : await this.api.uploadFileSet(await Promise.all(set.map(async (f) => ({ name: f.name, base64: await fileToBase64(f) }))));
      await this.use(handle);
    } catch (e) {
      this.error = humanError(errorMessage(e), main.name);
    }
  }

  /** Fills the layer editor from the file; weights-only files are read against the current layers. */
  async use(handle: FileHandle): Promise<void> {
    this.error = null;
    try {
      const model = this.host.experiment.model;
      const info = await this.api.importModel(handle.token, $state.snapshot(model.layers) as LayerSpec[]);
      model.layers = info.layers.map((l) => layerSpecSchema.parse(l));
      model.from = handle.name;
      model.output = 'last';
      if (info.loss) model.loss = info.loss;
      this.file = handle;
      this.info = info;
    } catch (e) {
      this.error = humanError(errorMessage(e), handle.name);
    }
  }

  /** Back to fresh Glorot weights from the seed; the layers stay as they are. */
  dropWeights(): void {
    this.host.experiment.model.from = undefined;
    this.file = null;
    this.info = null;
  }

  /** Puts the imported layers back (undoing an edit) so the file's weights still fit. */
  restoreLayers(): void {
    if (this.info) this.host.experiment.model.layers = this.info.layers.map((l) => layerSpecSchema.parse(l));
  }
}
