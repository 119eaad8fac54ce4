/** Float64 test problems with exact gradients (no tfjs): the classic optimisation benchmarks. */
import type { Objective } from '../../../app/optim/types';

export function objective(dimension: number, evaluate: (x: Float64Array, g: Float64Array) => number): Objective {
  return { dimension, evaluate };
}

/** Counts calls so tests can compare them with the optimizer's own counters. */
export function counted(inner: Objective): Objective & { calls: number } {
  const wrapper = {
    dimension: inner.dimension,
    calls: 0,
    evaluate(x: Float64Array, g: Float64Array): number {
      wrapper.calls++;
      return inner.evaluate(x, g);
    },
    ...(inner.hessianVectorProduct && { hessianVectorProduct: inner.hessianVectorProduct.bind(inner) }),
  };
  return wrapper;
}

/** Extended Rosenbrock: Σ over pairs 100(x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)²; minimiser all ones. */
export function rosenbrock(n = 2): Objective {
  if (n % 2 !== 0) throw new Error('extended Rosenbrock needs an even dimension');
  const hessianVectorProduct = (x: Float64Array, v: Float64Array, out: Float64Array): number => {
    for (let i = 0; i < n; i += 2) {
      const h11 = 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
      const h12 = -400 * x[i];
      out[i] = h11 * v[i] + h12 * v[i + 1];
      out[i + 1] = h12 * v[i] + 200 * v[i + 1];
    }
    return NaN;
  };
  const evaluate = (x: Float64Array, g: Float64Array): number => {
    let f = 0;
    for (let i = 0; i < n; i += 2) {
      const a = x[i + 1] - x[i] * x[i];
      const b = 1 - x[i];
      f += 100 * a * a + b * b;
      g[i] = -400 * x[i] * a - 2 * b;
      g[i + 1] = 200 * a;
    }
    return f;
  };
  return { dimension: n, evaluate, hessianVectorProduct };
}

/** The standard start point (−1.2, 1, −1.2, 1, …). */
export function rosenbrockStart(n = 2): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    x[i] = -1.2;
    x[i + 1] = 1;
  }
  return x;
}

/**
 * ½ Σ cᵢ (xᵢ − tᵢ)² with cᵢ log-spaced from 1 to `condition`, tᵢ = i/n − 0.5 (known minimiser).
 * `offset` is added to f (useful with `rounded` to put the minimum at a float32-visible level).
 */
export function quadratic(n: number, condition: number, offset = 0): Objective & { minimizer: Float64Array } {
  const c = new Float64Array(n);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    c[i] = n === 1 ? 1 : condition ** (i / (n - 1));
    t[i] = i / n - 0.5;
  }
  return {
    dimension: n,
    minimizer: t,
    evaluate(x, g) {
      let f = offset;
      for (let i = 0; i < n; i++) {
        const r = x[i] - t[i];
        f += 0.5 * c[i] * r * r;
        g[i] = c[i] * r;
      }
      return f;
    },
    hessianVectorProduct(_x, v, out) {
      for (let i = 0; i < n; i++) out[i] = c[i] * v[i];
      return NaN;
    },
  };
}

/** Rounds f (not the gradient) to float32: a loss that is flat at single precision near its minimum. */
export function roundedToFloat32(inner: Objective): Objective {
  return objective(inner.dimension, (x, g) => Math.fround(inner.evaluate(x, g)));
}

/** Deterministic pseudo-random numbers for building data sets. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Mean binary cross-entropy of a logistic regression (weights + bias) on a fixed synthetic data set
 * that is not linearly separable, with minibatch support.
 */
export function logisticRegression(samples = 200, features = 5, seed = 7): Objective {
  const rand = lcg(seed);
  const X = new Float64Array(samples * features);
  const y = new Float64Array(samples);
  const wTrue = Array.from({ length: features }, (_, j) => (j % 2 === 0 ? 1 : -1) * (1 + j / 2));
  for (let i = 0; i < samples; i++) {
    let z = 0.3;
    for (let j = 0; j < features; j++) {
      const v = rand() * 2 - 1;
      X[i * features + j] = v;
      z += wTrue[j] * v;
    }
    y[i] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const n = features + 1;
  const loss = (w: Float64Array, g: Float64Array, rows: ArrayLike<number>): number => {
    g.fill(0);
    let f = 0;
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k];
      let z = w[features];
      for (let j = 0; j < features; j++) z += w[j] * X[i * features + j];
      // log(1 + e^z) − y·z, written to stay finite for large |z|
      f += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z;
      const p = 1 / (1 + Math.exp(-z));
      const r = p - y[i];
      for (let j = 0; j < features; j++) g[j] += r * X[i * features + j];
      g[features] += r;
    }
    for (let j = 0; j < n; j++) g[j] /= rows.length;
    return f / rows.length;
  };
  const all = Int32Array.from({ length: samples }, (_, i) => i);
  /** Xᵀ diag(p(1 − p)) X v / samples, with the bias as a column of ones. */
  const hessianVectorProduct = (w: Float64Array, v: Float64Array, out: Float64Array): number => {
    out.fill(0);
    for (let i = 0; i < samples; i++) {
      let z = w[features];
      let xv = v[features];
      for (let j = 0; j < features; j++) {
        z += w[j] * X[i * features + j];
        xv += v[j] * X[i * features + j];
      }
      const p = 1 / (1 + Math.exp(-z));
      const c = (p * (1 - p) * xv) / samples;
      for (let j = 0; j < features; j++) out[j] += c * X[i * features + j];
      out[features] += c;
    }
    return NaN;
  };
  return {
    dimension: n,
    sampleCount: samples,
    evaluate: (w, g) => loss(w, g, all),
    evaluateBatch: (w, g, rows) => loss(w, g, rows),
    hessianVectorProduct,
  };
}
