/**
 * Residuals, their Jacobian and the Gauss–Newton system of a dense stack's mse loss, in float64
 * JavaScript: the plain implementation of the engine contract's SecondOrderProducts (residual
 * convention in app/engine/engine.ts: e[r·K + k] = √w_r · (out_rk − y_rk), J = ∂e/∂θ).
 *
 * Pure functions of (stack, θ, data): an engine program wraps them (the float64 JS engine, and the
 * fallback for engines without a Jacobian graph). Work is done in row chunks whose Jacobian block
 * stays under a byte budget, so memory never grows with the dataset.
 *
 * Where JᵀJ is formed: here, by a symmetric rank-k update on the transposed chunk (n × m, m = chunk
 * rows × outputs), blocked over m and register-tiled 4 × 4 over (i, j) so each loaded value feeds
 * four multiply-adds and the working set of a tile sits in L1. Cost: m·n²/2 multiply-adds per chunk,
 * rows·K·n²/2 per system — the same count a GEMM would do on the upper triangle.
 */
import { activate, activationSlope } from './kernels';
import type { Activation, DenseStack, Floats } from '../engine';


/** Default bytes of Jacobian held at once by gaussNewtonSystem. */
export const DEFAULT_JACOBIAN_CHUNK_BYTES = 16 * 1024 * 1024;

/** The rows a product runs over: x (rows × inputDim), y (rows × outputs), optional sample weights. */
export interface ResidualData {
  x: Floats;
  y: Floats;
  rows: number;
  weights?: Float64Array;
}

/**
 * In place: g ← act'(z)ᵀ·g for `count` pseudo-rows of `units`, pseudo-row p using the activations of
 * data row ⌊p / repeat⌋. The activation Jacobian is symmetric (diagonal, or diag(a) − aaᵀ for
 * softmax), so this one routine serves forward (J·v) and backward (Jᵀ·u) products.
 */
function applyActivationJacobian(act: Activation, z: Float64Array, a: Float64Array, g: Float64Array, count: number, units: number, repeat = 1): void {
  for (let p = 0; p < count; p++) {
    const o = Math.floor(p / repeat) * units;
    const go = p * units;
    if (act === 'softmax') {
      let dot = 0;
      for (let j = 0; j < units; j++) dot += g[go + j] * a[o + j];
      for (let j = 0; j < units; j++) g[go + j] = a[o + j] * (g[go + j] - dot);
    } else if (act !== 'linear') {
      for (let j = 0; j < units; j++) g[go + j] *= activationSlope(act, z[o + j], a[o + j]);
    }
  }
}

/** Forward pass state of one chunk: h[l] is layer l's input (h[0] = x), z/a its pre-/post-activation. */
interface Forward {
  h: Float64Array[];
  z: Float64Array[];
  a: Float64Array[];
}

function outputUnits(stack: DenseStack): number {
  return stack.layers[stack.layers.length - 1].units;
}

function checkMse(stack: DenseStack): void {
  if (stack.loss !== 'mse') throw new Error(`residual products need the mse loss; this model's loss is ${stack.loss}`);
}

function forward(stack: DenseStack, theta: Float64Array, data: ResidualData, first: number, count: number): Forward {
  const h: Float64Array[] = [Float64Array.from(data.x.subarray(first * stack.inputDim, (first + count) * stack.inputDim))];
  const z: Float64Array[] = [];
  const a: Float64Array[] = [];
  stack.layers.forEach((l, li) => {
    const zl = new Float64Array(count * l.units);
    const input = h[li];
    for (let r = 0; r < count; r++) {
      const zo = r * l.units;
      if (l.biasOffset >= 0) for (let j = 0; j < l.units; j++) zl[zo + j] = theta[l.biasOffset + j];
      for (let i = 0; i < l.fanIn; i++) {
        const hi = input[r * l.fanIn + i];
        if (hi === 0) continue;
        const wo = l.kernelOffset + i * l.units;
        for (let j = 0; j < l.units; j++) zl[zo + j] += hi * theta[wo + j];
      }
    }
    const al = new Float64Array(count * l.units);
    activate(l.activation, zl, al, count, l.units);
    z.push(zl);
    a.push(al);
    h.push(al);
  });
  return { h, z, a };
}

function rootWeight(data: ResidualData, row: number): number {
  return data.weights ? Math.sqrt(data.weights[row]) : 1;
}

