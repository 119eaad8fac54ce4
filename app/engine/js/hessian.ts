/**
 * Exact Hessian-vector and Gauss–Newton-vector products of a dense stack's mean data loss, in
 * float64 JavaScript: Pearlmutter's R-operator (Neural Computation 6, 1994), i.e. forward-mode
 * differentiation of the backward pass, for every activation and loss the engines compute.
 *
 * Pure functions over (stack, θ, rows, v): any engine without its own second-order kernels can
 * answer `hessianVectorProduct` / `gaussNewtonVectorProduct` with these, and the tests hold every
 * engine's products against them. The loss definitions (clip bounds, means, sample weights) are the
 * ones in app/engine/engine.ts and support/denseReference.ts; dropout is never applied (products are
 * of the deterministic objective).
 *
 * The generalized Gauss–Newton matrix G = JₒᵀΛJₒ splits the loss where it is convex, so G is
 * positive semi-definite: at the logits for the fused losses (sigmoid + binary cross-entropy,
 * softmax + cross-entropy), at the activated outputs otherwise (mse: Λ = 2/(K·Σw)·I, which makes G
 * the 2·JᵀJ/(K·Σw) of the residual convention in engine.ts; clipped probabilities: Λ is the
 * cross-entropy's diagonal Hessian in p, zero where the clip is active).
 */
import { activate as activateInto, activationSlope, INV_SQRT_2PI, SELU_ALPHA, SELU_GAMMA, sigmoid } from './kernels';
import type { Activation, DenseStack, Floats } from '../engine';

/** Rows the products run over: x (rows × inputDim), y (rows × outputs), optional sample weights. */
export interface RowData {
  x: Floats;
  y: Floats;
  rows: number;
  /** One non-negative weight per row; losses become Σw·loss_r / Σw. Omitted: equal weights. */
  weights?: Float64Array;
}

/** Keras' epsilon as float32 holds the clip bounds of binary cross-entropy on probabilities. */
const BCE_LO = Math.fround(1e-7);
const BCE_HI = Math.fround(1 - 1e-7);
const CE_LO = 1e-7;
/** Rows per chunk: bounds the per-layer work arrays whatever the dataset size. */
const CHUNK_ROWS = 256;

/** Mean data loss; grad (length n) receives ∇f. */
export function lossAndGradient(stack: DenseStack, theta: Float64Array, data: RowData, grad: Float64Array): number {
  return pass(stack, theta, data, 'gradient', undefined, grad, undefined);
}

/** out = ∇²f(θ)·v exactly (R-operator); returns f. grad, when given, receives ∇f from the same pass. */
export function hessianVectorProduct(stack: DenseStack, theta: Float64Array, data: RowData, v: Float64Array, out: Float64Array, grad?: Float64Array): number {
  return pass(stack, theta, data, 'hessian', v, grad, out);
}

/** out = G·v, G = JₒᵀΛJₒ the generalized Gauss–Newton matrix (positive semi-definite); returns f. */
export function gaussNewtonVectorProduct(stack: DenseStack, theta: Float64Array, data: RowData, v: Float64Array, out: Float64Array, grad?: Float64Array): number {
  return pass(stack, theta, data, 'gauss-newton', v, grad, out);
}

type Mode = 'gradient' | 'hessian' | 'gauss-newton';

