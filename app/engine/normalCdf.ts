/**
 * The normal CDF Φ(z) = ½(1 + erf(z/√2)) to ~2e-15 relative in float64, for gelu in the float64
 * engines. onnxruntime's CPU provider has no double Erf kernel, so the ONNX double graph spells Φ
 * with the same Chebyshev series (Mul, Add, Exp, Where); the JavaScript engine evaluates it here.
 *
 * With x = z/√2: for |x| ≤ 2, erf(x) = x·A(x²/2 − 1); for |x| > 2, erfc(|x|) = e^(−x²)·B((|x| − 4)/2),
 * |x| clamped to 6, past which erfc < 2e-17 (below float64's resolution of Φ near 1, and an absolute
 * error under 1e-32 near 0). A and B are Chebyshev series fitted at 400 Chebyshev nodes against
 * mpmath at 40 digits (erf(x)/x in x² on [0, 4], degree 16; erfc(x)·e^(x²) on [2, 6], degree 22).
 */

/** Chebyshev coefficients of erf(x)/x in t = x²/2 − 1, for |x| ≤ 2. */
export const ERF_SMALL: readonly number[] = [
  0.7415552820424022,
  -0.30107107338659483,
  0.06899483068983162,
  -0.013916271264722222,
  0.0024207995224334463,
  -0.0003658639685847479,
  4.8620984432336164e-05,
  -5.749256558005553e-06,
  6.113243578185787e-07,
  -5.899101522829468e-08,
  5.2070090168620994e-09,
  -4.2329753882797775e-10,
  3.188111214232557e-11,
  -2.236064018969373e-12,
  1.4669180756672385e-13,
  -9.043363335050056e-15,
  3.611522362598466e-16,
];

/** Chebyshev coefficients of erfc(x)·e^(x²) in t = (x − 4)/2, for 2 < x ≤ 6. */
export const ERFC_LARGE: readonly number[] = [
  0.15454893254411428,
  -0.07674006034821479,
  0.018494874169701976,
  -0.0043372335955141755,
  0.000991683907723813,
  -0.00022144890703088243,
  4.836760032123022e-05,
  -1.0346098326633992e-05,
  2.169871943213301e-06,
  -4.4664937548212274e-07,
  9.031674385567308e-08,
  -1.795533947450986e-08,
  3.5120800711738767e-09,
  -6.763532324692906e-10,
  1.2831848689213869e-10,
  -2.3997018120346335e-11,
  4.425948438722976e-12,
  -8.054667657203665e-13,
  1.4471176000010782e-13,
  -2.5660367975554262e-14,
  4.489960439395641e-15,
  -7.833849372244888e-16,
  1.4157163565245993e-16,
];

/** Where the two series meet, and where the second is clamped. */
export const ERF_SPLIT = 2;
export const ERFC_CLAMP = 6;

/** Σ c_k T_k(t) by Clenshaw's recurrence (stable where the monomial form would cancel). */
export function chebyshev(c: readonly number[], t: number): number {
  let b1 = 0;
  let b2 = 0;
  const t2 = 2 * t;
  for (let k = c.length - 1; k >= 1; k--) {
    const b = c[k] + t2 * b1 - b2;
    b2 = b1;
    b1 = b;
  }
  return c[0] + t * b1 - b2;
}

/** Φ(z), the standard normal CDF, in float64. */
export function normalCdf(z: number): number {
  const x = z * Math.SQRT1_2;
  const ax = Math.abs(x);
  if (ax <= ERF_SPLIT) return 0.5 + 0.5 * x * chebyshev(ERF_SMALL, 0.5 * ax * ax - 1);
  const half = 0.5 * Math.exp(-ax * ax) * chebyshev(ERFC_LARGE, (Math.min(ax, ERFC_CLAMP) - 4) / 2);
  return x > 0 ? 1 - half : half;
}

/** erf(x) in float64 (the same series; for tests and the reference). */
export function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax <= ERF_SPLIT) return x * chebyshev(ERF_SMALL, 0.5 * ax * ax - 1);
  const erfc = Math.exp(-ax * ax) * chebyshev(ERFC_LARGE, (Math.min(ax, ERFC_CLAMP) - 4) / 2);
  return Math.sign(x) * (1 - erfc);
}
