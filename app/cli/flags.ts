/** The flags the CLI's commands share, typed once for the declarations (main.ts) and the actions. */
import type { EngineName } from '../engine/engine';

export interface EngineFlags {
  backend?: EngineName | 'auto';
  threads?: number;
}

export interface OutputFlags extends EngineFlags {
  out?: string;
  allowOutsidePaths?: boolean;
  format: string;
  force?: boolean;
  json?: boolean;
  progress: boolean;
}
