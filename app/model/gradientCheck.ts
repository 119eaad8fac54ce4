/**
 * Compares the autodiff gradient with central finite differences, and says plainly when the
 * difference step is lost in float32 — the bug that makes scipy's BFGS "converge" at iteration 0.
 * On a float64 objective the differences are taken in float64 (default step ∛ε ≈ 6e-6, where
 * truncation and rounding errors balance) and agree with the exact gradient to ~1e-8.
 */
import type { Objective } from '../optim/types';

export interface GradientCheckResult {
  eps: number;
  /** Coordinates compared (all, or a seeded sample for large models). */
  indices: number[];
  analytic: Float64Array;
  numeric: Float64Array;
  /** ‖g_fd − g_ad‖₂ / max(‖g_ad‖₂, ‖g_fd‖₂, tiny). */
  relativeError: number;
  /** Coordinates where fl32(x ± eps) === fl32(x): the step does not exist in float32. */
  lostSteps: number;
  /** Coordinates where the finite difference is exactly 0 while the autodiff gradient is not. */
  zeroDifferences: number;
  warning?: string;
}

/** Relative spacing of float32 numbers (2⁻²³). */
export const FLOAT32_EPSILON = 1.1920928955078125e-7;
/** Central-difference step for float64 objectives: ∛ε₆₄. */
export const FLOAT64_STEP = 6e-6;

export function checkGradient(
  objective: Objective,
  x: Float64Array,
  options: { eps?: number; maxCoordinates?: number } = {},
): GradientCheckResult {
  const double = objective.precision === 'float64';
  const eps = options.eps ?? (double ? FLOAT64_STEP : 1e-3);
  const round = double ? (v: number) => v : Math.fround;
  const n = objective.dimension;
  const limit = Math.min(n, options.maxCoordinates ?? 64);
  const indices = Array.from({ length: limit }, (_, k) => Math.floor((k * n) / limit));
  const full = new Float64Array(n);
  objective.evaluate(x, full);
  const scratch = new Float64Array(n);
  const probe = Float64Array.from(x);
  const analytic = new Float64Array(limit);
  const numeric = new Float64Array(limit);
  let lostSteps = 0;
  let zeroDifferences = 0;
  indices.forEach((i, k) => {
    analytic[k] = full[i];
    const xi = x[i];
    if (round(xi + eps) === round(xi) || round(xi - eps) === round(xi)) lostSteps++;
    probe[i] = xi + eps;
    const fPlus = objective.evaluate(probe, scratch);
    probe[i] = xi - eps;
    const fMinus = objective.evaluate(probe, scratch);
    probe[i] = xi;
    numeric[k] = (fPlus - fMinus) / (2 * eps);
    if (numeric[k] === 0 && analytic[k] !== 0) zeroDifferences++;
  });
  let diff = 0;
  let na = 0;
  let nn = 0;
  for (let k = 0; k < limit; k++) {
    diff += (numeric[k] - analytic[k]) ** 2;
    na += analytic[k] ** 2;
    nn += numeric[k] ** 2;
  }
  const relativeError = Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), Number.MIN_VALUE);
  const result: GradientCheckResult = { eps, indices, analytic, numeric, relativeError, lostSteps, zeroDifferences };
  if (lostSteps > 0 || zeroDifferences > 0) {
    const minSafe = (double ? Number.EPSILON : FLOAT32_EPSILON) * Math.max(1, ...indices.map((i) => Math.abs(x[i])));
    result.warning =
      `eps = ${eps} is lost in ${double ? 'float64' : 'float32'}: x ± eps rounds back to x for ${lostSteps} of ${limit} coordinates and the ` +
      `finite difference is exactly 0 for ${zeroDifferences} where the exact gradient is not. A finite-difference ` +
      `optimizer would see a zero gradient and stop at once. Use the exact gradient, or eps ≫ ${minSafe.toExponential(1)} ` +
      `(e.g. 1e-3 × max(1, |x|)).`;
  }
  return result;
}
