/**
 * Shared helpers for the model-import tests: deterministic inline datasets of a given width and the
 * reference forward pass in float64 loops straight from raw arrays (not through any Curvature code).
 */
import { fileURLToPath } from 'node:url';
import type { Activation, Loss } from '../../../app/model/spec';
import { parseExperiment, type Experiment } from '../../../app/schema/experiment';
import { seededRandom } from '../../../app/util/random';
import { startExperiment, type ExperimentOutcome } from '../../../app/train/runner';
import { prepareData } from '../../../app/data/prepare';

export const KERAS = fileURLToPath(new URL('../../fixtures/keras', import.meta.url));

export interface RawLayer {
  kernel: ArrayLike<number>; // [fanIn][units] row-major
  shape: [number, number];
  bias: ArrayLike<number> | null;
  activation: Activation;
}

/** Rows of `width` features x0… and a target y: integer classes 0…K-1 (K = classes) or a real value. */
export function inlineData(width: number, rows: number, classes: number | 'regression', seed = 3) {
  const r = seededRandom(seed);
  const columns = [...Array.from({ length: width }, (_, i) => `x${i}`), 'y'];
  const data = Array.from({ length: rows }, (_, i) => {
    const row: number[] = Array.from({ length: width }, () => Math.round((2 * r() - 1) * 1000) / 500);
    row.push(classes === 'regression' ? Math.round(r() * 1000) / 1000 : i % classes);
    return row;
  });
  return { columns, rows: data };
}

export function experimentOn(
  data: ReturnType<typeof inlineData>,
  model: { layers: Experiment['model']['layers']; from: string; loss: Loss },
  task: 'regression' | 'multiclass' | 'binary',
  runs: Experiment['runs'] | unknown[] = [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 1 } }],
): Experiment {
  return parseExperiment({
    name: 'import test',
    data: {
      source: { kind: 'inline', columns: data.columns, rows: data.rows },
      target: 'y',
      task,
      preprocessing: { standardize: false },
      split: { validation: 0, test: 0 },
    },
    model: { ...model, output: 'last' },
    runs,
  });
}

export function runQuietly(e: Experiment, baseDir = process.cwd()): Promise<ExperimentOutcome> {
  return startExperiment(e, { baseDir, onEvent: () => {} }).done;
}

function act(a: Activation, z: number[]): number[] {
  switch (a) {
    case 'linear':
      return z;
    case 'relu':
      return z.map((v) => Math.max(0, v));
    case 'sigmoid':
      return z.map((v) => 1 / (1 + Math.exp(-v)));
    case 'softmax': {
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    }
    default:
      throw new Error(`reference pass lacks ${a}`);
  }
}

/** Mean loss of the raw layers on the experiment's prepared training rows, in float64 loops. */
export async function referenceLoss(e: Experiment, layers: RawLayer[], loss: Loss): Promise<number> {
  const data = await prepareData(e.data, { baseDir: process.cwd() });
  const { x, y, rows } = data.train;
  const inDim = data.inputDim;
  const outDim = data.outputDim;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let h = Array.from(x.subarray(r * inDim, (r + 1) * inDim), Number);
    let z: number[] = [];
    for (const l of layers) {
      const [fanIn, units] = l.shape;
      z = Array.from({ length: units }, (_, j) => {
        let s = l.bias ? Number(l.bias[j]) : 0;
        for (let i = 0; i < fanIn; i++) s += h[i] * Number(l.kernel[i * units + j]);
        return s;
      });
      h = act(l.activation, z);
    }
    const t = Array.from(y.subarray(r * outDim, (r + 1) * outDim), Number);
    if (loss === 'mse') total += h.reduce((s, v, j) => s + (v - t[j]) ** 2, 0) / outDim;
    else if (loss === 'softmax-crossentropy') {
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      total += -t.reduce((s, tj, j) => s + tj * (z[j] - lse), 0);
    } else throw new Error('reference pass lacks ' + loss);
  }
  return total / rows;
}
