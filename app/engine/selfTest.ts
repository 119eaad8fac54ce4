/**
 * The self-test a compute device passes before it may train: a few tiny nets whose loss and gradient
 * are compared with a float64 evaluation written here with plain loops (app/ may not reach the test
 * reference in support/). A device whose arithmetic is off (a provider's approximate kernel,
 * reduced-precision matmuls, a broken driver) is refused naming the net it got wrong, before a run
 * trusts it. Each net is small, so the test costs a session per net and no real compute.
 */
import { normalCdf } from './normalCdf';
import type { Activation, ComputeEngine, DenseStack, Loss, StackLayer } from './engine';
import { seededRandom } from '../util/random';
import { DeviceRefusal } from './onnx/devices';

/** Largest relative error (loss and ∞-norm of the gradient) a device may show. */
export const SELF_TEST_TOLERANCE = 1e-4;

export interface SelfTestCase {
  name: string;
  stack: DenseStack;
}

function stackOf(inputDim: number, layers: { units: number; activation: Activation }[], loss: Loss): DenseStack {
  let offset = 0;
  let fanIn = inputDim;
  const out: StackLayer[] = layers.map((l) => {
    const layer: StackLayer = { fanIn, units: l.units, activation: l.activation, dropout: 0, kernelOffset: offset, biasOffset: offset + fanIn * l.units };
    offset += fanIn * l.units + l.units;
    fanIn = l.units;
    return layer;
  });
  return { inputDim, layers: out, loss, parameterCount: offset };
}

/** One layer (the engine's own end-to-end check), then one net per output/loss pairing. */
export const SELF_TEST_CASES: readonly SelfTestCase[] = [
  { name: 'one linear layer (mse)', stack: stackOf(1, [{ units: 1, activation: 'linear' }], 'mse') },
  { name: 'tanh → softmax (softmax-crossentropy)', stack: stackOf(5, [{ units: 6, activation: 'tanh' }, { units: 3, activation: 'softmax' }], 'softmax-crossentropy') },
  { name: 'relu → sigmoid (binary-crossentropy)', stack: stackOf(5, [{ units: 6, activation: 'relu' }, { units: 2, activation: 'sigmoid' }], 'binary-crossentropy') },
  {
    name: 'elu → gelu → linear (mse)',
    stack: stackOf(5, [{ units: 6, activation: 'elu' }, { units: 4, activation: 'gelu' }, { units: 2, activation: 'linear' }], 'mse'),
  },
];

const SELF_TEST_ROWS = 8;

const phi = normalCdf;

/** act'(z) given a = act(z), for the activations the cases use (softmax only as an output with its loss). */
function activate(act: Activation, z: number): number {
  switch (act) {
    case 'tanh':
      return Math.tanh(z);
    case 'relu':
      return Math.max(z, 0);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'elu':
      return z > 0 ? z : Math.expm1(z);
    case 'gelu':
      return z * phi(z);
    case 'linear':
      return z;
    default:
      throw new Error(`self-test reference: no ${act}`);
  }
}
function derivative(act: Activation, z: number, a: number): number {
  switch (act) {
    case 'tanh':
      return 1 - a * a;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'sigmoid':
      return a * (1 - a);
    case 'elu':
      return z > 0 ? 1 : a + 1;
    case 'gelu':
      return phi(z) + (z * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
    default:
      return 1;
  }
}

/** Float64 mean loss and gradient of a case's stack (dense layers with bias, no dropout). */
export function referenceLossAndGradient(stack: DenseStack, theta: Float64Array, x: Float32Array, y: Float32Array, rows: number): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(stack.parameterCount);
  const last = stack.layers.length - 1;
  const outUnits = stack.layers[last].units;
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const hs: number[][] = [Array.from(x.subarray(r * stack.inputDim, (r + 1) * stack.inputDim))];
    const zs: number[][] = [];
    stack.layers.forEach((l, i) => {
      const h = hs[i];
      const z = Array.from({ length: l.units }, (_, u) => {
        let s = theta[l.biasOffset + u];
        for (let k = 0; k < l.fanIn; k++) s += h[k] * theta[l.kernelOffset + k * l.units + u];
        return s;
      });
      zs.push(z);
      if (i < last) hs.push(z.map((v) => activate(l.activation, v)));
    });
    const z = zs[last];
    const t = Array.from(y.subarray(r * outUnits, (r + 1) * outUnits));
    const act = stack.layers[last].activation;
    let dz: number[];
    if (stack.loss === 'softmax-crossentropy') {
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      const p = z.map((v) => Math.exp(v - lse));
      const sumY = t.reduce((s, v) => s + v, 0);
      loss += -t.reduce((s, v, k) => s + v * (z[k] - lse), 0) / rows;
      dz = p.map((pk, k) => (pk * sumY - t[k]) / rows);
    } else if (stack.loss === 'binary-crossentropy') {
      if (act !== 'sigmoid') throw new Error('self-test reference: binary-crossentropy needs a sigmoid output');
      const scale = 1 / (rows * outUnits);
      dz = z.map((v, k) => {
        loss += (Math.max(v, 0) - v * t[k] + Math.log1p(Math.exp(-Math.abs(v)))) * scale;
        return (activate('sigmoid', v) - t[k]) * scale;
      });
    } else {
      const scale = 1 / (rows * outUnits);
      dz = z.map((v, k) => {
        const a = activate(act, v);
        loss += (a - t[k]) ** 2 * scale;
        return 2 * (a - t[k]) * scale * derivative(act, v, a);
      });
    }
    for (let i = last; i >= 0; i--) {
      const l = stack.layers[i];
      const h = hs[i];
      for (let u = 0; u < l.units; u++) {
        grad[l.biasOffset + u] += dz[u];
        for (let k = 0; k < l.fanIn; k++) grad[l.kernelOffset + k * l.units + u] += h[k] * dz[u];
      }
      if (i === 0) break;
      const below = stack.layers[i - 1];
      dz = h.map((a, k) => {
        let s = 0;
        for (let u = 0; u < l.units; u++) s += dz[u] * theta[l.kernelOffset + k * l.units + u];
        return s * derivative(below.activation, zs[i - 1][k], a);
      });
    }
  }
  return { loss, grad };
}