function pass(stack: DenseStack, theta: Float64Array, data: RowData, mode: Mode, v: Float64Array | undefined, grad: Float64Array | undefined, out: Float64Array | undefined): number {
  const n = stack.parameterCount;
  const { rows, weights } = data;
  const L = stack.layers.length;
  const K = stack.layers[L - 1].units;
  const D = stack.inputDim;
  if (theta.length !== n) throw new Error(`θ has ${theta.length} entries but the stack has ${n} parameters`);
  if (v && v.length !== n) throw new Error(`v has ${v.length} entries but the stack has ${n} parameters`);
  if (data.x.length !== rows * D) throw new Error(`x has ${data.x.length} values, expected rows·inputDim = ${rows * D}`);
  if (data.y.length !== rows * K) throw new Error(`y has ${data.y.length} values, expected rows·outputs = ${rows * K}`);
  if (weights && weights.length !== rows) throw new Error(`${weights.length} sample weights for ${rows} rows`);
  grad?.fill(0);
  out?.fill(0);
  const g = grad ?? new Float64Array(n);
  let weightSum = rows;
  if (weights) {
    weightSum = 0;
    for (let r = 0; r < rows; r++) weightSum += weights[r];
  }
  const perRow = (stack.loss === 'softmax-crossentropy' ? 1 : 1 / K) / weightSum;
  const second = mode !== 'gradient';
  const hessian = mode === 'hessian';
  let total = 0;
  for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
    const m = Math.min(CHUNK_ROWS, rows - r0);
    // Forward, and its R-forward (Rz = Rh·W + h·V_W + V_b, Rh = σ'(z)·Rz).
    const hs: Float64Array[] = [Float64Array.from(data.x.subarray(r0 * D, (r0 + m) * D))];
    const Rhs: (Float64Array | undefined)[] = [undefined];
    const zs: Float64Array[] = [];
    const Rzs: Float64Array[] = [];
    for (let li = 0; li < L; li++) {
      const l = stack.layers[li];
      const z = affine(hs[li], theta, l.kernelOffset, l.biasOffset, m, l.fanIn, l.units);
      zs.push(z);
      if (second) {
        const Rz = affine(hs[li], v!, l.kernelOffset, l.biasOffset, m, l.fanIn, l.units);
        const Rh = Rhs[li];
        if (Rh) addMatMul(Rz, Rh, theta, l.kernelOffset, m, l.fanIn, l.units);
        Rzs.push(Rz);
      }
      if (li < L - 1) {
        const a = activate(l.activation, z, m, l.units);
        hs.push(a);
        Rhs.push(second ? jacobianProduct(l.activation, z, a, Rzs[li], m, l.units) : undefined);
      }
    }
    // The loss: ∂ℓ/∂z_L and R{∂ℓ/∂z_L}, per row scaled by w_r/Σw (and 1/K where the mean is per element).
    const last = stack.layers[L - 1];
    const zL = zs[L - 1];
    const outAct = last.activation;
    const gz = new Float64Array(m * K);
    const Rgz = second ? new Float64Array(m * K) : undefined;
    const p = activate(outAct, zL, m, K);
    const y = data.y;
    const fromLogits = (stack.loss === 'binary-crossentropy' && outAct === 'sigmoid') || (stack.loss === 'softmax-crossentropy' && outAct === 'softmax');
    if (fromLogits) {
      for (let r = 0; r < m; r++) {
        const c = perRow * (weights ? weights[r0 + r] : 1);
        const yo = (r0 + r) * K;
        const o = r * K;
        if (stack.loss === 'binary-crossentropy') {
          for (let j = 0; j < K; j++) {
            const zj = zL[o + j];
            const yj = y[yo + j];
            total += c * (Math.max(zj, 0) - zj * yj + Math.log1p(Math.exp(-Math.abs(zj))));
            const pj = p[o + j];
            gz[o + j] = c * (pj - yj);
            if (Rgz) Rgz[o + j] = c * pj * (1 - pj) * Rzs[L - 1][o + j];
          }
        } else {
          let mx = -Infinity;
          for (let j = 0; j < K; j++) mx = Math.max(mx, zL[o + j]);
          let s = 0;
          for (let j = 0; j < K; j++) s += Math.exp(zL[o + j] - mx);
          const lse = mx + Math.log(s);
          let ysum = 0;
          let pRz = 0;
          for (let j = 0; j < K; j++) {
            const yj = y[yo + j];
            ysum += yj;
            total -= c * yj * (zL[o + j] - lse);
            if (Rgz) pRz += p[o + j] * Rzs[L - 1][o + j];
          }
          for (let j = 0; j < K; j++) {
            gz[o + j] = c * (p[o + j] * ysum - y[yo + j]);
            if (Rgz) Rgz[o + j] = c * ysum * p[o + j] * (Rzs[L - 1][o + j] - pRz);
          }
        }
      }
    } else {
      // Loss on the activated outputs p: gradient gp and diagonal Hessian lam in p, then through σ_L.
      const gp = new Float64Array(m * K);
      const lam = new Float64Array(m * K);
      for (let r = 0; r < m; r++) {
        const c = perRow * (weights ? weights[r0 + r] : 1);
        const yo = (r0 + r) * K;
        const o = r * K;
        for (let j = 0; j < K; j++) {
          const pj = p[o + j];
          const yj = y[yo + j];
          if (stack.loss === 'mse') {
            const d = pj - yj;
            total += c * d * d;
            gp[o + j] = 2 * c * d;
            lam[o + j] = 2 * c;
          } else if (stack.loss === 'binary-crossentropy') {
            const pc = Math.min(Math.max(pj, BCE_LO), BCE_HI);
            total -= c * (yj * Math.log(pc) + (1 - yj) * Math.log(1 - pc));
            if (pj >= BCE_LO && pj <= BCE_HI) {
              gp[o + j] = c * ((1 - yj) / (1 - pc) - yj / pc);
              lam[o + j] = c * (yj / (pc * pc) + (1 - yj) / ((1 - pc) * (1 - pc)));
            }
          } else {
            const pc = Math.min(Math.max(pj, CE_LO), 1);
            total -= c * yj * Math.log(pc);
            if (pj >= CE_LO && pj <= 1) {
              gp[o + j] = (-c * yj) / pc;
              lam[o + j] = (c * yj) / (pc * pc);
            }
          }
        }
      }
      gz.set(jacobianProduct(outAct, zL, p, gp, m, K));
      if (Rgz) {
        const Rp = jacobianProduct(outAct, zL, p, Rzs[L - 1], m, K);
        for (let k = 0; k < Rp.length; k++) Rp[k] *= lam[k];
        Rgz.set(jacobianProduct(outAct, zL, p, Rp, m, K));
        if (hessian) addSecondTerm(outAct, zL, p, gp, Rzs[L - 1], Rgz, m, K);
      }
    }
    // Backward, and its R-backward.
    let dz: Float64Array = gz;
    let Rdz: Float64Array | undefined = Rgz;
    for (let li = L - 1; li >= 0; li--) {
      const l = stack.layers[li];
      const h = hs[li];
      addTransposeProduct(g, l.kernelOffset, h, dz, m, l.fanIn, l.units);
      if (l.biasOffset >= 0) addColumnSums(g, l.biasOffset, dz, m, l.units);
      if (out && Rdz) {
        addTransposeProduct(out, l.kernelOffset, h, Rdz, m, l.fanIn, l.units);
        const Rh = Rhs[li];
        if (hessian && Rh) addTransposeProduct(out, l.kernelOffset, Rh, dz, m, l.fanIn, l.units);
        if (l.biasOffset >= 0) addColumnSums(out, l.biasOffset, Rdz, m, l.units);
      }
      if (li === 0) break;
      const prev = stack.layers[li - 1];
      const dh = productTransposed(dz, theta, l.kernelOffset, m, l.fanIn, l.units);
      const nextDz = jacobianProduct(prev.activation, zs[li - 1], hs[li], dh, m, prev.units);
      if (Rdz) {
        const Rdh = productTransposed(Rdz, theta, l.kernelOffset, m, l.fanIn, l.units);
        if (hessian) {
          const extra = productTransposed(dz, v!, l.kernelOffset, m, l.fanIn, l.units);
          for (let k = 0; k < Rdh.length; k++) Rdh[k] += extra[k];
        }
        const nextRdz = jacobianProduct(prev.activation, zs[li - 1], hs[li], Rdh, m, prev.units);
        if (hessian) addSecondTerm(prev.activation, zs[li - 1], hs[li], dh, Rzs[li - 1], nextRdz, m, prev.units);
        Rdz = nextRdz;
      }
      dz = nextDz;
    }
  }
  return total;
}

