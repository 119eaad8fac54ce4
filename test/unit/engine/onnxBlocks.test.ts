/**
 * Row-block evaluation in the onnxruntime program: the blocks' host-side sums agree with one
 * whole-batch run (float64 to 1e-12, float32 to its rounding) for value+gradient, predictions,
 * minibatch rows, dropout and the Hv/Gv products, with and without sample weights, on row counts
 * that are not a multiple of the block; and batches up to the threshold still run whole, bit for bit.
 */
import { describe, expect, it } from 'vitest';
import type { DenseStack, Loss, Precision } from '../../../app/engine/engine';
import { onnxUnavailableReason } from '../../../app/engine/onnx';
import { OnnxStackProgram } from '../../../app/engine/onnx/program';
import { BLOCK_THRESHOLD_ROWS, defaultRowBlocking, rowBlocks, UNBLOCKED, type RowBlocking } from '../../../app/engine/onnx/rowBlocks';
import { lcg, makeStack, randomProblem, relativeError } from '../../../support/denseReference';

const unavailable = onnxUnavailableReason();

/** Norm-relative agreement: float64 sums differ in their last bits, float32 in float32 rounding. */
const TOLERANCE: Record<Precision, number> = { float64: 1e-12, float32: 2e-6 };

function weightsFor(rows: number, seed: number, zeroRun?: [number, number]): Float64Array {
  const rand = lcg(seed);
  const w = new Float64Array(rows).map(() => 0.1 + 2 * rand());
  if (zeroRun) w.fill(0, zeroRun[0], zeroRun[1]);
  return w;
}

function programs(stack: DenseStack, precision: Precision, blocking: RowBlocking): { whole: OnnxStackProgram; blocked: OnnxStackProgram } {
  return { whole: new OnnxStackProgram(stack, { threads: 1 }, precision, UNBLOCKED), blocked: new OnnxStackProgram(stack, { threads: 1 }, precision, blocking) };
}

describe('rowBlocks', () => {
  it('runs batches up to the threshold whole and splits larger ones, the last block taking the rest', () => {
    const b: RowBlocking = { thresholdRows: 10, blockRows: 4 };
    expect(rowBlocks(10, b)).toEqual([[0, 10]]);
    expect(rowBlocks(11, b)).toEqual([[0, 4], [4, 4], [8, 3]]);
    expect(rowBlocks(12, { thresholdRows: 0, blockRows: 12 })).toEqual([[0, 12]]);
    expect(rowBlocks(5, UNBLOCKED)).toEqual([[0, 5]]);
  });

  it('sizes blocks to the memory budget, wider models and float64 getting fewer rows', () => {
    const narrow = makeStack(10, [16, 1], ['tanh', 'linear'], 'mse', true);
    const wide = makeStack(10, [256, 256, 1], ['tanh', 'tanh', 'linear'], 'mse', true);
    const f32 = defaultRowBlocking(narrow, 'float32');
    expect(f32.thresholdRows).toBe(BLOCK_THRESHOLD_ROWS);
    expect(defaultRowBlocking(narrow, 'float64').blockRows).toBe(Math.floor(f32.blockRows / 2));
    expect(defaultRowBlocking(wide, 'float32').blockRows).toBeLessThan(f32.blockRows);
    expect(defaultRowBlocking(narrow, 'float32', 'cuda').blockRows).toBeGreaterThan(f32.blockRows);
    expect(defaultRowBlocking(makeStack(10, [1e6, 1], ['tanh', 'linear'], 'mse', true), 'float32').blockRows).toBeGreaterThanOrEqual(1024);
  });

  it.skipIf(unavailable !== null)('refuses a block of no rows', () => {
    const stack = makeStack(2, [1], ['linear'], 'mse', true);
    expect(() => new OnnxStackProgram(stack, { threads: 1 }, 'float32', { thresholdRows: 0, blockRows: 0 })).toThrow(/row blocks/);
  });
});

