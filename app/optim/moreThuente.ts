/**
 * Moré & Thuente's safeguarded step (MINPACK-2 `dcstep`), the interpolation rule of the line search
 * scipy's BFGS (`line_search_wolfe1`) and L-BFGS-B (`dcsrch`) use. Given the best step so far
 * (stx), the other end of the interval (sty) and the new trial (stp), each with value and slope,
 * it picks the next trial and updates the interval:
 *   1. higher value at stp: minimum bracketed; cubic, or halfway to the quadratic if that is closer;
 *   2. slopes of opposite sign: bracketed; the cubic or the secant step, whichever is farther;
 *   3. slope shrinking in size: cubic extrapolation if it points the right way, else secant,
 *      kept within 0.66 of the way to sty once bracketed;
 *   4. slope not shrinking: cubic through stp and sty (bracketed), else the step bound.
 * Written from Moré & Thuente, ACM TOMS 20 (1994), and the MINPACK-2 description.
 */

export interface StepInterval {
  stx: number;
  fx: number;
  dx: number;
  sty: number;
  fy: number;
  dy: number;
  brackt: boolean;
}

/** Root of the cubic's derivative, scaled against overflow as MINPACK does. */
function gammaOf(theta: number, a: number, b: number): number {
  const s = Math.max(Math.abs(theta), Math.abs(a), Math.abs(b));
  return s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (a / s) * (b / s)));
}

/** Updates `iv` in place with the trial (stp, fp, dp) and returns the next trial step. */
export function dcstep(iv: StepInterval, stp: number, fp: number, dp: number, stpmin: number, stpmax: number): number {
  const { stx, fx, dx, sty, fy, dy } = iv;
  const sgnd = Math.sign(dp) * Math.sign(dx);
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    let gamma = gammaOf(theta, dx, dp);
    if (stp < stx) gamma = -gamma;
    const r = (gamma - dx + theta) / (gamma - dx + gamma + dp);
    const stpc = stx + r * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) <= Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    iv.brackt = true;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    let gamma = gammaOf(theta, dx, dp);
    if (stp > stx) gamma = -gamma;
    const r = (gamma - dp + theta) / (gamma - dp + gamma + dx);
    const stpc = stp + r * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    iv.brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    let gamma = gammaOf(theta, dx, dp);
    if (stp > stx) gamma = -gamma;
    const r = (gamma - dp + theta) / (gamma + (dx - dp) + gamma);
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else stpc = stp > stx ? stpmax : stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (iv.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.min(Math.max(stpf, stpmin), stpmax);
    }
  } else if (iv.brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    let gamma = gammaOf(theta, dy, dp);
    if (stp > sty) gamma = -gamma;
    const r = (gamma - dp + theta) / (gamma - dp + gamma + dy);
    stpf = stp + r * (sty - stp);
  } else {
    stpf = stp > stx ? stpmax : stpmin;
  }
  if (fp > fx) {
    iv.sty = stp;
    iv.fy = fp;
    iv.dy = dp;
  } else {
    if (sgnd < 0) {
      iv.sty = stx;
      iv.fy = fx;
      iv.dy = dx;
    }
    iv.stx = stp;
    iv.fx = fp;
    iv.dx = dp;
  }
  return stpf;
}
