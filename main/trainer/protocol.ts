/**
 * Messages between a host (Electron main or the browser-mode server) and one trainer process.
 * Plain data only: sent with structured clone (utilityProcess / fork with advanced serialization),
 * so NaN and Infinity in iteration points survive.
 */
import type { ExportFormat, ExportResult, ModelImportInfo } from '../../app/api/contract';
import type { LayerSpec } from '../../app/model/spec';
import type { DatasetPreview } from '../../app/data/preview';
import type { DataCheck } from '../../app/data/check-result';
import type { DataSpec } from '../../app/data/spec';
import type { EngineReport } from '../../app/engine/types';
import type { ExperimentEvent } from '../../app/train/events';
import type { Experiment } from '../../app/schema/experiment';
import type { SpectrumReport } from '../../app/optim/spectrumVerdict';

export type TrainerCommand =
  | {
      type: 'start';
      experimentId: string;
      experiment: Experiment;
      /** Folder relative data paths resolve against. */
      baseDir?: string;
    }
  | { type: 'stop-run'; runId: string }
  | { type: 'stop-all' }
  | {
      type: 'export';
      requestId: number;
      runId: string;
      formats: ExportFormat[];
      directory: string;
      overwrite: boolean;
    }
  | { type: 'preview'; requestId: number; path: string }
  /** The Hessian spectrum at a finished run's weights. */
  | { type: 'spectrum'; requestId: number; runId: string; k: number }
  /** Data settings with the source path already resolved by the host. */
  | { type: 'check-data'; requestId: number; data: DataSpec }
  | { type: 'backend-report'; requestId: number }
  /** Opens a model file here, never in the host: a hostile file costs at most this process. */
  | { type: 'import-model'; requestId: number; path: string; layers?: LayerSpec[] }
  | { type: 'shutdown' };

export type TrainerReplyPayload = ExportResult | DatasetPreview | DataCheck | EngineReport | SpectrumReport | ModelImportInfo;

export type TrainerMessage =
  | { type: 'ready'; pid: number }
  /** A coalesced batch of events, in emission order. */
  | { type: 'events'; events: ExperimentEvent[] }
  | { type: 'reply'; requestId: number; ok: true; result: TrainerReplyPayload }
  | { type: 'reply'; requestId: number; ok: false; error: string };

export type TrainerRequest = Extract<TrainerCommand, { requestId: number }>;
/** Distributes Omit over the union so each request kind keeps its own fields. */
export type TrainerRequestBody = TrainerRequest extends infer R
  ? R extends TrainerRequest
    ? Omit<R, 'requestId'>
    : never
  : never;
