/**
 * Host side of the wire: the zod schema of every API method's payload. The client half (no zod at
 * runtime, so the sandboxed preload stays small) is in ./client and re-exported here.
 */
import { z } from 'zod';
import { requestSchemas } from './contract';
import type { ApiMethod } from './client';

const empty = z.object({}).strict();

/** Payload schema per API method (methods without arguments take `{}`). */
export const methodSchemas = {
  getEngineReport: empty,
  getTrainerState: empty,
  chooseDataset: empty,
  uploadFile: requestSchemas.uploadFile.strict(),
  uploadFileSet: requestSchemas.uploadFileSet.strict(),
  previewDataset: requestSchemas.previewDataset.strict(),
  chooseModel: empty,
  importModel: requestSchemas.importModel.strict(),
  checkData: requestSchemas.checkData.strict(),
  listExamples: empty,
  openExample: requestSchemas.openExample.strict(),
  openExperiment: empty,
  saveExperiment: requestSchemas.saveExperiment.strict(),
  saveResultFile: requestSchemas.saveResultFile.strict(),
  startExperiment: requestSchemas.startExperiment.strict(),
  stopRun: requestSchemas.stopRun.strict(),
  stopAll: requestSchemas.stopAll.strict(),
  computeSpectrum: requestSchemas.computeSpectrum.strict(),
  exportRun: requestSchemas.exportRun.strict(),
} as const satisfies Record<ApiMethod, z.ZodType>;

export const API_METHODS = Object.keys(methodSchemas) as ApiMethod[];
export type MethodPayload<M extends ApiMethod> = z.infer<(typeof methodSchemas)[M]>;

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methodSchemas, name);
}

export * from './client';
