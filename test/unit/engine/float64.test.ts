/**
 * The float64 engines (onnxruntime's double graphs, the js64 plain-JavaScript engine) against the
 * float64 reference at 1e-12 relative for every activation × loss × bias, with data and θ that
 * float32 cannot hold; minibatch rows, dropout masks and sample weights; and the contract that an
 * engine never computes a precision it does not have.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, LOSSES, type Activation, type ComputeEngine, type DenseStack, type Loss } from '../../../app/engine/engine';
import { createOnnxEngine, onnxUnavailableReason } from '../../../app/engine/onnx';
import { createJsEngine } from '../../../app/engine/js';
import { dropoutMask } from '../../../app/engine/dropout';
import { erf64, normalCdf } from '../../../app/engine/normalCdf';
import { formatReport } from '../../../app/engine/choice';
import { erf, lcg, makeStack, randomProblem, reference, relativeError } from '../../../support/denseReference';

const onnxMissing = onnxUnavailableReason();
const engines: { name: string; make: () => ComputeEngine }[] = [
  { name: 'js64', make: () => createJsEngine() },
  ...(onnxMissing ? [] : [{ name: 'onnxruntime', make: () => createOnnxEngine({ threads: 1 }) }]),
];

const TOL = 1e-12;

/** A problem whose x, y and θ carry bits below float32's resolution (each value a float32 + ~1e-9). */
function problem64(stack: DenseStack, rows: number, seed: number): { x: Float64Array; y: Float64Array; theta: Float64Array } {
  const p = randomProblem(stack, rows, seed);
  const rand = lcg(seed + 1000);
  const x = Float64Array.from(p.x, (v) => v + (rand() - 0.5) * 1e-8);
  const y = stack.loss === 'mse' ? Float64Array.from(p.y, (v) => v + (rand() - 0.5) * 1e-8) : Float64Array.from(p.y);
  const theta = Float64Array.from(p.theta, (v) => v + (rand() - 0.5) * 1e-8);
  return { x, y, theta };
}

/** Rows whose outputs sit ≥ 0.2 away from 0 and 1 for losses on probabilities of unbounded outputs (see onnx.test.ts). */
function wellConditioned(stack: DenseStack, p: { x: Float64Array; y: Float64Array; theta: Float64Array }, rows: number) {
  const out = stack.layers[stack.layers.length - 1];
  const act: Activation = out.activation;
  const loss: Loss = stack.loss;
  if (loss === 'mse' || act === 'sigmoid' || act === 'softmax') return { ...p, rows };
  const K = out.units;
  const n = stack.inputDim;
  const { outputs } = reference(stack, p.theta, p.x, p.y, rows, [], false);
  const keep: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = outputs.subarray(r * K, (r + 1) * K);
    if (row.every((v) => v === 0 || Math.min(Math.abs(v), Math.abs(v - 1)) >= 0.2)) keep.push(r);
  }
  const x = new Float64Array(keep.length * n);
  const y = new Float64Array(keep.length * K);
  keep.forEach((r, k) => {
    x.set(p.x.subarray(r * n, (r + 1) * n), k * n);
    y.set(p.y.subarray(r * K, (r + 1) * K), k * K);
  });
  return { x, y, theta: p.theta, rows: keep.length };
}

describe('Φ and erf for the float64 engines', () => {
  it('agree with the reference erf to 1e-14 and stay accurate in both tails', () => {
    let worst = 0;
    for (let x = -6; x <= 6; x += 0.037) if (Math.abs(x) > 1e-3) worst = Math.max(worst, Math.abs(erf64(x) - erf(x)) / Math.abs(erf(x)));
    expect(worst).toBeLessThan(1e-14);
    // Φ(−8) = 6.22096057427178e-16 (mpmath); 1 + erf would have no digits left here.
    expect(Math.abs(normalCdf(-8) - 6.22096057427178e-16) / 6.22096057427178e-16).toBeLessThan(1e-12);
    expect(normalCdf(0)).toBe(0.5);
  });
});

