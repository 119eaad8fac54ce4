/**
 * The request handlers behind CurvatureApi, shared by the Electron IPC and the WebSocket server:
 * every payload is validated with the zod schemas, every file goes through the FileRegistry, and
 * training goes to the TrainerHost. Transports only move bytes.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { ExampleInfo, FileHandle, ModelImportInfo } from '../../app/api/contract';
import { isApiMethod, methodSchemas, type ApiMethod, type MethodPayload, type MethodResult } from '../../app/api/wire';
import type { EngineReport } from '../../app/engine/types';
import type { DataCheck } from '../../app/data/check-result';
import type { DataSpec } from '../../app/data/spec';
import { parseExperiment, type Experiment } from '../../app/schema/experiment';
import { isWithin, realExisting } from '../../app/util/paths';
import { listExamples, loadExample } from './examples';
import type { FileRegistry } from './file-registry';
import type { HostPlatform } from './platform';
import type { TrainerHost } from './trainer-host';
import { MAX_UPLOAD_BYTES, safeUploadName, UploadTooLargeError, uploadTarget, type UploadBudget } from './uploads';

/** An error meant for the user: the renderer shows its message as is. */
export class ApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiHostOptions {
  platform: HostPlatform;
  trainers: TrainerHost;
  files: FileRegistry;
  examplesDir: string;
  /** Where uploaded files are stored (a private temp folder). */
  uploadDir: string;
  maxUploadBytes?: number;
  /** The session's upload budget (browser mode): base64 uploads are charged to it too. */
  uploads?: UploadBudget;
}

type Handlers = { [M in ApiMethod]: (payload: MethodPayload<M>) => Promise<MethodResult<M>> };

export class ApiHost {
  private engineReport: Promise<EngineReport> | null = null;
  private experimentCounter = 0;
  /** Experiment names by id: exports are named after the experiment, not an internal id. */
  private readonly experimentNames = new Map<string, string>();
  private readonly handlers: Handlers;

  constructor(private readonly o: ApiHostOptions) {
    this.handlers = this.createHandlers();
  }