/** z = h·W + b (m × units) with W, b read from params at the layer's offsets. */
function affine(h: Float64Array, params: Float64Array, kernelOffset: number, biasOffset: number, m: number, fanIn: number, units: number): Float64Array {
  const z = new Float64Array(m * units);
  if (biasOffset >= 0) for (let r = 0; r < m; r++) for (let j = 0; j < units; j++) z[r * units + j] = params[biasOffset + j];
  addMatMul(z, h, params, kernelOffset, m, fanIn, units);
  return z;
}

/** z += h·W, W = params[kernelOffset…] (fanIn × units, row-major). */
function addMatMul(z: Float64Array, h: Float64Array, params: Float64Array, kernelOffset: number, m: number, fanIn: number, units: number): void {
  for (let r = 0; r < m; r++) {
    const zo = r * units;
    for (let i = 0; i < fanIn; i++) {
      const hi = h[r * fanIn + i];
      if (hi === 0) continue;
      const wo = kernelOffset + i * units;
      for (let j = 0; j < units; j++) z[zo + j] += hi * params[wo + j];
    }
  }
}

/** d·Wᵀ (m × fanIn). */
function productTransposed(d: Float64Array, params: Float64Array, kernelOffset: number, m: number, fanIn: number, units: number): Float64Array {
  const out = new Float64Array(m * fanIn);
  for (let r = 0; r < m; r++) {
    const dOff = r * units;
    for (let i = 0; i < fanIn; i++) {
      const wo = kernelOffset + i * units;
      let s = 0;
      for (let j = 0; j < units; j++) s += d[dOff + j] * params[wo + j];
      out[r * fanIn + i] = s;
    }
  }
  return out;
}