/** e for the chunk's rows into residuals[offset…]; returns Σe² and Σw of the chunk. */
function chunkResiduals(stack: DenseStack, fw: Forward, data: ResidualData, first: number, count: number, residuals: Float64Array | null, offset = 0): { sumSquares: number; weightSum: number } {
  const K = outputUnits(stack);
  const out = fw.a[fw.a.length - 1];
  let sumSquares = 0;
  let weightSum = 0;
  for (let r = 0; r < count; r++) {
    const row = first + r;
    const sw = rootWeight(data, row);
    weightSum += data.weights ? data.weights[row] : 1;
    for (let k = 0; k < K; k++) {
      const e = sw * (out[r * K + k] - data.y[row * K + k]);
      sumSquares += e * e;
      if (residuals) residuals[offset + r * K + k] = e;
    }
  }
  return { sumSquares, weightSum };
}

function checkRange(stack: DenseStack, theta: Float64Array, data: ResidualData, first: number, count: number): void {
  checkMse(stack);
  if (theta.length !== stack.parameterCount) throw new Error(`θ has length ${theta.length}, the model has ${stack.parameterCount} parameters`);
  if (!(Number.isInteger(first) && Number.isInteger(count) && first >= 0 && count >= 0 && first + count <= data.rows)) {
    throw new Error(`rows [${first}, ${first + count}) are outside the dataset's ${data.rows} rows`);
  }
}

/**
 * J of the chunk's rows written at J[(rowBase + r·K + k)·rowStride + col·colStride]: rowStride n /
 * colStride 1 is the contract's row-major J, rowStride 1 / colStride m its transpose.
 */
function fillJacobian(stack: DenseStack, theta: Float64Array, fw: Forward, data: ResidualData, first: number, count: number, J: Float64Array, rowBase: number, rowStride: number, colStride: number): void {
  const L = stack.layers.length;
  const K = outputUnits(stack);
  const m = count * K;
  const outL = stack.layers[L - 1];
  // δ for every pseudo-row (r, k): ∂e_rk / ∂z_l.
  let delta = new Float64Array(m * K);
  for (let r = 0; r < count; r++) {
    const sw = rootWeight(data, first + r);
    for (let k = 0; k < K; k++) delta[(r * K + k) * K + k] = sw;
  }
  applyActivationJacobian(outL.activation, fw.z[L - 1], fw.a[L - 1], delta, m, K, K);
  for (let li = L - 1; li >= 0; li--) {
    const l = stack.layers[li];
    const h = fw.h[li];
    for (let p = 0; p < m; p++) {
      const r = Math.floor(p / K);
      const base = (rowBase + p) * rowStride;
      const dOff = p * l.units;
      for (let i = 0; i < l.fanIn; i++) {
        const hi = h[r * l.fanIn + i];
        const col = base + (l.kernelOffset + i * l.units) * colStride;
        for (let j = 0; j < l.units; j++) J[col + j * colStride] = hi * delta[dOff + j];
      }
      if (l.biasOffset >= 0) {
        const col = base + l.biasOffset * colStride;
        for (let j = 0; j < l.units; j++) J[col + j * colStride] = delta[dOff + j];
      }
    }
    if (li === 0) break;
    const prev = stack.layers[li - 1];
    const next = new Float64Array(m * l.fanIn);
    for (let p = 0; p < m; p++) {
      const dOff = p * l.units;
      for (let i = 0; i < l.fanIn; i++) {
        const wo = l.kernelOffset + i * l.units;
        let s = 0;
        for (let j = 0; j < l.units; j++) s += delta[dOff + j] * theta[wo + j];
        next[p * l.fanIn + i] = s;
      }
    }
    applyActivationJacobian(prev.activation, fw.z[li - 1], fw.a[li - 1], next, m, prev.units, K);
    delta = next;
  }
}

/** Σe² and Σw over every row (a forward pass), with the residuals when `residuals` is given. */
export function residualSumOfSquares(stack: DenseStack, theta: Float64Array, data: ResidualData, residuals?: Float64Array): { sumSquares: number; weightSum: number } {
  checkRange(stack, theta, data, 0, data.rows);
  const K = outputUnits(stack);
  const chunk = rowsPerChunk(stack, 4 * 1024 * 1024, 1);
  let sumSquares = 0;
  let weightSum = 0;
  for (let first = 0; first < data.rows; first += chunk) {
    const count = Math.min(chunk, data.rows - first);
    const s = chunkResiduals(stack, forward(stack, theta, data, first, count), data, first, count, residuals ?? null, first * K);
    sumSquares += s.sumSquares;
    weightSum += s.weightSum;
  }
  return { sumSquares, weightSum };
}

