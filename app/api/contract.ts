/**
 * The one typed API the renderer uses, served by the Electron preload (window.curvature) or, in
 * browser mode, over a WebSocket. Shared by main, preload, the browser-mode server and renderer.
 * Only plain JSON crosses it. Requests are validated with the zod schemas below on the host side.
 */
import { z } from 'zod';
import type { EngineReport } from '../engine/types';
import type { DatasetPreview } from '../data/preview';
import type { DataCheck } from '../data/check-result';
import { dataSpecSchema } from '../data/spec';
import type { Experiment } from '../schema/experiment';
import type { ExperimentEvent } from '../train/events';
import type { SpectrumReport } from '../optim/spectrumVerdict';
import { experimentSchema } from '../schema/experiment';
import { safeNameSchema } from '../util/safeName';
import { layerSpecSchema, type LayerSpec, type Loss } from '../model/spec';

import { EXPORT_FORMATS, exportFormatSchema, type ExportFormat } from '../export/formats';
export { EXPORT_FORMATS, exportFormatSchema, type ExportFormat };

/**
 * A file the user chose (dialog, drop or upload). The host keeps the real path; the renderer only
 * holds this opaque handle, so it can never name an arbitrary file.
 */
export interface FileHandle {
  token: string;
  name: string;
  bytes: number;
}

export type TrainerState = 'idle' | 'starting' | 'running' | 'crashed';

export interface ExportResult {
  directory: string;
  files: string[];
  /** Set when an earlier Curvature export in that folder was replaced: what it was. */
  replaced?: string;
}

/** Request payloads: what the host validates. */
export const requestSchemas = {
  previewDataset: z.object({ file: z.string().min(1).max(200) }), // FileHandle.token
  /** The data settings checked against the chosen file (`file` = FileHandle.token; inline data has none). */
  checkData: z.object({ file: z.string().min(1).max(200).optional(), data: dataSpecSchema }),
  startExperiment: z.object({ experiment: experimentSchema, dataFile: z.string().max(200).optional(), modelFile: z.string().max(200).optional() }),
  // FileHandle.token of a model file; layers only matter for weights-only files.
  /**
   * `companions`: tokens of the files uploaded with the model (a TF.js model.json's shards). The
   * model then reads its shards among them only; without them, from the model file's own folder.
   */
  importModel: z.object({
    file: z.string().min(1).max(200),
    layers: z.array(layerSpecSchema).max(1000).optional(),
    companions: z.array(z.string().min(1).max(200)).max(64).optional(),
  }),
  stopRun: z.object({ experimentId: safeNameSchema, runId: safeNameSchema }),
  stopAll: z.object({ experimentId: safeNameSchema }),
  /** The Hessian spectrum at a finished run's weights, on demand (k largest and k smallest). */
  computeSpectrum: z.object({ experimentId: safeNameSchema, runId: safeNameSchema, k: z.int().min(1).max(20).default(5) }),
  exportRun: z.object({
    experimentId: safeNameSchema,
    runId: safeNameSchema,
    formats: z.array(exportFormatSchema).min(1),
    overwrite: z.boolean().default(false),
  }),
  saveExperiment: z.object({ experiment: experimentSchema, saveAs: z.boolean().default(false) }),
  /** A result file made in the page (chart PNG, history CSV); the desktop app asks where to save it. */
  saveResultFile: z.object({ name: z.string().min(1).max(200), base64: z.string().max(400 * 1024 * 1024) }),
  uploadFile: z.object({ name: z.string().min(1).max(255), base64: z.string() }),
  /** Files that belong together (a TF.js model.json and its weight shards): stored in one folder. */
  uploadFileSet: z.object({ files: z.array(z.object({ name: z.string().min(1).max(255), base64: z.string() })).min(1).max(64) }),
  openExample: z.object({ name: z.string().min(1).max(100) }),
} as const;