/** target[kernel] += hᵀ·d (fanIn × units). */
function addTransposeProduct(target: Float64Array, kernelOffset: number, h: Float64Array, d: Float64Array, m: number, fanIn: number, units: number): void {
  for (let r = 0; r < m; r++) {
    const dOff = r * units;
    for (let i = 0; i < fanIn; i++) {
      const hi = h[r * fanIn + i];
      if (hi === 0) continue;
      const to = kernelOffset + i * units;
      for (let j = 0; j < units; j++) target[to + j] += hi * d[dOff + j];
    }
  }
}

function addColumnSums(target: Float64Array, biasOffset: number, d: Float64Array, m: number, units: number): void {
  for (let r = 0; r < m; r++) for (let j = 0; j < units; j++) target[biasOffset + j] += d[r * units + j];
}

/** a = act(z) in a new array (the forward values the R-operator differentiates around). */
function activate(act: Activation, z: Float64Array, m: number, units: number): Float64Array {
  const a = new Float64Array(z.length);
  activateInto(act, z, a, m, units);
  return a;
}

/** σ''(z) for the elementwise activations (relu's kink counts as 0, as autodiff does). */
function secondDerivative(act: Activation, z: number, a: number): number {
  switch (act) {
    case 'elu':
      return z > 0 ? 0 : Math.exp(z);
    case 'selu':
      return z > 0 ? 0 : SELU_GAMMA * SELU_ALPHA * Math.exp(z);
    case 'tanh':
      return -2 * a * (1 - a * a);
    case 'sigmoid':
      return a * (1 - a) * (1 - 2 * a);
    case 'softplus': {
      const s = sigmoid(z);
      return s * (1 - s);
    }
    case 'gelu':
      return INV_SQRT_2PI * Math.exp(-0.5 * z * z) * (2 - z * z);
    default:
      return 0;
  }
}

/**
 * J_σ(z)·d row by row. Every activation's Jacobian is symmetric (diagonal, or diag(a) − aaᵀ for
 * softmax), so this is both the forward (jvp) and the backward (vjp) product.
 */
function jacobianProduct(act: Activation, z: Float64Array, a: Float64Array, d: Float64Array, m: number, units: number): Float64Array {
  const out = new Float64Array(d.length);
  if (act === 'linear') {
    out.set(d);
    return out;
  }
  if (act === 'softmax') {
    for (let r = 0; r < m; r++) {
      const o = r * units;
      let dot = 0;
      for (let j = 0; j < units; j++) dot += a[o + j] * d[o + j];
      for (let j = 0; j < units; j++) out[o + j] = a[o + j] * (d[o + j] - dot);
    }
    return out;
  }
  for (let k = 0; k < d.length; k++) out[k] = activationSlope(act, z[k], a[k]) * d[k];
  return out;
}

/**
 * target += R{J_σ(z)}ᵀ·g: the derivative of the backward product J_σ(z)ᵀg along Rz with g held —
 * σ''(z)⊙g⊙Rz elementwise; for softmax Ra⊙(g − a·g) − a·(Ra·g) with Ra = J_σ·Rz.
 */
function addSecondTerm(act: Activation, z: Float64Array, a: Float64Array, g: Float64Array, Rz: Float64Array, target: Float64Array, m: number, units: number): void {
  if (act === 'linear' || act === 'relu' || act === 'leakyRelu') return;
  if (act === 'softmax') {
    for (let r = 0; r < m; r++) {
      const o = r * units;
      let aRz = 0;
      let ag = 0;
      for (let j = 0; j < units; j++) {
        aRz += a[o + j] * Rz[o + j];
        ag += a[o + j] * g[o + j];
      }
      let Rag = 0;
      for (let j = 0; j < units; j++) Rag += a[o + j] * (Rz[o + j] - aRz) * g[o + j];
      for (let j = 0; j < units; j++) {
        const Ra = a[o + j] * (Rz[o + j] - aRz);
        target[o + j] += Ra * (g[o + j] - ag) - a[o + j] * Rag;
      }
    }
    return;
  }
  for (let k = 0; k < g.length; k++) target[k] += secondDerivative(act, z[k], a[k]) * g[k] * Rz[k];
}
