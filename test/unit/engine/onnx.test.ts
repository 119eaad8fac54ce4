/**
 * The onnxruntime engine against a float64 reference written with plain loops: loss and gradient for
 * every activation × loss × bias, predictions, minibatch rows, dropout masks, leaks and bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, LOSSES, type Activation, type ComputeEngine, type DenseStack, type Loss } from '../../../app/engine/engine';
import { createOnnxEngine, onnxUnavailableReason } from '../../../app/engine/onnx';
import { dropoutMask } from '../../../app/engine/onnx/program';
import { coresFromCpuinfo } from '../../../app/engine/onnx/threads';
import { missingBuildReason } from '../../../app/engine/onnx/runtime';
import { createRequire } from 'node:module';
import path from 'node:path';
import { makeStack, randomProblem, reference, relativeError } from '../../../support/denseReference';

const unavailable = onnxUnavailableReason();

/**
 * A loss on probabilities divides by p (and 1 − p). When an unbounded output activation (linear,
 * relu, tanh…) puts p near 0 or 1, p comes out of a float32 sum with cancellation, its rounding
 * error is ~1e-7 absolute, and 1/p amplifies it past 1e-6 relative — in every float32 engine, not
 * just this one; near a clip bound rounding also decides whether the clip passes the gradient. So
 * for those combinations keep the rows whose outputs sit ≥ 0.2 away from 0 and 1 (or are exactly
 * 0, as relu gives): the engine's arithmetic is still checked on every op, without the ill-posed
 * points. Logit losses and sigmoid/softmax outputs keep every row.
 */
function probabilityLossOnUnbounded(act: Activation, loss: Loss): boolean {
  return loss !== 'mse' && act !== 'sigmoid' && act !== 'softmax';
}

function wellConditioned(
  stack: DenseStack,
  p: { x: Float32Array; y: Float32Array; theta: Float64Array },
  rows: number,
): { x: Float32Array; y: Float32Array; theta: Float64Array; rows: number } {
  const out = stack.layers[stack.layers.length - 1];
  if (!probabilityLossOnUnbounded(out.activation, stack.loss)) return { ...p, rows };
  const K = out.units;
  const n = stack.inputDim;
  const { outputs } = reference(stack, p.theta, p.x, p.y, rows);
  const keep: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = outputs.subarray(r * K, (r + 1) * K);
    if (row.every((v) => v === 0 || Math.min(Math.abs(v), Math.abs(v - 1)) >= 0.2)) keep.push(r);
  }
  const x = new Float32Array(keep.length * n);
  const y = new Float32Array(keep.length * K);
  keep.forEach((r, k) => {
    x.set(p.x.subarray(r * n, (r + 1) * n), k * n);
    y.set(p.y.subarray(r * K, (r + 1) * K), k * K);
  });
  return { x, y, theta: p.theta, rows: keep.length };
}

describe('float64 reference (checked against central differences)', () => {
  // If the reference's backward were wrong the engine tests would prove nothing: check it first.
  for (const act of ACTIVATIONS) {
    for (const loss of LOSSES) {
      it(`${act} / ${loss}`, () => {
        const stack = makeStack(3, [4, 3], [act, act], loss, true);
        const { x, y, theta } = randomProblem(stack, 5, 11);
        const ref = reference(stack, theta, x, y, 5, [], false);
        const h = 1e-6;
        const fd = new Float64Array(theta.length);
        for (let k = 0; k < theta.length; k++) {
          const tp = Float64Array.from(theta);
          const tm = Float64Array.from(theta);
          tp[k] += h;
          tm[k] -= h;
          fd[k] = (reference(stack, tp, x, y, 5, [], false).loss - reference(stack, tm, x, y, 5, [], false).loss) / (2 * h);
        }
        expect(relativeError(ref.grad, fd)).toBeLessThan(1e-7);
      });
    }
  }
});