/** What "Start from model…" found in a file: the layers for the editor and where the weights come from. */
export interface ModelImportInfo {
  fileName: string;
  /** Human name of the format, e.g. "Keras HDF5 model". */
  format: string;
  layers: LayerSpec[];
  inputDim: number;
  /** Loss of the file's training config, when Curvature has it. */
  loss?: Loss;
  notes: string[];
}

export interface ExampleInfo {
  name: string;
  title: string;
  description: string;
}

/** Application-menu items the renderer acts on (desktop app only; it calls the API in response). */
export type MenuCommand =
  | { command: 'open-dataset' | 'open-experiment' | 'save-experiment' | 'save-experiment-as' | 'export-weights' | 'start-from-model' }
  | { command: 'open-example'; name: string };

export interface CurvatureApi {
  /** Which transport serves the API. */
  readonly transport: 'electron' | 'websocket';
  getEngineReport(): Promise<EngineReport>;
  getTrainerState(): Promise<TrainerState>;
  /** Native open dialog (Electron) — in browser mode the renderer uses uploadFile instead. */
  chooseDataset(): Promise<FileHandle | null>;
  /** Browser mode: send a picked file's bytes; Electron: a dropped file. */
  uploadFile(name: string, base64: string): Promise<FileHandle>;
  /**
   * Several files as one set in one folder, so a TF.js model.json finds its shards beside it; the
   * handle is the first file's (the one to open).
   */
  uploadFileSet(files: { name: string; base64: string }[]): Promise<FileHandle>;
  /**
   * Browser mode only: streams a picked file to the server by HTTP (no string in memory, up to the
   * 1 GiB limit). Callers prefer it over uploadFile when it exists.
   */
  uploadBlob?(file: Blob, name: string, onProgress?: (sent: number, total: number) => void): Promise<FileHandle>;
  previewDataset(file: string): Promise<DatasetPreview>;
  /** Native open dialog for a model file (Electron); browser mode uploads it with uploadFile. */
  chooseModel(): Promise<FileHandle | null>;
  /** Reads a chosen model file; `layers` are used only when the file holds weights without layers. */
  importModel(file: string, layers?: LayerSpec[], companions?: string[]): Promise<ModelImportInfo>;
  /** Would the race start with these data settings? Runs the trainer's own preparation on the file. */
  checkData(file: string | undefined, data: Experiment['data']): Promise<DataCheck>;
  listExamples(): Promise<ExampleInfo[]>;
  /** An example experiment with its data handle resolved. */
  openExample(name: string): Promise<{ experiment: Experiment; dataFile?: FileHandle }>;
  openExperiment(): Promise<{ experiment: Experiment; dataFile?: FileHandle; fileName: string } | null>;
  /** Browser mode also returns a one-time `downloadUrl` for the saved file. */
  saveExperiment(experiment: Experiment, saveAs?: boolean): Promise<{ fileName: string; downloadUrl?: string } | null>;
  /** Desktop: a save dialog for a file made in the page; browser mode: a one-time download URL. */
  saveResultFile(name: string, base64: string): Promise<{ fileName: string; downloadUrl?: string } | null>;
  /** Starts training; events arrive through onEvent. Returns the experiment id. */
  startExperiment(experiment: Experiment, dataFile?: string, modelFile?: string): Promise<{ experimentId: string }>;
  stopRun(experimentId: string, runId: string): Promise<void>;
  stopAll(experimentId: string): Promise<void>;
  /** The Hessian spectrum at a finished run's final weights (dense for small models, else Lanczos). */
  computeSpectrum(experimentId: string, runId: string, k?: number): Promise<SpectrumReport>;
  /** Electron: asks for a folder; browser mode: builds a zip and returns a download URL in files[0]. */
  exportRun(
    experimentId: string,
    runId: string,
    formats: ExportFormat[],
    overwrite?: boolean,
  ): Promise<ExportResult | null>;
  onEvent(listener: (event: ExperimentEvent) => void): () => void;
  onTrainerState(listener: (state: TrainerState) => void): () => void;
  /** Desktop app: the user picked an application-menu item. Never fires in browser mode. */
  onMenuCommand?(listener: (command: MenuCommand) => void): () => void;
}