describe.skipIf(unavailable !== null)('onnxruntime row blocks agree with one run', () => {
  const rows = 53; // not a multiple of the block
  const blocking: RowBlocking = { thresholdRows: 0, blockRows: 8 };
  const cases: Array<{ loss: Loss; out: 'linear' | 'sigmoid' | 'softmax'; units: number }> = [
    { loss: 'mse', out: 'linear', units: 2 },
    { loss: 'binary-crossentropy', out: 'sigmoid', units: 1 },
    { loss: 'softmax-crossentropy', out: 'softmax', units: 3 },
  ];
  for (const precision of ['float64', 'float32'] as const) {
    for (const c of cases) {
      for (const weighted of [false, true]) {
        it(`${precision} ${c.loss}${weighted ? ', sample weights' : ''}: value, gradient, predictions, minibatch`, () => {
          const stack = makeStack(3, [5, c.units], ['tanh', c.out], c.loss, true);
          const { x, y, theta } = randomProblem(stack, rows, 7);
          const w = weighted ? weightsFor(rows, 3, [16, 24]) : undefined; // one block all zero
          const { whole, blocked } = programs(stack, precision, blocking);
          const dw = whole.upload(x, y, rows, w);
          const db = blocked.upload(x, y, rows, w);
          const gw = new Float64Array(stack.parameterCount);
          const gb = new Float64Array(stack.parameterCount).fill(99);
          const lw = whole.valueAndGradient(theta, dw, gw);
          const lb = blocked.valueAndGradient(theta, db, gb);
          expect(Math.abs(lb - lw) / Math.abs(lw)).toBeLessThan(TOLERANCE[precision]);
          expect(relativeError(gb, gw)).toBeLessThan(TOLERANCE[precision]);

          const pw = whole.predict(theta, dw);
          const pb = blocked.predict(theta, db);
          expect(pb.outputs.length).toBe(rows * c.units);
          expect(Math.abs(pb.loss - pw.loss) / Math.abs(pw.loss)).toBeLessThan(TOLERANCE[precision]);
          expect(relativeError(pb.outputs, pw.outputs)).toBeLessThan(TOLERANCE[precision]);

          const pick = Int32Array.from({ length: 29 }, (_, k) => (k * 11) % rows);
          const mw = whole.valueAndGradient(theta, dw, gw, { rows: pick });
          const mb = blocked.valueAndGradient(theta, db, gb, { rows: pick });
          expect(Math.abs(mb - mw) / Math.abs(mw)).toBeLessThan(TOLERANCE[precision]);
          expect(relativeError(gb, gw)).toBeLessThan(TOLERANCE[precision]);
          whole.dispose();
          blocked.dispose();
        });
      }
    }

    for (const weighted of [false, true]) {
      it(`${precision} Hv and Gv products${weighted ? ', sample weights' : ''}`, () => {
        const stack = makeStack(3, [5, 2], ['tanh', 'linear'], 'mse', true);
        const { x, y, theta } = randomProblem(stack, rows, 9);
        const w = weighted ? weightsFor(rows, 5, [40, 48]) : undefined;
        const { whole, blocked } = programs(stack, precision, blocking);
        const dw = whole.upload(x, y, rows, w);
        const db = blocked.upload(x, y, rows, w);
        const rand = lcg(4);
        const v = new Float64Array(stack.parameterCount).map(() => rand() - 0.5);
        for (const product of ['hessianVectorProduct', 'gaussNewtonVectorProduct'] as const) {
          const hw = new Float64Array(stack.parameterCount);
          const hb = new Float64Array(stack.parameterCount).fill(99);
          const fw = whole[product](theta, dw, v, hw);
          const fb = blocked[product](theta, db, v, hb);
          expect(Math.abs(fb - fw) / Math.abs(fw)).toBeLessThan(TOLERANCE[precision]);
          expect(relativeError(hb, hw)).toBeLessThan(TOLERANCE[precision]);
        }
        whole.dispose();
        blocked.dispose();
      });
    }
  }

  it('dropout: a block drops the units the whole batch would', () => {
    const stack = makeStack(3, [6, 1], ['relu', 'linear'], 'mse', true, [0.3]);
    const { x, y, theta } = randomProblem(stack, rows, 13);
    const { whole, blocked } = programs(stack, 'float64', blocking);
    const gw = new Float64Array(stack.parameterCount);
    const gb = new Float64Array(stack.parameterCount);
    const lw = whole.valueAndGradient(theta, whole.upload(x, y, rows), gw, { dropoutSeed: 17 });
    const lb = blocked.valueAndGradient(theta, blocked.upload(x, y, rows), gb, { dropoutSeed: 17 });
    expect(Math.abs(lb - lw) / lw).toBeLessThan(1e-12);
    expect(relativeError(gb, gw)).toBeLessThan(1e-12);
    whole.dispose();
    blocked.dispose();
  });

  it(`by default, ${BLOCK_THRESHOLD_ROWS} rows run whole (bit for bit) and more run in blocks that agree`, () => {
    const stack = makeStack(2, [3, 1], ['tanh', 'linear'], 'mse', true);
    const big = BLOCK_THRESHOLD_ROWS + 1001;
    const { x, y, theta } = randomProblem(stack, big, 21);
    const w = weightsFor(big, 8);
    for (const precision of ['float32', 'float64'] as const) {
      const byDefault = new OnnxStackProgram(stack, { threads: 1 }, precision);
      const whole = new OnnxStackProgram(stack, { threads: 1 }, precision, UNBLOCKED);
      for (const [n, weights] of [[BLOCK_THRESHOLD_ROWS, undefined], [BLOCK_THRESHOLD_ROWS, w.subarray(0, BLOCK_THRESHOLD_ROWS)], [big, undefined], [big, w]] as const) {
        const gd = new Float64Array(stack.parameterCount);
        const gw = new Float64Array(stack.parameterCount);
        const xs = x.subarray(0, n * 2);
        const ys = y.subarray(0, n);
        const ld = byDefault.valueAndGradient(theta, byDefault.upload(xs, ys, n, weights), gd);
        const lw = whole.valueAndGradient(theta, whole.upload(xs, ys, n, weights), gw);
        if (n === BLOCK_THRESHOLD_ROWS) {
          expect(ld).toBe(lw);
          expect(gd).toEqual(gw);
        } else {
          // float32: the whole batch's own float32 sums over 10⁵ rows carry the larger error.
          const tol = precision === 'float64' ? 1e-12 : 1e-4;
          expect(Math.abs(ld - lw) / lw).toBeLessThan(tol);
          expect(relativeError(gd, gw)).toBeLessThan(tol);
        }
      }
      byDefault.dispose();
      whole.dispose();
    }
  });
});
