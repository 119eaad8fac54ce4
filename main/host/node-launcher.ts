/**
 * Starts a trainer as a plain Node child process (browser mode, tests, and the CLI-less dev loop):
 * the compiled trainer (compiled/trainer.mjs) when it matches the sources, else
 * `node --import tsx main/trainer/entry.ts`; with an IPC channel using structured clone, so NaN and
 * Infinity in iteration points arrive intact.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trainerExecArgv, type TrainerLauncher } from './trainer-process';
import type { TrainerMessage } from '../trainer/protocol';
import { compiledEntry } from '../../bin/compiled.mjs';

export const TRAINER_ENTRY = fileURLToPath(new URL('../trainer/entry.ts', import.meta.url));

/** What to fork: the compiled trainer without loaders, or a TypeScript entry through tsx. */
export function trainerCommand(entry?: string, env: NodeJS.ProcessEnv = process.env): { file: string; execArgv: string[] } {
  const compiled = entry === undefined ? compiledEntry('trainer', env) : { file: null };
  if (compiled.file) return { file: compiled.file, execArgv: [] };
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { file: entry ?? TRAINER_ENTRY, execArgv: ['--import', tsxLoader] };
}

export function nodeTrainerLauncher(options: { entry?: string; env?: NodeJS.ProcessEnv } = {}): TrainerLauncher {
  const { file, execArgv } = trainerCommand(options.entry, options.env);
  return (role) => {
    const child = fork(file, [], {
      execArgv: [...trainerExecArgv(role), ...execArgv],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: options.env ?? process.env,
    });
    child.stderr?.setEncoding('utf8');
    return {
      get pid() {
        return child.pid;
      },
      send: (command) => {
        if (child.connected) child.send(command);
      },
      onMessage: (l) => child.on('message', (m) => l(m as TrainerMessage)),
      onStderr: (l) => child.stderr?.on('data', (chunk: string) => l(chunk)),
      onExit: (l) => child.once('exit', (code, signal) => l({ code, signal })),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  };
}