/** Residuals (rows·K) and row-major Jacobian (rows·K × n) of rows [first, first + rows). */
export function residualJacobian(stack: DenseStack, theta: Float64Array, data: ResidualData, first: number, rows: number, residuals: Float64Array, jacobian: Float64Array): void {
  checkRange(stack, theta, data, first, rows);
  const K = outputUnits(stack);
  const n = stack.parameterCount;
  if (residuals.length < rows * K || jacobian.length < rows * K * n) throw new Error(`residualJacobian: buffers too small for ${rows} rows × ${K} outputs × ${n} parameters`);
  jacobian.fill(0, 0, rows * K * n);
  const fw = forward(stack, theta, data, first, rows);
  chunkResiduals(stack, fw, data, first, rows, residuals);
  fillJacobian(stack, theta, fw, data, first, rows, jacobian, 0, n, 1);
}

/** Rows per chunk so that `perRowFloats`·K·8 bytes per row stays within `bytes` (at least one row). */
function rowsPerChunk(stack: DenseStack, bytes: number, perRowFloats: number): number {
  const K = outputUnits(stack);
  return Math.max(1, Math.floor(bytes / (8 * K * Math.max(1, perRowFloats))));
}

/**
 * JᵀJ (n × n, both triangles) and Jᵀe over every row, in chunks of at most `chunkBytes` of J.
 * Overwrites jtj and jte; returns Σe² and Σw.
 */
export function gaussNewtonSystem(
  stack: DenseStack,
  theta: Float64Array,
  data: ResidualData,
  jtj: Float64Array,
  jte: Float64Array,
  options: { chunkBytes?: number } = {},
): { sumSquares: number; weightSum: number } {
  checkRange(stack, theta, data, 0, data.rows);
  const n = stack.parameterCount;
  const K = outputUnits(stack);
  if (jtj.length !== n * n || jte.length !== n) throw new Error(`gaussNewtonSystem: jtj needs ${n * n} and jte ${n} entries`);
  const nPad = (n + 3) & ~3;
  const chunk = Math.min(data.rows, rowsPerChunk(stack, options.chunkBytes ?? DEFAULT_JACOBIAN_CHUNK_BYTES, nPad));
  // Transposed chunk: row c of Jt is column c of J (contiguous over the chunk's residuals). The pad
  // rows stay zero, so the 4 × 4 tiles need no edge cases.
  const mMax = chunk * K;
  const Jt = new Float64Array(nPad * mMax);
  const e = new Float64Array(mMax);
  jtj.fill(0);
  jte.fill(0);
  let sumSquares = 0;
  let weightSum = 0;
  for (let first = 0; first < data.rows; first += chunk) {
    const count = Math.min(chunk, data.rows - first);
    const m = count * K;
    // Row stride of Jt is mMax so the layout does not change on the short last chunk.
    Jt.fill(0);
    const fw = forward(stack, theta, data, first, count);
    const s = chunkResiduals(stack, fw, data, first, count, e);
    sumSquares += s.sumSquares;
    weightSum += s.weightSum;
    fillJacobian(stack, theta, fw, data, first, count, Jt, 0, 1, mMax);
    for (let c = 0; c < n; c++) {
      const o = c * mMax;
      let sum = 0;
      for (let p = 0; p < m; p++) sum += Jt[o + p] * e[p];
      jte[c] += sum;
    }
    symmetricRankUpdate(Jt, nPad, mMax, m, jtj, n);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) jtj[i * n + j] = jtj[j * n + i];
  return { sumSquares, weightSum };
}

/** Residual columns per cache block of the rank update: 8 rows × 512 × 8 bytes = 32 KB. */
const RANK_BLOCK = 512;

/**
 * Upper triangle of C (n × n) += A·Aᵀ for A the first `m` columns of an nPad × stride row-major
 * matrix (nPad a multiple of 4, rows ≥ n zero). 4 × 4 register tiles over (i, j), blocked over m.
 */
export function symmetricRankUpdate(A: Float64Array, nPad: number, stride: number, m: number, C: Float64Array, n: number): void {
  for (let p0 = 0; p0 < m; p0 += RANK_BLOCK) {
    const p1 = Math.min(m, p0 + RANK_BLOCK);
    for (let i = 0; i < nPad; i += 4) {
      const a0 = i * stride;
      const a1 = a0 + stride;
      const a2 = a1 + stride;
      const a3 = a2 + stride;
      for (let j = i; j < nPad; j += 4) {
        const b0 = j * stride;
        const b1 = b0 + stride;
        const b2 = b1 + stride;
        const b3 = b2 + stride;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = p0; p < p1; p++) {
          const x0 = A[a0 + p], x1 = A[a1 + p], x2 = A[a2 + p], x3 = A[a3 + p];
          const y0 = A[b0 + p], y1 = A[b1 + p], y2 = A[b2 + p], y3 = A[b3 + p];
          c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
          c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
          c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
          c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        }
        const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let di = 0; di < 4; di++) {
          const r = i + di;
          if (r >= n) break;
          for (let dj = 0; dj < 4; dj++) {
            const c = j + dj;
            if (c >= n || c < r) continue;
            C[r * n + c] += tile[di * 4 + dj];
          }
        }
      }
    }
  }
}

