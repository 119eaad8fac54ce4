/**
 * The vector arithmetic every optimizer goes through. Optimizer state lives in float64 on the host
 * (tfjs has no float64); keeping the operations behind this small interface lets a device-backed
 * implementation replace the host loops for very large models without touching the algorithms.
 */
export interface VectorOps {
  /** A new zero vector of length n. */
  alloc(n: number): Float64Array;
  /** a·b */
  dot(a: Float64Array, b: Float64Array): number;
  /** y ← y + alpha·x */
  axpy(alpha: number, x: Float64Array, y: Float64Array): void;
  /** out ← x + alpha·d (out may alias neither x nor d). */
  addScaled(out: Float64Array, x: Float64Array, alpha: number, d: Float64Array): void;
  /** out ← a − b */
  subtract(out: Float64Array, a: Float64Array, b: Float64Array): void;
  /** x ← alpha·x */
  scale(alpha: number, x: Float64Array): void;
  /** dst ← src */
  copy(src: Float64Array, dst: Float64Array): void;
  /** x ← value */
  fill(x: Float64Array, value: number): void;
  /** max |x_i| (NaN if any entry is NaN) */
  infNorm(x: Float64Array): number;
  /** ‖x‖₂, computed with scaling so it neither overflows nor underflows */
  norm2(x: Float64Array): number;
  /** Σ |x_i| */
  norm1(x: Float64Array): number;
  /** True when every entry is finite. */
  allFinite(x: Float64Array): boolean;

  // Fused passes. At the sizes L-BFGS runs at (10⁴–10⁶ weights) every pass over a vector costs about
  // the same whatever it computes, so the iteration's cost is its number of passes: these do in one
  // what the plain operations above would do in two or three.

  /** y ← y + alpha·x, returning y·z of the updated y (one step of the two-loop recursion). */
  axpyDot(alpha: number, x: Float64Array, y: Float64Array, z: Float64Array): number;
  /** max |x_i| and ‖x‖₂ together (inf is NaN when an entry is NaN, ∞ when one is infinite). */
  norms(x: Float64Array): VectorNorms;
  /** s ← xNew − x and y ← gNew − g, returning s'y and y'y (a curvature pair). */
  differences(s: Float64Array, xNew: Float64Array, x: Float64Array, y: Float64Array, gNew: Float64Array, g: Float64Array): PairProducts;
}

export interface VectorNorms {
  inf: number;
  l2: number;
}

export interface PairProducts {
  sy: number;
  yy: number;
}

/**
 * Sums run in index order with one accumulator, on purpose: split sums would be faster but round
 * differently, and near the float32 floor a last-bit difference in g'd moves a run's evaluation
 * counts by tens (the pinned counts in test/unit/optim/defaults.test.ts would drift for no reason).
 */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function infNorm(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m || Number.isNaN(a)) m = a;
    if (Number.isNaN(m)) return NaN;
  }
  return m;
}

/** Squares of entries within these bounds neither overflow nor underflow when summed. */
const SAFE_MAX = 1e140;
const SAFE_MIN = 1e-140;

/** ‖x‖₂ with every entry divided by m = max|x_i| first: safe at any magnitude, one pass slower. */
function scaledNorm2(x: Float64Array, m: number): number {
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const r = x[i] / m;
    s += r * r;
  }
  return m * Math.sqrt(s);
}

export const hostVectorOps: VectorOps = {
  alloc: (n) => new Float64Array(n),
  dot,
  axpy(alpha, x, y) {
    for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
  },
  addScaled(out, x, alpha, d) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * d[i];
  },
  subtract(out, a, b) {
    for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  },
  scale(alpha, x) {
    for (let i = 0; i < x.length; i++) x[i] *= alpha;
  },
  copy(src, dst) {
    dst.set(src);
  },
  fill(x, value) {
    x.fill(value);
  },
  infNorm,
  norm2: (x) => scaledNorm2(x, infNorm(x)),
  norm1(x) {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += Math.abs(x[i]);
    return s;
  },
  allFinite(x) {
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
    return true;
  },
  axpyDot(alpha, x, y, z) {
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const a = y[i] + alpha * x[i];
      y[i] = a;
      s += a * z[i];
    }
    return s;
  },
  norms(x) {
    let m = 0;
    let s0 = 0;
    let s1 = 0;
    const n = x.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const a = Math.abs(x[i]);
      const b = Math.abs(x[i + 1]);
      // NaN fails every comparison: the sum carries it, and the check after the loop reports it.
      if (a > m) m = a;
      if (b > m) m = b;
      s0 += a * a;
      s1 += b * b;
    }
    if (i < n) {
      const a = Math.abs(x[i]);
      if (a > m) m = a;
      s0 += a * a;
    }
    const sum = s0 + s1;
    if (Number.isNaN(sum)) return { inf: NaN, l2: NaN };
    if (m === Infinity) return { inf: Infinity, l2: Infinity };
    if (m === 0) return { inf: 0, l2: 0 };
    return { inf: m, l2: m < SAFE_MAX && m > SAFE_MIN ? Math.sqrt(sum) : scaledNorm2(x, m) };
  },
  differences(s, xNew, x, y, gNew, g) {
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < x.length; i++) {
      const si = xNew[i] - x[i];
      const yi = gNew[i] - g[i];
      s[i] = si;
      y[i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    return { sy, yy };
  },
};
