/** The three models of issue 9, with synthetic data from a fixed seed (shared by the bench suites). */
import type { DenseStack } from '../app/engine/engine';
import { seededRandom } from '../app/util/random';
import { denseStack } from '../support/denseReference';

export interface BenchModel {
  name: string;
  stack: DenseStack;
  rows: number;
  x: Float32Array;
  y: Float32Array;
  theta: Float64Array;
  /** Widths (input, hidden…, output), for the PyTorch script. */
  widths: number[];
}

function model(name: string, widths: number[], rows: number, seed: number): BenchModel {
  const hidden = widths.slice(1, -1).map((units) => ({ units, activation: 'tanh' as const }));
  const classes = widths[widths.length - 1];
  const stack = denseStack(widths[0], [...hidden, { units: classes, activation: 'softmax' }], 'softmax-crossentropy');
  const rand = seededRandom(seed);
  const x = Float32Array.from({ length: rows * widths[0] }, () => rand() * 2 - 1);
  const y = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < widths[0]; k++) s += x[r * widths[0] + k] * ((k % 7) + 1);
    y[r * classes + (Math.floor(Math.abs(s) * 3) % classes)] = 1;
  }
  // Glorot-uniform-like start, biases 0.
  const theta = new Float64Array(stack.parameterCount);
  for (const l of stack.layers) {
    const limit = Math.sqrt(6 / (l.fanIn + l.units));
    for (let k = 0; k < l.fanIn * l.units; k++) theta[l.kernelOffset + k] = (rand() * 2 - 1) * limit;
  }
  return { name, stack, rows, x, y, theta, widths };
}

export function benchModels(): BenchModel[] {
  return [
    model('64-64-10 (1437 rows)', [64, 64, 10], 1437, 1),
    model('10-64-64-10 (1500 rows)', [10, 64, 64, 10], 1500, 2),
    model('784-256-256-10 (10 000 rows)', [784, 256, 256, 10], 10_000, 3),
  ];
}

/** Floating-point operations of one forward+backward (matmuls only: forward, ∂W, and ∂h below layer 1). */
export function flopsPerEvaluation(stack: DenseStack, rows: number): number {
  let f = 0;
  stack.layers.forEach((l, i) => {
    const mm = 2 * rows * l.fanIn * l.units;
    f += mm * (i === 0 ? 2 : 3);
  });
  return f;
}
