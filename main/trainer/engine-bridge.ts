/**
 * The trainer's calls into the engine, each behind one function. Modules are loaded lazily: a
 * trainer that only previews a file never loads TensorFlow.js.
 */
import type { ExportFormat, ExportResult, ModelImportInfo } from '../../app/api/contract';
import type { LayerSpec } from '../../app/model/spec';
import type { DatasetPreview } from '../../app/data/preview';
import type { DataCheck } from '../../app/data/check-result';
import type { DataSpec } from '../../app/data/spec';
import type { EngineReport } from '../../app/engine/types';
import type { Experiment } from '../../app/schema/experiment';
import type { SpectrumReport } from '../../app/optim/spectrumVerdict';
import type { ExperimentHandle, ExperimentOutcome, FinishedRun, RunOptions } from '../../app/train/runner';

export type StartExperimentFn = (experiment: Experiment, options: RunOptions) => ExperimentHandle;

export interface ExportRequest {
  experiment: Experiment;
  outcome: ExperimentOutcome;
  run: FinishedRun;
  formats: ExportFormat[];
  directory: string;
  overwrite: boolean;
  /** Where the experiment's relative paths point from (the bundle README checksums those files). */
  baseDir?: string;
}

export interface EngineBridge {
  runner(): Promise<StartExperimentFn>;
  exportRun(request: ExportRequest): Promise<ExportResult>;
  previewDataset(path: string): Promise<DatasetPreview>;
  checkData(data: DataSpec): Promise<DataCheck>;
  engineReport(): Promise<EngineReport>;
  spectrum(request: { experiment: Experiment; baseDir?: string; run: FinishedRun; k: number }): Promise<SpectrumReport>;
  /** What "Start from model…" shows: the file's layers and format (its weights stay here). */
  importModel(path: string, layers?: LayerSpec[]): Promise<ModelImportInfo>;
}

/** The engine; CURVATURE_TRAINER_RUNNER=stub swaps in the protocol stub runner. */
export function loadEngine(env: NodeJS.ProcessEnv = process.env): EngineBridge {
  let tables: import('../../app/data/check').TableCache | undefined;
  return {
    async runner() {
      // The stub only runs when asked for by name (protocol tests); it must never pass for training.
      return env.CURVATURE_TRAINER_RUNNER === 'stub'
        ? (await import('./stub-runner')).startStubExperiment
        : (await import('../../app/train/runner')).startExperiment;
    },
    async exportRun({ experiment, outcome, run, formats, directory, overwrite, baseDir }) {
      const { exportFinishedRun } = await import('../../app/export/index');
      return exportFinishedRun(experiment, outcome, run, { directory, formats, overwrite, baseDir });
    },
    async previewDataset(path) {
      const { previewDataset } = await import('../../app/data/previewDataset');
      return previewDataset(path);
    },
    async checkData(data) {
      const { checkData, TableCache } = await import('../../app/data/check');
      tables ??= new TableCache();
      return checkData(data, tables);
    },
    async spectrum({ experiment, baseDir, run, k }) {
      const { spectrumOfWeights } = await import('../../app/train/curvature');
      return spectrumOfWeights(experiment, baseDir ?? process.cwd(), run.layers, k);
    },
    async engineReport() {
      const { initEngine } = await import('../../app/engine/choice');
      return initEngine();
    },
    async importModel(path, layers) {
      const { importModel, IMPORT_FORMAT_LABELS } = await import('../../app/modelio/importModel');
      const { basename } = await import('node:path');
      const m = await importModel(path, { layers });
      return { fileName: basename(path), format: IMPORT_FORMAT_LABELS[m.format], layers: m.layers, inputDim: m.inputDim, ...(m.loss && { loss: m.loss }), notes: m.notes };
    },
  };
}
