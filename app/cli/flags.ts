/** The flags the CLI's commands share, typed once for the declarations (main.ts) and the actions. */
import type { EngineName, OnnxDevice } from '../engine/engine';

export interface EngineFlags {
  backend?: EngineName | 'auto';
  threads?: number;
  device?: OnnxDevice | 'auto';
  /** --spectrum K: eigenvalues at start, switches and end of every run (0: off). */
  spectrum?: number;
}

export interface OutputFlags extends EngineFlags {
  out?: string;
  allowOutsidePaths?: boolean;
  format: string;
  force?: boolean;
  json?: boolean;
  progress: boolean;
}
