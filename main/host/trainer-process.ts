/** The host's view of one trainer process, whatever started it (utilityProcess or Node fork). */
import type { TrainerCommand, TrainerMessage } from '../trainer/protocol';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface TrainerProcess {
  readonly pid: number | undefined;
  send(command: TrainerCommand): void;
  onMessage(listener: (message: TrainerMessage) => void): void;
  onStderr(listener: (chunk: string) => void): void;
  onExit(listener: (info: ExitInfo) => void): void;
  kill(): void;
}

/**
 * `helper`: the process that opens files for the host (previews, data checks, model imports). It
 * runs under a V8 heap limit (HELPER_HEAP_MB) so that a hostile file ends it, never the host; the
 * next request starts a fresh one. Experiment trainers keep Node's default limit.
 */
export type TrainerRole = 'experiment' | 'helper';
export type TrainerLauncher = (role?: TrainerRole) => TrainerProcess;

/** The helper's V8 heap limit (--max-old-space-size), in MiB. */
export const HELPER_HEAP_MB = 1024;

/** Node flags for a process of `role`. */
export function trainerExecArgv(role: TrainerRole | undefined): string[] {
  return role === 'helper' ? [`--max-old-space-size=${HELPER_HEAP_MB}`] : [];
}
