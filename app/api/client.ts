/**
 * How CurvatureApi calls travel: every method becomes `invoke(method, payload)` with one JSON payload
 * object (validated on the host by `methodSchemas` in ./wire). Shared by the Electron preload and
 * the WebSocket client so the two transports cannot drift apart. Platform-free, and free of runtime
 * dependencies so the sandboxed preload bundle stays small.
 */
import type { CurvatureApi, ExportFormat, MenuCommand, TrainerState } from './contract';
import type { ExperimentEvent } from '../train/events';
import type { Experiment } from '../schema/experiment';
import type { LayerSpec } from '../model/spec';

/** Request/response methods (everything but the transport tag and the subscriptions). */
export type ApiMethod = Exclude<keyof CurvatureApi, 'transport' | 'onEvent' | 'onTrainerState' | 'onMenuCommand' | 'uploadBlob'>;
export type MethodResult<M extends ApiMethod> = Awaited<ReturnType<CurvatureApi[M]>>;

/** What the host pushes to every connected renderer. */
export type PushMessage =
  | { channel: 'experiment-event'; event: ExperimentEvent }
  | { channel: 'trainer-state'; state: TrainerState }
  | { channel: 'menu-command'; command: MenuCommand };

/** The reply envelope both transports use, so errors arrive with the host's message unchanged. */
export type ApiReply = { ok: true; result: unknown } | { ok: false; error: string };

/** The two primitives a transport must provide; `createApiClient` builds the typed API on top. */
export interface ApiTransport {
  readonly kind: CurvatureApi['transport'];
  invoke(method: ApiMethod, payload: Record<string, unknown>): Promise<unknown>;
  /** Subscribe to host pushes; returns an unsubscribe function. */
  subscribe(listener: (message: PushMessage) => void): () => void;
}

export function createApiClient(transport: ApiTransport): CurvatureApi {
  const call = <M extends ApiMethod>(method: M, payload: Record<string, unknown> = {}) =>
    transport.invoke(method, payload) as Promise<MethodResult<M>>;
  return {
    transport: transport.kind,
    getEngineReport: () => call('getEngineReport'),
    getTrainerState: () => call('getTrainerState'),
    chooseDataset: () => call('chooseDataset'),
    uploadFile: (name: string, base64: string) => call('uploadFile', { name, base64 }),
    uploadFileSet: (files: { name: string; base64: string }[]) => call('uploadFileSet', { files }),
    previewDataset: (file: string) => call('previewDataset', { file }),
    chooseModel: () => call('chooseModel'),
    importModel: (file: string, layers?: LayerSpec[], companions?: string[]) =>
      call('importModel', { file, ...(layers !== undefined && { layers }), ...(companions?.length && { companions }) }),
    checkData: (file, data) => call('checkData', file === undefined ? { data } : { file, data }),
    listExamples: () => call('listExamples'),
    openExample: (name: string) => call('openExample', { name }),
    openExperiment: () => call('openExperiment'),
    saveExperiment: (experiment: Experiment, saveAs = false) => call('saveExperiment', { experiment, saveAs }),
    saveResultFile: (name: string, base64: string) => call('saveResultFile', { name, base64 }),
    startExperiment: (experiment: Experiment, dataFile?: string, modelFile?: string) =>
      call('startExperiment', { experiment, ...(dataFile !== undefined && { dataFile }), ...(modelFile !== undefined && { modelFile }) }),
    stopRun: (experimentId: string, runId: string) => call('stopRun', { experimentId, runId }),
    stopAll: (experimentId: string) => call('stopAll', { experimentId }),
    computeSpectrum: (experimentId: string, runId: string, k = 5) => call('computeSpectrum', { experimentId, runId, k }),
    exportRun: (experimentId: string, runId: string, formats: ExportFormat[], overwrite = false) =>
      call('exportRun', { experimentId, runId, formats, overwrite }),
    onEvent: (listener) =>
      transport.subscribe((m) => {
        if (m.channel === 'experiment-event') listener(m.event);
      }),
    onTrainerState: (listener) =>
      transport.subscribe((m) => {
        if (m.channel === 'trainer-state') listener(m.state);
      }),
    onMenuCommand: (listener) =>
      transport.subscribe((m) => {
        if (m.channel === 'menu-command') listener(m.command);
      }),
  };
}

/**
 * JSON cannot carry NaN/±Infinity, which losses legitimately reach. The WebSocket transport encodes
 * them as {"$num": "NaN"} and restores them on the other side.
 */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v,
  );
}

export function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const n = (v as { $num?: unknown }).$num;
      if (typeof n === 'string' && Object.keys(v).length === 1) return Number(n);
    }
    return v;
  });
}