describe.skipIf(unavailable !== null)('onnxruntime engine', () => {
  let engine: ComputeEngine;
  beforeAll(() => {
    engine = createOnnxEngine({ threads: 1 });
  });

  it('names itself with its version and thread count', () => {
    expect(engine.name).toBe('onnxruntime');
    expect(engine.label).toMatch(/^onnxruntime \d+\.\d+\.\d+ \(CPU, 1 thread\)$/);
    expect(createOnnxEngine({ threads: 2 }).label).toContain('2 threads');
    expect(() => createOnnxEngine({ threads: 0 })).toThrow(/threads must be a whole number/);
  });

  describe('loss, gradient and predictions match float64 for every activation × loss × bias', () => {
    for (const act of ACTIVATIONS) {
      for (const loss of LOSSES) {
        for (const bias of [true, false]) {
          it(`${act} / ${loss} / ${bias ? 'bias' : 'no bias'}`, () => {
            // Two outputs where rows are filtered (below), so enough rows qualify.
            const outputs = probabilityLossOnUnbounded(act, loss) ? 2 : 4;
            const stack = makeStack(6, [9, outputs], [act, act], loss, bias);
            const drawn = probabilityLossOnUnbounded(act, loss) ? 400 : 40;
            const { x, y, theta, rows } = wellConditioned(stack, randomProblem(stack, drawn, 7), drawn);
            expect(rows).toBeGreaterThanOrEqual(8);
            const ref = reference(stack, theta, x, y, rows);
            const program = engine.compile(stack);
            try {
              const data = program.upload(x, y, rows);
              const grad = new Float64Array(stack.parameterCount);
              const f = program.valueAndGradient(theta, data, grad);
              expect(Math.abs(f - ref.loss) / Math.abs(ref.loss)).toBeLessThanOrEqual(1e-6);
              expect(relativeError(grad, ref.grad)).toBeLessThanOrEqual(1e-6);
              const p = program.predict(theta, data);
              expect(Math.abs(p.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThanOrEqual(1e-6);
              expect(p.outputs.length).toBe(rows * outputs);
              expect(relativeError(p.outputs, ref.outputs)).toBeLessThanOrEqual(1e-6);
            } finally {
              program.dispose();
            }
          });
        }
      }
    }
  });

  it('matches float64 within 2e-6 at 10 000 rows (64-64-10 tanh/softmax)', () => {
    const stack = makeStack(64, [64, 10], ['tanh', 'softmax'], 'softmax-crossentropy', true);
    const rows = 10_000;
    const { x, y, theta } = randomProblem(stack, rows, 3);
    const ref = reference(stack, theta, x, y, rows);
    const program = engine.compile(stack);
    const grad = new Float64Array(stack.parameterCount);
    const f = program.valueAndGradient(theta, program.upload(x, y, rows), grad);
    program.dispose();
    expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThanOrEqual(2e-6);
    expect(relativeError(grad, ref.grad)).toBeLessThanOrEqual(2e-6);
  });

  it('releaseMemory closes the sessions and keeps the dataset; the next passes rebuild them with the same results', () => {
    const stack = makeStack(4, [6, 2], ['tanh', 'linear'], 'mse', true);
    const { x, y, theta } = randomProblem(stack, 40, 9);
    const program = engine.compile(stack);
    const data = program.upload(x, y, 40);
    const before = new Float64Array(stack.parameterCount);
    const f = program.valueAndGradient(theta, data, before);
    const outputs = program.predict(theta, data).outputs.slice();
    expect(program.liveResources()).toBeGreaterThan(1);
    program.releaseMemory?.();
    expect(program.liveResources()).toBe(1);
    const after = new Float64Array(stack.parameterCount);
    expect(program.valueAndGradient(theta, data, after)).toBe(f);
    expect(after).toEqual(before);
    expect(program.predict(theta, data).outputs).toEqual(outputs);
    program.dispose();
    expect(program.liveResources()).toBe(0);
  });

  it('evaluates a subset of rows (minibatches) in the order given', () => {
    const stack = makeStack(5, [8, 8, 3], ['relu', 'gelu', 'softmax'], 'softmax-crossentropy', true);
    const { x, y, theta } = randomProblem(stack, 30, 5);
    const program = engine.compile(stack);
    const data = program.upload(x, y, 30);
    for (const rows of [Int32Array.of(3, 17, 3, 29, 0), Int32Array.of(12)]) {
      const bx = new Float32Array(rows.length * 5);
      const by = new Float32Array(rows.length * 3);
      rows.forEach((r, k) => {
        bx.set(x.subarray(r * 5, r * 5 + 5), k * 5);
        by.set(y.subarray(r * 3, r * 3 + 3), k * 3);
      });
      const ref = reference(stack, theta, bx, by, rows.length);
      const grad = new Float64Array(stack.parameterCount);
      const f = program.valueAndGradient(theta, data, grad, { rows });
      expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThanOrEqual(1e-6);
      expect(relativeError(grad, ref.grad)).toBeLessThanOrEqual(1e-6);
    }
    program.dispose();
  });

  describe('dropout', () => {
    const stack = makeStack(6, [12, 10, 3], ['relu', 'tanh', 'softmax'], 'softmax-crossentropy', true, [0.5, 0.25, 0]);
    const rows = 20;
    const { x, y, theta } = randomProblem(stack, rows, 9);

    it('draws reproducible masks per seed: 0 or 1/(1 − rate), about rate of them 0', () => {
      const a = dropoutMask(42, 0, 200, 50, 0.3);
      expect(dropoutMask(42, 0, 200, 50, 0.3)).toEqual(a);
      expect(dropoutMask(43, 0, 200, 50, 0.3)).not.toEqual(a);
      expect(dropoutMask(42, 1, 200, 50, 0.3)).not.toEqual(a);
      const zeros = a.filter((v) => v === 0).length / a.length;
      expect(zeros).toBeGreaterThan(0.27);
      expect(zeros).toBeLessThan(0.33);
      expect(new Set(a)).toEqual(new Set([0, Math.fround(1 / 0.7)]));
    });

    it('applies exactly the seeded masks: float64 reference with the same masks agrees', () => {
      const program = engine.compile(stack);
      const data = program.upload(x, y, rows);
      const grad = new Float64Array(stack.parameterCount);
      const f = program.valueAndGradient(theta, data, grad, { dropoutSeed: 1234 });
      const masks = [dropoutMask(1234, 0, rows, 12, 0.5), dropoutMask(1234, 1, rows, 10, 0.25)];
      const ref = reference(stack, theta, x, y, rows, masks);
      expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThanOrEqual(1e-6);
      expect(relativeError(grad, ref.grad)).toBeLessThanOrEqual(1e-6);

      const again = new Float64Array(stack.parameterCount);
      expect(program.valueAndGradient(theta, data, again, { dropoutSeed: 1234 })).toBe(f);
      expect(again).toEqual(grad);
      const other = new Float64Array(stack.parameterCount);
      expect(program.valueAndGradient(theta, data, other, { dropoutSeed: 1235 })).not.toBe(f);
      // Without a seed dropout is off: the deterministic objective quasi-Newton methods need.
      const plain = reference(stack, theta, x, y, rows);
      expect(Math.abs(program.valueAndGradient(theta, data, other) - plain.loss) / plain.loss).toBeLessThanOrEqual(1e-6);
      program.dispose();
    });

    it('zeroes exactly the dropped units: their outgoing kernel rows get no gradient', () => {
      const program = engine.compile(stack);
      const one = 1;
      const data = program.upload(x.subarray(0, 6), y.subarray(0, 3), one);
      const grad = new Float64Array(stack.parameterCount);
      program.valueAndGradient(theta, data, grad, { dropoutSeed: 77 });
      const mask = dropoutMask(77, 0, one, 12, 0.5);
      const next = stack.layers[1];
      let dropped = 0;
      for (let unit = 0; unit < 12; unit++) {
        const row = grad.subarray(next.kernelOffset + unit * next.units, next.kernelOffset + (unit + 1) * next.units);
        const zero = row.every((v) => v === 0);
        // A kept relu unit may be inactive (zero gradient too); a dropped one is always zero.
        if (mask[unit] === 0) {
          dropped++;
          expect(zero).toBe(true);
        }
      }
      expect(dropped).toBeGreaterThan(0);
      program.dispose();
    });
  });

  it('leaks no session or dataset over 1 000 evaluations', () => {
    const stack = makeStack(5, [8, 3], ['tanh', 'softmax'], 'softmax-crossentropy', true, [0.2, 0]);
    const { x, y, theta } = randomProblem(stack, 50, 1);
    const program = engine.compile(stack);
    const data = program.upload(x, y, 50);
    const grad = new Float64Array(stack.parameterCount);
    program.valueAndGradient(theta, data, grad);
    program.valueAndGradient(theta, data, grad, { dropoutSeed: 1 });
    program.predict(theta, data);
    const steady = program.liveResources();
    expect(steady).toBe(4); // gradient, gradient-dropout and forward sessions + one dataset
    for (let k = 0; k < 1000; k++) {
      const mode = k % 4;
      if (mode === 0) program.valueAndGradient(theta, data, grad);
      else if (mode === 1) program.valueAndGradient(theta, data, grad, { rows: Int32Array.of(k % 50, (k * 7) % 50) });
      else if (mode === 2) program.valueAndGradient(theta, data, grad, { dropoutSeed: k });
      else {
        const v = program.upload(x.subarray(0, 10), y.subarray(0, 6), 2);
        program.predict(theta, v);
        v.dispose();
      }
    }
    expect(program.liveResources()).toBe(steady);
    data.dispose();
    data.dispose(); // twice is harmless
    expect(program.liveResources()).toBe(3);
    program.dispose();
    expect(program.liveResources()).toBe(0);
    expect(() => program.valueAndGradient(theta, data, grad)).toThrow(/disposed/);
  });

  it('rejects bad shapes with errors that say what was expected', () => {
    const stack = makeStack(4, [5, 2], ['relu', 'sigmoid'], 'binary-crossentropy', true);
    const program = engine.compile(stack);
    const other = engine.compile(stack);
    const x = new Float32Array(12);
    const y = new Float32Array(6);
    expect(() => program.upload(x.subarray(0, 11), y, 3)).toThrow(/x has 11 values; 3 rows × 4 inputs need 12/);
    expect(() => program.upload(x, y.subarray(0, 5), 3)).toThrow(/y has 5 values; 3 rows × 2 outputs need 6/);
    expect(() => program.upload(x, y, 0)).toThrow(/positive whole number of rows/);
    const data = program.upload(x, y, 3);
    const theta = new Float64Array(stack.parameterCount);
    const grad = new Float64Array(stack.parameterCount);
    expect(() => program.valueAndGradient(theta.subarray(1), data, grad)).toThrow(/θ has length 36, the model has 37 parameters/);
    expect(() => program.valueAndGradient(theta, data, grad.subarray(1))).toThrow(/grad has length 36/);
    expect(() => program.valueAndGradient(theta, data, grad, { rows: Int32Array.of(0, 3) })).toThrow(/options.rows\[1\] = 3 is outside the dataset's 3 rows/);
    expect(() => program.valueAndGradient(theta, data, grad, { rows: new Int32Array(0) })).toThrow(/rows is empty/);
    expect(() => other.predict(theta, data)).toThrow(/not uploaded by this program/);
    const bad: DenseStack = { ...stack, parameterCount: 40 };
    expect(() => engine.compile(bad)).toThrow(/hold 37 parameters but parameterCount is 40/);
    const gap: DenseStack = { ...stack, layers: [{ ...stack.layers[0], fanIn: 3 }, stack.layers[1]] };
    expect(() => engine.compile(gap)).toThrow(/layer 0 expects 3 inputs but receives 4/);
    program.dispose();
    other.dispose();
  });
});

describe('availability', () => {
  it('is available on Linux x64, where the package ships a build (and passes its self-test)', () => {
    if (process.platform === 'linux' && process.arch === 'x64') expect(onnxUnavailableReason()).toBeNull();
  });

  it('names the platform it has no build for, Intel macOS included', () => {
    const root = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    expect(missingBuildReason(root, '1.30.0', 'darwin', 'x64')).toBe('onnxruntime-node 1.30.0 has no build for darwin-x64 (onnxruntime-node ships no Intel macOS build)');
    expect(missingBuildReason(root, '1.30.0', 'freebsd', 'x64')).toBe('onnxruntime-node 1.30.0 has no build for freebsd-x64');
    expect(missingBuildReason(root, '1.30.0', 'darwin', 'arm64')).toBeNull();
  });
});

describe('physical cores', () => {
  it('counts distinct cores, not hyper-threads', () => {
    const cpu = (p: number, c: number) => `processor\t: x\nphysical id\t: ${p}\ncore id\t\t: ${c}\n\n`;
    expect(coresFromCpuinfo(cpu(0, 0) + cpu(0, 1) + cpu(0, 0) + cpu(0, 1))).toBe(2);
    expect(coresFromCpuinfo(cpu(0, 0) + cpu(1, 0))).toBe(2);
    expect(coresFromCpuinfo('processor : 0\n')).toBeNull();
  });
});