/** out (rows·K) = J·v over every row (forward-mode, one pass); returns Σe². */
export function jacobianVectorProduct(stack: DenseStack, theta: Float64Array, data: ResidualData, v: Float64Array, out: Float64Array): number {
  checkRange(stack, theta, data, 0, data.rows);
  const K = outputUnits(stack);
  if (v.length !== stack.parameterCount || out.length < data.rows * K) throw new Error('jacobianVectorProduct: v needs n entries and out rows·K');
  const chunk = rowsPerChunk(stack, 4 * 1024 * 1024, widest(stack));
  let sumSquares = 0;
  for (let first = 0; first < data.rows; first += chunk) {
    const count = Math.min(chunk, data.rows - first);
    const fw = forward(stack, theta, data, first, count);
    sumSquares += chunkResiduals(stack, fw, data, first, count, null).sumSquares;
    let rh = new Float64Array(count * stack.inputDim); // R{x} = 0
    stack.layers.forEach((l, li) => {
      const rz = new Float64Array(count * l.units);
      const h = fw.h[li];
      for (let r = 0; r < count; r++) {
        const zo = r * l.units;
        if (l.biasOffset >= 0) for (let j = 0; j < l.units; j++) rz[zo + j] = v[l.biasOffset + j];
        for (let i = 0; i < l.fanIn; i++) {
          const hi = h[r * l.fanIn + i];
          const rhi = rh[r * l.fanIn + i];
          const wo = l.kernelOffset + i * l.units;
          for (let j = 0; j < l.units; j++) rz[zo + j] += rhi * theta[wo + j] + hi * v[wo + j];
        }
      }
      applyActivationJacobian(l.activation, fw.z[li], fw.a[li], rz, count, l.units);
      rh = rz;
    });
    for (let r = 0; r < count; r++) {
      const sw = rootWeight(data, first + r);
      for (let k = 0; k < K; k++) out[(first + r) * K + k] = sw * rh[r * K + k];
    }
  }
  return sumSquares;
}

/** out (n) = Jᵀ·u over every row (one backward pass), u of length rows·K. */
export function jacobianTransposeProduct(stack: DenseStack, theta: Float64Array, data: ResidualData, u: Float64Array, out: Float64Array): void {
  checkRange(stack, theta, data, 0, data.rows);
  const K = outputUnits(stack);
  const L = stack.layers.length;
  if (out.length !== stack.parameterCount || u.length < data.rows * K) throw new Error('jacobianTransposeProduct: u needs rows·K entries and out n');
  out.fill(0);
  const chunk = rowsPerChunk(stack, 4 * 1024 * 1024, widest(stack));
  for (let first = 0; first < data.rows; first += chunk) {
    const count = Math.min(chunk, data.rows - first);
    const fw = forward(stack, theta, data, first, count);
    let g = new Float64Array(count * K);
    for (let r = 0; r < count; r++) {
      const sw = rootWeight(data, first + r);
      for (let k = 0; k < K; k++) g[r * K + k] = sw * u[(first + r) * K + k];
    }
    applyActivationJacobian(stack.layers[L - 1].activation, fw.z[L - 1], fw.a[L - 1], g, count, K);
    for (let li = L - 1; li >= 0; li--) {
      const l = stack.layers[li];
      const h = fw.h[li];
      for (let r = 0; r < count; r++) {
        const go = r * l.units;
        for (let i = 0; i < l.fanIn; i++) {
          const hi = h[r * l.fanIn + i];
          if (hi === 0) continue;
          const wo = l.kernelOffset + i * l.units;
          for (let j = 0; j < l.units; j++) out[wo + j] += hi * g[go + j];
        }
        if (l.biasOffset >= 0) for (let j = 0; j < l.units; j++) out[l.biasOffset + j] += g[go + j];
      }
      if (li === 0) break;
      const prev = stack.layers[li - 1];
      const next = new Float64Array(count * l.fanIn);
      for (let r = 0; r < count; r++) {
        for (let i = 0; i < l.fanIn; i++) {
          const wo = l.kernelOffset + i * l.units;
          let s = 0;
          for (let j = 0; j < l.units; j++) s += g[r * l.units + j] * theta[wo + j];
          next[r * l.fanIn + i] = s;
        }
      }
      applyActivationJacobian(prev.activation, fw.z[li - 1], fw.a[li - 1], next, count, prev.units);
      g = next;
    }
  }
}

function widest(stack: DenseStack): number {
  return stack.layers.reduce((w, l) => Math.max(w, l.units, l.fanIn), stack.inputDim);
}