/** Deterministic inputs, targets and θ for a case (θ and x exactly representable in float32). */
export function selfTestProblem(c: SelfTestCase, seed = 7): { x: Float32Array; y: Float32Array; theta: Float64Array; rows: number } {
  const rand = seededRandom(seed);
  const { stack } = c;
  const rows = c.stack.inputDim === 1 ? 1 : SELF_TEST_ROWS;
  if (rows === 1) return { rows, x: Float32Array.of(3), y: Float32Array.of(5), theta: Float64Array.of(2, 1) };
  const outUnits = stack.layers[stack.layers.length - 1].units;
  const x = Float32Array.from({ length: rows * stack.inputDim }, () => rand() * 2 - 1);
  const y = new Float32Array(rows * outUnits);
  for (let r = 0; r < rows; r++) {
    if (stack.loss === 'softmax-crossentropy') y[r * outUnits + (r % outUnits)] = 1;
    else for (let k = 0; k < outUnits; k++) y[r * outUnits + k] = stack.loss === 'binary-crossentropy' ? (r + k) % 2 : rand() * 2 - 1;
  }
  const theta = Float64Array.from({ length: stack.parameterCount }, () => Math.fround(rand() * 1.6 - 0.8));
  return { x, y, theta, rows };
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (const e of v) m = Math.max(m, Math.abs(e));
  return m;
}

export interface SelfTestResult {
  /** Largest relative error over every case (Infinity when a result was not finite). */
  error: number;
  /** The case with that error. */
  worstCase: string;
  passed: boolean;
  /** "self-test error 3e-2 on tanh → softmax (…)" or why the test could not run; absent when passed. */
  reason?: string;
  /** The device turned out not to be there (no adapter, provider library not loadable). */
  unavailable?: boolean;
}

/** Relative error of a computed loss and gradient against the reference's. */
export function relativeError(loss: number, grad: Float64Array, ref: { loss: number; grad: Float64Array }): number {
  const diff = new Float64Array(grad.length);
  for (let k = 0; k < grad.length; k++) diff[k] = grad[k] - ref.grad[k];
  const e = Math.max(Math.abs(loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-12), maxAbs(diff) / Math.max(maxAbs(ref.grad), 1e-12));
  return Number.isNaN(e) ? Infinity : e;
}

/** Runs every case on `engine` (float32) and compares with the float64 reference. */
export function selfTestEngine(engine: ComputeEngine, tolerance = SELF_TEST_TOLERANCE): SelfTestResult {
  let worst = 0;
  let worstCase = SELF_TEST_CASES[0].name;
  for (const c of SELF_TEST_CASES) {
    let program;
    try {
      program = engine.compile(c.stack, 'float32');
    } catch (e) {
      return { error: Infinity, worstCase: c.name, passed: false, reason: `self-test could not compile ${c.name}: ${firstLine(e)}` };
    }
    try {
      const p = selfTestProblem(c);
      const data = program.upload(p.x, p.y, p.rows);
      const grad = new Float64Array(c.stack.parameterCount);
      const loss = program.valueAndGradient(p.theta, data, grad);
      const e = relativeError(loss, grad, referenceLossAndGradient(c.stack, p.theta, p.x, p.y, p.rows));
      if (!(e <= worst)) {
        worst = e;
        worstCase = c.name;
      }
    } catch (e) {
      // A device that cannot start or would fall back to the CPU says so itself.
      if (e instanceof DeviceRefusal) return { error: Infinity, worstCase: c.name, passed: false, reason: e.reason, unavailable: e.kind === 'unavailable' };
      return { error: Infinity, worstCase: c.name, passed: false, reason: `self-test failed on ${c.name}: ${firstLine(e)}` };
    } finally {
      program.dispose();
    }
  }
  const passed = worst <= tolerance;
  return passed ? { error: worst, worstCase, passed } : { error: worst, worstCase, passed, reason: `self-test error ${worst.toExponential(0)} on ${worstCase} (limit ${tolerance.toExponential(0)})` };
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0];
}
