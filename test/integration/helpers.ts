/** Shared by the shell's integration tests: the seed experiment and small waiting helpers. */
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
