/** Shared by the integration tests: the seed experiment, small waiting helpers and the CLI in a child process. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseExperiment, type Experiment, type ExperimentInput } from '../../app/schema/experiment';
import type { ExperimentEvent } from '../../app/train/events';

export const REPO = path.resolve(import.meta.dirname, '../..');
const SEED_FILE = path.join(REPO, 'app/examples/seed.json');

/** Dense(1, sigmoid) on two inline rows; the same as app/examples/seed.json. */
const SEED_FALLBACK: ExperimentInput = {
  name: 'Seed',
  data: {
    source: { kind: 'inline', columns: ['x', 'y'], rows: [[0, 0], [1, 1]] },
    target: 'y',
    task: 'binary',
    split: { validation: 0 },
  },
  model: { layers: [{ units: 1, activation: 'sigmoid' }] },
  runs: [{ optimizer: { kind: 'lbfgs' } }, { optimizer: { kind: 'adam', learningRate: 0.1 } }],
};

export function seedExperiment(): Experiment {
  const raw: unknown = fs.existsSync(SEED_FILE) ? JSON.parse(fs.readFileSync(SEED_FILE, 'utf8')) : SEED_FALLBACK;
  return parseExperiment(raw, SEED_FILE);
}

/** The seed with one run that would take very long unless stopped. */
export function longExperiment(iterations = 1_000_000): Experiment {
  const seed = seedExperiment();
  return parseExperiment({
    ...seed,
    runs: [
      {
        id: 'long',
        optimizer: { kind: 'adam', learningRate: 1e-6 },
        stopping: { gradientTolerance: 0, functionTolerance: 0, maxIterations: iterations, maxEvaluations: 10 * iterations },
      },
    ],
  });
}

export function waitFor<T>(
  events: ExperimentEvent[],
  predicate: (e: ExperimentEvent) => e is ExperimentEvent & T,
  timeoutMs: number,
): Promise<ExperimentEvent & T>;
export function waitFor(events: ExperimentEvent[], predicate: (e: ExperimentEvent) => boolean, timeoutMs: number): Promise<ExperimentEvent>;
export function waitFor(events: ExperimentEvent[], predicate: (e: ExperimentEvent) => boolean, timeoutMs: number): Promise<ExperimentEvent> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = events.find(predicate);
      if (hit) return resolve(hit);
      if (Date.now() - started > timeoutMs) {
        return reject(new Error(`timed out after ${timeoutMs} ms; got ${events.map((e) => e.type).slice(-10).join(', ')}`));
      }
      setTimeout(check, 5);
    };
    check();
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `bin/curvature.mjs` with these arguments in a child process, without colours, as a user's shell runs it. */
export function runCli(args: string[], options: { cwd: string; timeoutMs?: number }): CliResult {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/curvature.mjs'), ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: options.timeoutMs ?? 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