  /** Validates and runs one request. Rejects with ApiError for anything malformed. */
  async invoke(method: unknown, payload: unknown): Promise<unknown> {
    if (!isApiMethod(method)) throw new ApiError(`Unknown API method ${JSON.stringify(method)?.slice(0, 100)}`);
    const parsed = (methodSchemas[method] as z.ZodType).safeParse(payload ?? {});
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
      throw new ApiError(`Invalid ${method} request:\n  ${lines.slice(0, 10).join('\n  ')}`);
    }
    const handler = this.handlers[method] as (p: unknown) => Promise<unknown>;
    return handler(parsed.data);
  }

  private createHandlers(): Handlers {
    const { platform, trainers, files } = this.o;
    return {
      getEngineReport: () => {
        this.engineReport ??= trainers.engineReport().catch((err: unknown) => {
          this.engineReport = null;
          throw err;
        });
        return this.engineReport;
      },
      getTrainerState: async () => trainers.state(),
      chooseDataset: async () => {
        const chosen = await platform.chooseDataset();
        return chosen === null ? null : files.register(chosen);
      },
      uploadFile: async ({ name, base64 }) => this.storeUpload(name, base64),
      uploadFileSet: async ({ files }) => this.storeUploadSet(files),
      previewDataset: async ({ file }) => trainers.previewDataset(files.resolve(file)),
      chooseModel: async () => {
        if (!platform.chooseModel) throw new ApiError('Browser mode has no file dialog: pick the model file in the page and it is uploaded (uploadFile).');
        const chosen = await platform.chooseModel();
        return chosen === null ? null : files.register(chosen);
      },
      // Parsed in the helper process: a hostile model file costs that process, never this one.
      importModel: async ({ file, layers, companions }): Promise<ModelImportInfo> => {
        const real = companions?.length ? this.modelSet(file, companions) : this.resolveToken(file, 'file');
        try {
          return await trainers.importModel(real, layers);
        } catch (err) {
          throw new ApiError((err as Error).message);
        }
      },
      checkData: async ({ file, data }) => this.checkData(file, data),
      listExamples: async (): Promise<ExampleInfo[]> => listExamples(this.o.examplesDir),
      openExample: async ({ name }) => {
        const { experiment, file } = loadExample(this.o.examplesDir, name);
        platform.setCurrentExperimentPath?.(null);
        return { experiment, dataFile: await this.registerDataFile(experiment, file) };
      },
      openExperiment: async () => {
        const chosen = await platform.chooseExperimentFile();
        if (chosen === null) return null;
        const experiment = readExperimentFile(chosen);
        const dataFile = await this.registerDataFile(experiment, chosen);
        platform.setCurrentExperimentPath?.(chosen);
        return { experiment, dataFile, fileName: path.basename(chosen) };
      },
      saveExperiment: async ({ experiment, saveAs }) =>
        platform.saveExperiment(JSON.stringify(experiment, null, 2) + '\n', suggestedFileName(experiment.name), saveAs),
      saveResultFile: async ({ name, base64 }) => {
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new ApiError(`${name}: not valid base64`);
        const safeName = path.basename(name).replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+/, '_') || 'result';
        return platform.saveResultFile(Buffer.from(base64, 'base64'), safeName);
      },
      startExperiment: async ({ experiment, dataFile, modelFile }) => {
        const resolved = this.resolveModelFile(this.resolveData(experiment, dataFile), modelFile);
        const experimentId = `exp-${++this.experimentCounter}-${randomBytes(3).toString('hex')}`;
        trainers.startExperiment(experimentId, resolved);
        this.experimentNames.set(experimentId, experiment.name);
        return { experimentId };
      },
      stopRun: async ({ experimentId, runId }) => trainers.stopRun(experimentId, runId),
      stopAll: async ({ experimentId }) => trainers.stopAll(experimentId),
      computeSpectrum: async ({ experimentId, runId, k }) => trainers.computeSpectrum(experimentId, runId, k),
      exportRun: async ({ experimentId, runId, formats, overwrite }) => {
        const suggested = exportName(this.experimentNames.get(experimentId) ?? experimentId, runId);
        const directory = await platform.chooseExportDirectory(suggested);
        if (directory === null) return null;
        const result = await trainers.exportRun(experimentId, { runId, formats, directory, overwrite });
        return platform.deliverExport(result, suggested);
      },
    };
  }

  private resolveToken(token: string, field: string): string {
    try {
      return this.o.files.resolve(token);
    } catch (err) {
      throw new ApiError(`${field}: ${(err as Error).message}`);
    }
  }

  /**
   * A model uploaded with its companions (TF.js shards), each in its own upload folder: links them
   * into one new private folder under their base names, so the model finds its shards by the one
   * rule (plain names in its own folder), and points the model's token there for the start.
   */
  private modelSet(modelToken: string, companionTokens: string[]): string {
    const model = this.resolveToken(modelToken, 'file');
    const folder = path.join(this.o.uploadDir, `set-${randomBytes(8).toString('hex')}`);
    fs.mkdirSync(folder, { recursive: true });
    const link = (source: string, field: string) => {
      const target = path.join(folder, path.basename(source));
      if (fs.existsSync(target)) throw new ApiError(`${field}: two files named "${path.basename(source)}"`);
      try {
        fs.linkSync(source, target);
      } catch {
        fs.copyFileSync(source, target);
      }
      return target;
    };
    const modelPath = link(model, 'file');
    companionTokens.forEach((t, i) => link(this.resolveToken(t, `companions.${i}`), `companions.${i}`));
    this.o.files.repoint(modelToken, modelPath);
    return modelPath;
  }

  /** Small uploads as base64 in one API message (the desktop app's drops); browser mode streams by HTTP. */
  private storeUpload(name: string, base64: string): FileHandle {
    const max = this.o.maxUploadBytes ?? MAX_UPLOAD_BYTES;
    if (base64.length > Math.ceil(max / 3) * 4 + 4) throw new ApiError(new UploadTooLargeError(safeUploadName(name), max).message);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new ApiError(`${name}: upload is not valid base64`);
    const bytes = Buffer.from(base64, 'base64');
    let ticket: ReturnType<UploadBudget['begin']> | undefined;
    try {
      ticket = this.o.uploads?.begin(safeUploadName(name));
      ticket?.charge(bytes.length);
      ticket?.end(true);
    } catch (err) {
      ticket?.end(false);
      throw new ApiError((err as Error).message);
    }
    const target = uploadTarget(this.o.uploadDir, name);
    fs.writeFileSync(target, bytes);
    return this.o.files.register(target);
  }

  /**
   * Files that belong together (model.json and its shards) into one private folder, each under its
   * safe base name; the first file's handle is returned. The set counts against one upload's cap.
   */
  private storeUploadSet(files: { name: string; base64: string }[]): FileHandle {
    const max = this.o.maxUploadBytes ?? MAX_UPLOAD_BYTES;
    const total = files.reduce((n, f) => n + f.base64.length, 0);
    if (total > Math.ceil(max / 3) * 4 + 4 * files.length) throw new ApiError(new UploadTooLargeError(safeUploadName(files[0].name), max).message);
    const names = files.map((f) => safeUploadName(f.name));
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined) throw new ApiError(`${twice}: chosen twice; each file of a set needs its own name`);
    for (const f of files) if (!/^[A-Za-z0-9+/]*={0,2}$/.test(f.base64)) throw new ApiError(`${f.name}: upload is not valid base64`);
    const first = uploadTarget(this.o.uploadDir, files[0].name);
    const folder = path.dirname(first);
    files.forEach((f, i) => fs.writeFileSync(path.join(folder, names[i]), Buffer.from(f.base64, 'base64'), { flag: 'wx' }));
    return this.o.files.register(first);
  }

  /** The trainer's own preparation, run on the chosen file; file problems come back as answers, not errors. */
  private async checkData(file: string | undefined, data: DataSpec): Promise<DataCheck> {
    const source = data.source;
    if (source.kind === 'inline') return this.o.trainers.checkData(data);
    const problem = (message: string): DataCheck => ({ ok: false, problems: [{ control: 'file', message }], notes: [] });
    if (file === undefined) return problem('No dataset: open a data file or an example.');
    if (source.targetPath !== undefined) return problem('A second data file for the target cannot be used here; put the target in the data file.');
    let realPath: string;
    try {
      realPath = this.o.files.resolve(file);
    } catch {
      return problem('The data file is no longer available; open it again.');
    }
    return this.o.trainers.checkData({ ...data, source: { ...source, path: realPath } });
  }

  /**
   * A file-backed experiment names its data relative to its own folder; register that file. A path
   * that leads outside the folder (absolute, `..`, or a symbolic link out) is used only after the
   * user confirmed it (desktop) and refused where nobody can be asked (browser mode).
   */
  private async registerDataFile(experiment: Experiment, experimentFile: string): Promise<FileHandle | undefined> {
    const source = experiment.data.source;
    if (source.kind !== 'file') return undefined;
    const baseDir = path.dirname(path.resolve(experimentFile));
    const dataPath = path.resolve(baseDir, source.path);
    if (!isWithin(realExisting(baseDir), realExisting(dataPath))) {
      const where = `data.source.path: "${source.path}" lies outside the experiment's folder ${baseDir}`;
      const confirm = this.o.platform.confirmOutsideDataPath;
      if (!confirm) {
        throw new ApiError(`${where}; browser mode only reads files that were uploaded. Upload the data file and choose it with Open data file… in the Data view.`);
      }
      // Declined: the experiment opens without its data, and Start asks for a dataset.
      if (!(await confirm(dataPath, experimentFile))) return undefined;
    }
    try {
      return this.o.files.register(dataPath);
    } catch (err) {
      throw new ApiError(`data.source.path: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** `model.from` as the page sends it is only a file name: the registered model file replaces it. */
  private resolveModelFile(experiment: Experiment, modelFile: string | undefined): Experiment {
    if (experiment.model.from === undefined) return experiment;
    if (modelFile === undefined) {
      throw new ApiError('model.from: choose the model again with Start from model… (paths typed by the page are not accepted).');
    }
    let realPath: string;
    try {
      realPath = this.o.files.resolve(modelFile);
    } catch (err) {
      throw new ApiError(`modelFile: ${(err as Error).message}`);
    }
    return { ...experiment, model: { ...experiment.model, from: realPath } };
  }

  /** Replaces the experiment's data path by the registered file; free paths are refused. */
  private resolveData(experiment: Experiment, dataFile: string | undefined): Experiment {
    if (experiment.initialWeights && 'path' in experiment.initialWeights) {
      throw new ApiError('initialWeights.path: weight files cannot be named by the page; use inline initial weights.');
    }
    const source = experiment.data.source;
    if (source.kind !== 'file') return experiment;
    if (source.targetPath !== undefined) {
      throw new ApiError('data.source.targetPath: a second data file cannot be named by the page; put the target in the data file.');
    }
    if (dataFile === undefined) {
      throw new ApiError('dataFile: this experiment reads a file; choose it with Open data file… (paths typed by the page are not accepted).');
    }
    let realPath: string;
    try {
      realPath = this.o.files.resolve(dataFile);
    } catch (err) {
      throw new ApiError(`dataFile: ${(err as Error).message}`);
    }
    return { ...experiment, data: { ...experiment.data, source: { ...source, path: realPath } } };
  }
}

/** An experiment file is a few kilobytes of settings; anything far larger, or not a regular file, is refused before reading. */
const MAX_EXPERIMENT_FILE_BYTES = 16 * 1024 ** 2;

function readExperimentFile(file: string): Experiment {
  let raw: unknown;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > MAX_EXPERIMENT_FILE_BYTES) throw new Error(`${stat.size} bytes, more than the limit of 16 MiB for an experiment file`);
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ApiError(`${path.basename(file)}: ${(err as Error).message}`);
  }
  return parseExperiment(raw, file);
}

/** `<experiment name>-<run>`, in characters that are safe in a file name on every system. */
export function exportName(experimentName: string, runId: string): string {
  const safe = (s: string) => s.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return `${safe(experimentName).slice(0, 80) || 'experiment'}-${safe(runId).slice(0, 64) || 'run'}`;
}

export function suggestedFileName(name: string): string {
  const base = name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'experiment';
  return `${base}.curvature.json`;
}
