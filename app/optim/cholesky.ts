/**
 * Dense Cholesky factorisation and solves in float64, for Levenberg–Marquardt's damped normal
 * equations (JᵀJ + μD)δ = −Jᵀe and Bayesian regularization's tr(H⁻¹). Row-major n × n, lower
 * factor L with A = LLᵀ; n³/6 multiply-adds to factor, n² per solve.
 */

/**
 * Factor A (row-major, symmetric; only the lower triangle is read) into L, written over the lower
 * triangle of `out` (may be A itself). Returns false when A is not numerically positive definite.
 */
export function choleskyFactor(A: Float64Array, n: number, out: Float64Array = A): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j];
    for (let k = 0; k < j; k++) d -= out[rj + k] * out[rj + k];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    out[rj + j] = ljj;
    // Row-major L: rows i and j are contiguous over k, so the dot products stream; four rows at a
    // time share each load of row j (the factorisation is the dense LM iteration's main cost).
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = A[r0 + j];
      let s1 = A[r1 + j];
      let s2 = A[r2 + j];
      let s3 = A[r3 + j];
      for (let k = 0; k < j; k++) {
        const ljk = out[rj + k];
        s0 -= out[r0 + k] * ljk;
        s1 -= out[r1 + k] * ljk;
        s2 -= out[r2 + k] * ljk;
        s3 -= out[r3 + k] * ljk;
      }
      out[r0 + j] = s0 / ljj;
      out[r1 + j] = s1 / ljj;
      out[r2 + j] = s2 / ljj;
      out[r3 + j] = s3 / ljj;
    }
    for (; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j];
      for (let k = 0; k < j; k++) s -= out[ri + k] * out[rj + k];
      out[ri + j] = s / ljj;
    }
  }
  return true;
}

/** Solve LLᵀx = b with the factor from choleskyFactor; x may be b. */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array, x: Float64Array = b): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[ri + k] * x[k];
    x[i] = s / L[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** tr(A⁻¹) = ‖L⁻¹‖²_F from A's Cholesky factor: n³/6 multiply-adds, O(n) extra memory. */
export function choleskyInverseTrace(L: Float64Array, n: number): number {
  const col = new Float64Array(n);
  let trace = 0;
  for (let c = 0; c < n; c++) {
    // Column c of L⁻¹: forward substitution on e_c (zero above c).
    for (let i = c; i < n; i++) {
      const ri = i * n;
      let s = i === c ? 1 : 0;
      for (let k = c; k < i; k++) s -= L[ri + k] * col[k];
      col[i] = s / L[ri + i];
      trace += col[i] * col[i];
    }
  }
  return trace;
}
