/** Starts a trainer as an Electron utilityProcess (a Node child that Electron manages). */
import { utilityProcess } from 'electron';
import type { TrainerMessage } from './trainer/protocol';
import { trainerExecArgv, type TrainerLauncher } from './host/trainer-process';

export function utilityTrainerLauncher(entry: string): TrainerLauncher {
  return (role) => {
    const child = utilityProcess.fork(entry, [], {
      stdio: ['ignore', 'inherit', 'pipe'],
      serviceName: role === 'helper' ? 'Curvature file helper' : 'Curvature trainer',
      execArgv: trainerExecArgv(role),
    });
    child.stderr?.setEncoding('utf8');
    return {
      get pid() {
        return child.pid;
      },
      send: (command) => child.postMessage(command),
      onMessage: (l) => child.on('message', (m: unknown) => l(m as TrainerMessage)),
      onStderr: (l) => child.stderr?.on('data', (chunk: string) => l(chunk)),
      // A utility process reports only an exit code; a crash shows as a non-zero one.
      onExit: (l) => child.once('exit', (code: number) => l({ code, signal: null })),
      kill: () => {
        child.kill();
      },
    };
  };
}
