/**
 * Starts a trainer as a plain Node child process (browser mode, tests, and the CLI-less dev loop):
 * `node --import tsx main/trainer/entry.ts` with an IPC channel using structured clone, so NaN and
 * Infinity in iteration points arrive intact.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { trainerExecArgv, type TrainerLauncher } from './trainer-process';
import type { TrainerMessage } from '../trainer/protocol';

export const TRAINER_ENTRY = fileURLToPath(new URL('../trainer/entry.ts', import.meta.url));

export function nodeTrainerLauncher(options: { entry?: string; env?: NodeJS.ProcessEnv } = {}): TrainerLauncher {
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return (role) => {
    const child = fork(options.entry ?? TRAINER_ENTRY, [], {
      execArgv: [...trainerExecArgv(role), '--import', tsxLoader],
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
