/**
 * What a set of Hessian eigenvalues says about the point, in words, and the report's shape. No
 * solver here: the renderer imports this (through app/ui.ts) to draw and word a spectrum.
 */

/** Default relative tolerance: |λ| < tol·|λ|max is "flat", λ < −tol·|λ|max is negative curvature. */
export const SPECTRUM_TOLERANCE = 1e-6;

export interface SpectrumVerdict {
  kind: 'minimum' | 'saddle' | 'flat' | 'maximum';
  /** "minimum", "saddle: 3 negative directions (λ_min = -1.2e-2)", "flat: 4 directions with |λ| < 1e-6·λ_max". */
  verdict: string;
  /** Eigenvalues below −tol·|λ|max among those seen (a lower bound when the spectrum is partial). */
  negativeCount: number;
  /** Eigenvalues with |λ| ≤ tol·|λ|max among those seen. */
  flatCount: number;
  /** λ_max / smallest λ above tol·|λ|max; null when no positive eigenvalue was seen. */
  conditionNumber: number | null;
  tolerance: number;
}

export interface SpectrumReport extends SpectrumVerdict {
  n: number;
  /** Loss at the point (data loss + L2), when the caller knows it. */
  loss?: number;
  /** The k largest eigenvalues, descending. */
  largest: number[];
  /** The k smallest eigenvalues, ascending. */
  smallest: number[];
  method: 'dense' | 'lanczos';
  hessianVectorProducts: number;
  /** Largest Ritz residual ‖Hy − θy‖ among the reported Lanczos pairs. */
  maxResidual?: number;
  /** For dense BFGS runs at the end: the eigenvalues of its Hessian model B = H⁻¹, same shape. */
  model?: { largest: number[]; smallest: number[] };
}

/** Three significant digits, exponent form for very large or small magnitudes. */
export function formatEigenvalue(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}

/**
 * The verdict from the eigenvalues seen (all of them, or the two ends). With only the ends, counts
 * are of what was seen: "k negative directions" then means at least k when all k smallest were
 * negative (the wording says so).
 */
export function spectrumVerdict(eigenvalues: readonly number[], tolerance = SPECTRUM_TOLERANCE, complete = true): SpectrumVerdict {
  const top = Math.max(...eigenvalues.map(Math.abs), 0);
  const limit = tolerance * top;
  let negativeCount = 0;
  let flatCount = 0;
  let lambdaMin = Infinity;
  let lambdaMax = -Infinity;
  let smallestPositive = Infinity;
  for (const v of eigenvalues) {
    lambdaMin = Math.min(lambdaMin, v);
    lambdaMax = Math.max(lambdaMax, v);
    if (v < -limit) negativeCount++;
    else if (Math.abs(v) <= limit) flatCount++;
    else smallestPositive = Math.min(smallestPositive, v);
  }
  const conditionNumber = Number.isFinite(smallestPositive) && lambdaMax > 0 ? lambdaMax / smallestPositive : null;
  const atLeast = complete ? '' : '≥ ';
  const plural = (c: number, word: string): string => `${atLeast}${c} ${word}${c === 1 && !atLeast ? '' : 's'}`;
  let kind: SpectrumVerdict['kind'];
  let verdict: string;
  if (top === 0) {
    kind = 'flat';
    verdict = `flat: ${plural(flatCount, 'direction')} with λ = 0`;
  } else if (negativeCount > 0 && lambdaMax <= limit) {
    kind = 'maximum';
    verdict = `maximum: no positive curvature (λ_max = ${formatEigenvalue(lambdaMax)})`;
  } else if (negativeCount > 0) {
    kind = 'saddle';
    verdict = `saddle: ${plural(negativeCount, 'negative direction')} (λ_min = ${formatEigenvalue(lambdaMin)})`;
  } else if (flatCount > 0) {
    kind = 'flat';
    verdict = `flat: ${plural(flatCount, 'direction')} with |λ| < ${tolerance.toExponential(0)}·λ_max`;
  } else {
    kind = 'minimum';
    verdict = 'minimum';
  }
  return { kind, verdict, negativeCount, flatCount, conditionNumber, tolerance };
}