for (const { name, make } of engines) {
  describe(`${name} float64`, () => {
    const engine = make();

    it('says it computes float64', () => {
      expect(engine.precisions).toContain('float64');
      const program = engine.compile(makeStack(2, [1], ['linear'], 'mse', true), 'float64');
      expect(program.precision).toBe('float64');
      program.dispose();
    });

    describe('matches the float64 reference to 1e-12 for every activation × loss × bias', () => {
      for (const act of ACTIVATIONS) {
        for (const loss of LOSSES) {
          for (const bias of [true, false]) {
            it(`${act} / ${loss} / ${bias ? 'bias' : 'no bias'}`, () => {
              const filtered = loss !== 'mse' && act !== 'sigmoid' && act !== 'softmax';
              const outputs = filtered ? 2 : 4;
              const stack = makeStack(6, [9, outputs], [act, act], loss, bias);
              const drawn = filtered ? 400 : 40;
              const { x, y, theta, rows } = wellConditioned(stack, problem64(stack, drawn, 7), drawn);
              expect(rows).toBeGreaterThanOrEqual(8);
              const ref = reference(stack, theta, x, y, rows, [], false);
              const program = engine.compile(stack, 'float64');
              try {
                const data = program.upload(x, y, rows);
                const grad = new Float64Array(stack.parameterCount);
                const f = program.valueAndGradient(theta, data, grad);
                expect(Math.abs(f - ref.loss) / Math.abs(ref.loss)).toBeLessThanOrEqual(TOL);
                expect(relativeError(grad, ref.grad)).toBeLessThanOrEqual(TOL);
                const p = program.predict(theta, data);
                expect(p.outputs).toBeInstanceOf(Float64Array);
                expect(Math.abs(p.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThanOrEqual(TOL);
                expect(relativeError(p.outputs, ref.outputs)).toBeLessThanOrEqual(TOL);
              } finally {
                program.dispose();
              }
            });
          }
        }
      }
    });

    it('matches the reference to 1e-12 on three-layer stacks (no fusion rounds a constant to float32)', () => {
      for (const act of ACTIVATIONS) {
        for (const bias of [true, false]) {
          const stack = makeStack(5, [7, 6, 3], [act, act, 'linear'], 'mse', bias);
          const { x, y, theta } = problem64(stack, 30, 13);
          const ref = reference(stack, theta, x, y, 30, [], false);
          const program = engine.compile(stack, 'float64');
          const grad = new Float64Array(stack.parameterCount);
          const f = program.valueAndGradient(theta, program.upload(x, y, 30), grad);
          program.dispose();
          expect(Math.abs(f - ref.loss) / ref.loss, `${act} ${bias}`).toBeLessThanOrEqual(TOL);
          expect(relativeError(grad, ref.grad), `${act} ${bias}`).toBeLessThanOrEqual(TOL);
        }
      }
    });

    it('sees data below float32 resolution: shifting y by 1e-9 changes the loss as float64 predicts', () => {
      const stack = makeStack(3, [5, 1], ['tanh', 'linear'], 'mse', true);
      const { x, y, theta } = problem64(stack, 20, 3);
      const program = engine.compile(stack, 'float64');
      const g = new Float64Array(stack.parameterCount);
      const f0 = program.valueAndGradient(theta, program.upload(x, y, 20), g);
      const y2 = Float64Array.from(y, (v) => v + 1e-9);
      // Float32Array.from(y2) equals Float32Array.from(y) for almost every value: only float64 sees it.
      const f1 = program.valueAndGradient(theta, program.upload(x, y2, 20), g);
      const r0 = reference(stack, theta, x, y, 20, [], false).loss;
      const r1 = reference(stack, theta, x, y2, 20, [], false).loss;
      expect(f1 - f0).not.toBe(0);
      expect(Math.abs(f1 - f0 - (r1 - r0)) / Math.abs(r1 - r0)).toBeLessThan(1e-5);
      program.dispose();
    });

    it('evaluates minibatch rows in the order given', () => {
      const stack = makeStack(5, [8, 8, 3], ['relu', 'gelu', 'softmax'], 'softmax-crossentropy', true);
      const { x, y, theta } = problem64(stack, 300, 5);
      const program = engine.compile(stack, 'float64');
      const data = program.upload(x, y, 300);
      for (const rows of [Int32Array.of(3, 17, 3, 299, 0), Int32Array.from({ length: 280 }, (_, k) => (k * 7) % 300)]) {
        const bx = new Float64Array(rows.length * 5);
        const by = new Float64Array(rows.length * 3);
        rows.forEach((r, k) => {
          bx.set(x.subarray(r * 5, r * 5 + 5), k * 5);
          by.set(y.subarray(r * 3, r * 3 + 3), k * 3);
        });
        const ref = reference(stack, theta, bx, by, rows.length, [], false);
        const grad = new Float64Array(stack.parameterCount);
        const f = program.valueAndGradient(theta, data, grad, { rows });
        expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThanOrEqual(TOL);
        expect(relativeError(grad, ref.grad)).toBeLessThanOrEqual(TOL);
      }
      program.dispose();
    });

    it('applies the seeded float64 dropout masks', () => {
      const stack = makeStack(6, [12, 10, 3], ['relu', 'tanh', 'softmax'], 'softmax-crossentropy', true, [0.5, 0.25, 0]);
      const rows = 20;
      const { x, y, theta } = problem64(stack, rows, 9);
      const program = engine.compile(stack, 'float64');
      const grad = new Float64Array(stack.parameterCount);
      const f = program.valueAndGradient(theta, program.upload(x, y, rows), grad, { dropoutSeed: 1234 });
      const masks = [dropoutMask(1234, 0, rows, 12, 0.5, 'float64'), dropoutMask(1234, 1, rows, 10, 0.25, 'float64')];
      const ref = reference(stack, theta, x, y, rows, masks, false);
      expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThanOrEqual(TOL);
      expect(relativeError(grad, ref.grad)).toBeLessThanOrEqual(TOL);
      program.dispose();
    });

    it('weights rows of a softmax cross-entropy: integer weights equal repeating the rows', () => {
      const stack = makeStack(4, [7, 3], ['tanh', 'softmax'], 'softmax-crossentropy', true);
      const { x, y, theta } = problem64(stack, 15, 17);
      const weights = Float64Array.from({ length: 15 }, (_, r) => (r * 5) % 4);
      const rep = { x: [] as number[], y: [] as number[] };
      for (let r = 0; r < 15; r++) for (let k = 0; k < weights[r]; k++) {
        rep.x.push(...x.subarray(r * 4, r * 4 + 4));
        rep.y.push(...y.subarray(r * 3, r * 3 + 3));
      }
      const program = engine.compile(stack, 'float64');
      const data = program.upload(x, y, 15, weights);
      const g = new Float64Array(stack.parameterCount);
      const f = program.valueAndGradient(theta, data, g);
      const ref = reference(stack, theta, Float64Array.from(rep.x), Float64Array.from(rep.y), rep.x.length / 4, [], false);
      expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThanOrEqual(TOL);
      expect(relativeError(g, ref.grad)).toBeLessThanOrEqual(TOL);
      expect(Math.abs(program.predict(theta, data).loss - ref.loss) / ref.loss).toBeLessThanOrEqual(TOL);
      program.dispose();
    });

    it('holds no resources after dispose', () => {
      const stack = makeStack(3, [4, 2], ['tanh', 'softmax'], 'softmax-crossentropy', true);
      const { x, y, theta } = problem64(stack, 10, 1);
      const program = engine.compile(stack, 'float64');
      const data = program.upload(x, y, 10);
      program.valueAndGradient(theta, data, new Float64Array(stack.parameterCount));
      program.predict(theta, data);
      expect(program.liveResources()).toBeGreaterThan(0);
      program.dispose();
      expect(program.liveResources()).toBe(0);
    });
  });
}

describe('js64', () => {
  it('weights rows: integer weights equal repeating the rows', () => {
    const engine = createJsEngine();
    const stack = makeStack(4, [6, 2], ['elu', 'sigmoid'], 'binary-crossentropy', true);
    const { x, y, theta } = problem64(stack, 12, 21);
    const weights = Float64Array.from({ length: 12 }, (_, r) => r % 3);
    const rep = { x: [] as number[], y: [] as number[] };
    for (let r = 0; r < 12; r++) for (let k = 0; k < weights[r]; k++) {
      rep.x.push(...x.subarray(r * 4, r * 4 + 4));
      rep.y.push(...y.subarray(r * 2, r * 2 + 2));
    }
    const program = engine.compile(stack, 'float64');
    const g = new Float64Array(stack.parameterCount);
    const f = program.valueAndGradient(theta, program.upload(x, y, 12, weights), g);
    const ref = reference(stack, theta, Float64Array.from(rep.x), Float64Array.from(rep.y), rep.x.length / 4, [], false);
    expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThanOrEqual(TOL);
    expect(relativeError(g, ref.grad)).toBeLessThanOrEqual(TOL);
    expect(() => program.upload(x, y, 12, Float64Array.from({ length: 12 }, () => -1))).toThrow(/non-negative/);
    program.dispose();
  });

  it('refuses float32 by name instead of computing float64 in its place', () => {
    expect(() => createJsEngine().compile(makeStack(2, [1], ['linear'], 'mse', true), 'float32')).toThrow(/float64 only/);
  });
});

describe('curvature info names the float64 engine', () => {
  it('says js64 runs float64, and why not onnxruntime, where onnxruntime cannot run', () => {
    const text = formatReport({
      name: 'wasm', tfBackend: 'wasm', label: 'WebAssembly', device: 'cpu', package: '@tensorflow/tfjs-backend-wasm', version: '4', skipped: [], selection: 'auto',
      float64: { name: 'js64', reason: 'onnxruntime: onnxruntime-node 1.30.0 has no build for darwin-x64 (onnxruntime-node ships no Intel macOS build)' },
    });
    expect(text).toMatch(/float64 runs: js64, Plain JavaScript float64 .*\(onnxruntime: .*no build for darwin-x64/);
  });
});
