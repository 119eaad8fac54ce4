/**
 * Line searches along a descent direction d from x: φ(α) = f(x + α·d).
 *
 * strong-wolfe: bracketing then zoom (Nocedal & Wright Alg. 3.5/3.6, as in scipy's
 * `scalar_search_wolfe2`), trial steps from the two-point cubic (minFunc/PyTorch form) safeguarded
 * like scipy's `_zoom`: cubic unless it lands within 0.2·Δ of a bracket end, then the quadratic
 * unless within 0.1·Δ, then bisection. backtracking: Armijo only, safeguarded quadratic shrink.
 *
 * A NaN or ±∞ value (or gradient) counts as +∞: it always becomes the high end of the bracket, so
 * the search shrinks towards the last good point instead of picking the wrong end (pytorch#5953).
 * The lowest point seen is always kept, and the search never hands back a point worse than x.
 */
import type { LineSearchSpec } from './spec';
import { lossEpsilon, type Objective } from './types';
import { dcstep, type StepInterval } from './moreThuente';
import { hostVectorOps, type VectorOps } from './vector';

export type LineSearchStatus =
  /** Strong Wolfe (or, for backtracking, Armijo) conditions hold at the returned point. */
  | 'converged'
  /** The evaluation cap was reached; the returned point is the best one seen, which is below f(x). */
  | 'max-evaluations'
  /** The bracket shrank below float64 resolution; the returned point is the best seen, below f(x). */
  | 'interval-too-small'
  /** No point below f(x) was found; the returned point is x itself with α = 0. */
  | 'no-decrease'
  /** d is not a descent direction (g·d ≥ 0 or not finite); nothing was evaluated. */
  | 'not-descent';

/** One point on the line. x and g are owned by the line search workspace (see below). */
export interface LineSearchPoint {
  alpha: number;
  /** f(x + α·d); +∞ stands for any non-finite value. */
  f: number;
  x: Float64Array;
  g: Float64Array;
  /** φ'(α) = g·d */
  slope: number;
}

export interface LineSearchResult extends LineSearchPoint {
  status: LineSearchStatus;
  /** Function (and gradient) evaluations spent. */
  evaluations: number;
  /** The lowest point seen, the start point included. */
  best: LineSearchPoint;
  /** True when the returned point is strictly below f(x). */
  decreased: boolean;
  /** φ'(0) = g·d at the start. */
  initialSlope: number;
  /**
   * True when some trial changed f by less than the objective's precision can resolve (float32 by
   * default; or the predicted change was that small): a failure then means the loss is flat at that
   * precision, not a bad direction. (The name predates float64 objectives.)
   */
  belowFloat32Resolution: boolean;
  /** Trials whose value or gradient was NaN or ±∞. */
  nonFiniteTrials: number;
}

export interface LineSearchRequest {
  objective: Objective;
  x: Float64Array;
  f: number;
  g: Float64Array;
  d: Float64Array;
  /** g·d when the caller already has it (it came out of the direction's last pass); else computed. */
  slope?: number;
  /** First trial step; anything non-finite or ≤ 0 becomes 1. */
  initialStep: number;
  /** Extra cap on evaluations (e.g. what is left of the run's budget); the spec's cap still applies. */
  evaluationBudget?: number;
}

/** Buffers reused across searches. The arrays in a result stay valid until the next search. */
export interface LineSearchWorkspace {
  readonly trialX: Float64Array;
  readonly trialG: Float64Array;
  readonly bestX: Float64Array;
  readonly bestG: Float64Array;
}

export function createLineSearchWorkspace(n: number, ops: VectorOps = hostVectorOps): LineSearchWorkspace {
  return { trialX: ops.alloc(n), trialG: ops.alloc(n), bestX: ops.alloc(n), bestG: ops.alloc(n) };
}

/** Bracket end, scalars only: the vectors of the accepted point are always the latest trial. */
interface Sample {
  alpha: number;
  f: number;
  slope: number;
}

/** A change of f this small relative to |f| is below what the loss's arithmetic can show (4 ε). */
const RESOLUTION_ULPS = 4;
/** scipy `_zoom`: reject the cubic within 0.2·Δ of an end, the quadratic within 0.1·Δ. */
const CUBIC_MARGIN = 0.2;
const QUADRATIC_MARGIN = 0.1;
/** Bracketing extrapolates to at most 10× the current step (N&W, PyTorch). */
const MAX_GROWTH = 10;
/**
 * ... and at least 1.1× the last increase beyond it (Moré–Thuente's stpmin). PyTorch's 1% lets a
 * cubic fitted on a steepening slope crawl forward by tiny steps on flat sigmoid plateaus.
 */
const MIN_GROWTH = 1.1;
/** A non-finite trial shrinks the step towards the good end by this factor. */
const NONFINITE_SHRINK = 0.25;
/** dcsrch: extrapolate within [1.1, 4]× the last increase; L-BFGS-B's relative interval tolerance. */
const MT_XTRAPL = 1.1;
const MT_XTRAPU = 4;
const MT_XTOL = 0.1;
/** Backtracking keeps the quadratic's step within [0.1, 0.5] of the previous one (N&W 3.5). */
const BACKTRACK_MIN = 0.1;
const BACKTRACK_MAX = 0.5;

/**
 * Minimiser of the cubic through (a, fa, da), (b, fb, db) (N&W eq. 3.59), or null when the cubic
 * has no real minimiser.
 */
export function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number | null {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const radicand = d1 * d1 - da * db;
  if (!(radicand >= 0)) return null;
  const d2 = Math.sign(b - a) * Math.sqrt(radicand);
  const t = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
  return Number.isFinite(t) ? t : null;
}

/** Minimiser of the quadratic through (a, fa, da), (b, fb), or null when it opens downwards. */
export function quadraticMinimizer(a: number, fa: number, da: number, b: number, fb: number): number | null {
  const h = b - a;
  const curvature = (fb - fa - da * h) / (h * h);
  if (!(curvature > 0)) return null;
  const t = a - da / (2 * curvature);
  return Number.isFinite(t) ? t : null;
}

export function lineSearch(
  request: LineSearchRequest,
  spec: LineSearchSpec,
  workspace: LineSearchWorkspace = createLineSearchWorkspace(request.x.length),
  ops: VectorOps = hostVectorOps,
): LineSearchResult {
  return new Search(request, spec, workspace, ops).run();
}

class Search {
  private evaluations = 0;
  private readonly cap: number;
  private readonly f0: number;
  private readonly slope0: number;
  private bestAlpha = 0;
  private bestF: number;
  private bestSlope: number;
  private belowResolution = false;
  private nonFiniteTrials = 0;
  /** max|x| and max|d|, only needed once the interval is tiny: computed then. */
  private infNorms: { x: number; d: number } | null = null;
  /** Smallest relative change of f the objective's arithmetic resolves (4 ε of its precision). */
  private readonly resolution: number;

  constructor(
    private readonly request: LineSearchRequest,
    private readonly spec: LineSearchSpec,
    private readonly ws: LineSearchWorkspace,
    private readonly ops: VectorOps,
  ) {
    this.cap = Math.min(spec.maxEvaluations, request.evaluationBudget ?? Infinity);
    this.f0 = request.f;
    this.slope0 = request.slope ?? ops.dot(request.g, request.d);
    this.bestF = request.f;
    this.bestSlope = this.slope0;
    this.resolution = RESOLUTION_ULPS * lossEpsilon(request.objective.precision);
  }

  run(): LineSearchResult {
    if (!(this.slope0 < 0) || !Number.isFinite(this.f0)) return this.finish('not-descent');
    const a0 = this.request.initialStep;
    const first = Number.isFinite(a0) && a0 > 0 ? a0 : 1;
    if (this.spec.kind === 'backtracking') return this.backtrack(first);
    return this.spec.kind === 'more-thuente' ? this.moreThuente(first) : this.bracket(first);
  }

  /**
   * Moré–Thuente (MINPACK-2 dcsrch, as scipy's BFGS and L-BFGS-B): the interval [stx, sty] always
   * holds a strong-Wolfe point; trials come from `dcstep`, extrapolating within [1.1, 4]× the last
   * increase until bracketed; a modified function ψ(α) = f(α) − c₁α·φ'(0) steers the first stage;
   * bisection when the interval does not shrink by a third in two trials. Stops (keeping the best
   * point) once the interval is within MT_XTOL relative width, as L-BFGS-B does.
   */
  private moreThuente(first: number): LineSearchResult {
    const ginit = this.slope0;
    const gtest = this.spec.c1 * ginit;
    const iv: StepInterval = { stx: 0, fx: this.f0, dx: ginit, sty: 0, fy: this.f0, dy: ginit, brackt: false };
    let stage = 1;
    let width = Infinity;
    let width1 = Infinity;
    let stmin = 0;
    let stmax = first + MT_XTRAPU * first;
    let stp = first;
    for (;;) {
      if (this.evaluations >= this.cap) return this.finish('max-evaluations');
      const cur = this.evaluate(stp);
      if (iv.stx === 0 && this.flatAtFloat32(cur)) return this.finish('interval-too-small');
      if (!Number.isFinite(cur.f)) {
        // Nothing to interpolate through NaN/∞: bracket there and step back towards stx.
        iv.brackt = true;
        iv.sty = stp;
        iv.fy = Infinity;
        iv.dy = NaN;
        stp = iv.stx + NONFINITE_SHRINK * (stp - iv.stx);
        stmin = Math.min(iv.stx, iv.sty);
        stmax = Math.max(iv.stx, iv.sty);
        if (this.intervalTooSmall(iv.stx, stp)) return this.finish('interval-too-small');
        continue;
      }
      const ftest = this.f0 + stp * gtest;
      if (stage === 1 && cur.f <= ftest && cur.slope >= 0) stage = 2;
      if (this.sufficientDecrease(cur) && this.curvatureHolds(cur)) return this.finish('converged', cur);
      if (stage === 1 && cur.f <= iv.fx && cur.f > ftest) {
        // The modified function ψ keeps the first stage from settling on a step without sufficient decrease.
        const m: StepInterval = { ...iv, fx: iv.fx - iv.stx * gtest, dx: iv.dx - gtest, fy: iv.fy - iv.sty * gtest, dy: iv.dy - gtest };
        stp = dcstep(m, stp, cur.f - stp * gtest, cur.slope - gtest, stmin, stmax);
        Object.assign(iv, { ...m, fx: m.fx + m.stx * gtest, dx: m.dx + gtest, fy: m.fy + m.sty * gtest, dy: m.dy + gtest });
      } else {
        stp = dcstep(iv, stp, cur.f, cur.slope, stmin, stmax);
      }
      if (iv.brackt) {
        if (Math.abs(iv.sty - iv.stx) >= 0.66 * width1) stp = iv.stx + 0.5 * (iv.sty - iv.stx);
        width1 = width;
        width = Math.abs(iv.sty - iv.stx);
        stmin = Math.min(iv.stx, iv.sty);
        stmax = Math.max(iv.stx, iv.sty);
      } else {
        stmin = stp + MT_XTRAPL * (stp - iv.stx);
        stmax = stp + MT_XTRAPU * (stp - iv.stx);
      }
      stp = Math.max(stp, 0);
      // A cubic through a NaN/∞ end has no minimiser: bisect instead.
      if (!Number.isFinite(stp)) stp = iv.brackt ? (iv.stx + iv.sty) / 2 : stmax;
      if (iv.brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= MT_XTOL * stmax || this.intervalTooSmall(iv.stx, iv.sty))) {
        // dcsrch would re-evaluate stx here and stop with a warning; the best point is already known.
        return this.finish('interval-too-small');
      }
    }
  }

  /** N&W Alg. 3.5: grow the step until the bracket holds a strong-Wolfe point, then zoom. */
  private bracket(firstStep: number): LineSearchResult {
    let prev: Sample = { alpha: 0, f: this.f0, slope: this.slope0 };
    let alpha = firstStep;
    for (let i = 0; ; i++) {
      if (this.evaluations >= this.cap) return this.finish('max-evaluations');
      const cur = this.evaluate(alpha);
      if (!this.sufficientDecrease(cur) || (i > 0 && cur.f >= prev.f)) return this.zoom(prev, cur);
      if (this.curvatureHolds(cur)) return this.finish('converged', cur);
      if (cur.slope >= 0) return this.zoom(cur, prev);
      const lower = cur.alpha + MIN_GROWTH * (cur.alpha - prev.alpha);
      const upper = MAX_GROWTH * cur.alpha;
      const t = cubicMinimizer(prev.alpha, prev.f, prev.slope, cur.alpha, cur.f, cur.slope);
      alpha = t === null ? (lower + upper) / 2 : Math.min(Math.max(t, lower), upper);
      prev = cur;
    }
  }

  /**
   * N&W Alg. 3.6. Invariants: lo has the lowest f among sufficient-decrease points seen, and
   * slope(lo)·(hi − lo) < 0, so the bracket always contains a strong-Wolfe point.
   */
  private zoom(lo: Sample, hi: Sample): LineSearchResult {
    for (;;) {
      if (this.evaluations >= this.cap) return this.finish('max-evaluations');
      if (this.intervalTooSmall(lo.alpha, hi.alpha)) return this.finish('interval-too-small');
      const cur = this.evaluate(this.zoomTrial(lo, hi));
      if (lo.alpha === 0 && this.flatAtFloat32(cur)) return this.finish('interval-too-small');
      if (!this.sufficientDecrease(cur) || cur.f >= lo.f) {
        hi = cur;
        continue;
      }
      if (this.curvatureHolds(cur)) return this.finish('converged', cur);
      if (cur.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = cur;
    }
  }

  private zoomTrial(lo: Sample, hi: Sample): number {
    const width = Math.abs(hi.alpha - lo.alpha);
    if (!Number.isFinite(hi.f) || !Number.isFinite(hi.slope)) {
      // Nothing to interpolate through a NaN/∞ end: step back towards the good end.
      return lo.alpha + NONFINITE_SHRINK * (hi.alpha - lo.alpha);
    }
    const left = Math.min(lo.alpha, hi.alpha);
    const right = Math.max(lo.alpha, hi.alpha);
    const cubic = cubicMinimizer(lo.alpha, lo.f, lo.slope, hi.alpha, hi.f, hi.slope);
    if (cubic !== null && cubic > left + CUBIC_MARGIN * width && cubic < right - CUBIC_MARGIN * width) return cubic;
    const quad = quadraticMinimizer(lo.alpha, lo.f, lo.slope, hi.alpha, hi.f);
    if (quad !== null && quad > left + QUADRATIC_MARGIN * width && quad < right - QUADRATIC_MARGIN * width) return quad;
    return (lo.alpha + hi.alpha) / 2;
  }

  /** Armijo backtracking from firstStep; the quadratic shrink is kept within [0.1, 0.5] of the step. */
  private backtrack(firstStep: number): LineSearchResult {
    let alpha = firstStep;
    for (;;) {
      if (this.evaluations >= this.cap) return this.finish('max-evaluations');
      const cur = this.evaluate(alpha);
      if (this.sufficientDecrease(cur)) return this.finish('converged', cur);
      if (this.flatAtFloat32(cur)) return this.finish('interval-too-small');
      if (!Number.isFinite(cur.f)) {
        alpha *= NONFINITE_SHRINK;
      } else {
        const q = quadraticMinimizer(0, this.f0, this.slope0, alpha, cur.f);
        const lo = BACKTRACK_MIN * alpha;
        const hi = BACKTRACK_MAX * alpha;
        alpha = q === null ? hi : Math.min(Math.max(q, lo), hi);
      }
      if (this.intervalTooSmall(0, alpha)) return this.finish('interval-too-small');
    }
  }

  /** Armijo, plus a strict decrease: equal values carry no information at float32 resolution. */
  private sufficientDecrease(p: Sample): boolean {
    return p.f < this.f0 && p.f <= this.f0 + this.spec.c1 * p.alpha * this.slope0;
  }

  private curvatureHolds(p: Sample): boolean {
    return Math.abs(p.slope) <= -this.spec.c2 * this.slope0;
  }

  /**
   * f came back exactly f(x) at a step whose predicted change is below float32 resolution: shorter
   * steps can only predict less, so further trials would spend evaluations seeing the same value.
   */
  private flatAtFloat32(p: Sample): boolean {
    return p.f === this.f0 && p.alpha * Math.abs(this.slope0) <= this.resolution * Math.abs(this.f0);
  }

  /** True once the two steps differ by less than float64 can represent in α or in x. */
  private intervalTooSmall(a: number, b: number): boolean {
    const gap = Math.abs(b - a);
    if (gap <= Number.EPSILON * Math.max(Math.abs(a), Math.abs(b))) return true;
    this.infNorms ??= { x: this.ops.infNorm(this.request.x), d: this.ops.infNorm(this.request.d) };
    return gap * this.infNorms.d <= Number.EPSILON * this.infNorms.x;
  }

  private evaluate(alpha: number): Sample {
    const { objective, x, d } = this.request;
    const { trialX, trialG } = this.ws;
    this.ops.addScaled(trialX, x, alpha, d);
    const raw = objective.evaluate(trialX, trialG);
    this.evaluations++;
    // A NaN or ±∞ entry of the gradient makes g·d non-finite; only then is the full check needed
    // (a finite gradient whose g·d overflows stays finite, as before).
    const gd = this.ops.dot(trialG, d);
    const finite = Number.isFinite(raw) && (Number.isFinite(gd) || this.ops.allFinite(trialG));
    const f = finite ? raw : Infinity;
    const slope = finite ? gd : NaN;
    if (!finite) this.nonFiniteTrials++;
    if (finite) {
      const scale = this.resolution * Math.max(Math.abs(this.f0), Number.MIN_VALUE);
      if (Math.abs(f - this.f0) <= scale || alpha * Math.abs(this.slope0) <= scale) this.belowResolution = true;
    }
    if (f < this.bestF) {
      this.bestF = f;
      this.bestAlpha = alpha;
      this.bestSlope = slope;
      this.ops.copy(trialX, this.ws.bestX);
      this.ops.copy(trialG, this.ws.bestG);
    }
    return { alpha, f, slope };
  }

  private finish(status: LineSearchStatus, accepted?: Sample): LineSearchResult {
    const { x, g } = this.request;
    const decreased = this.bestF < this.f0;
    const best: LineSearchPoint = decreased
      ? { alpha: this.bestAlpha, f: this.bestF, x: this.ws.bestX, g: this.ws.bestG, slope: this.bestSlope }
      : { alpha: 0, f: this.f0, x, g, slope: this.slope0 };
    const common = {
      evaluations: this.evaluations,
      best,
      initialSlope: this.slope0,
      belowFloat32Resolution: this.belowResolution,
      nonFiniteTrials: this.nonFiniteTrials,
    };
    if (accepted) {
      const point = { alpha: accepted.alpha, f: accepted.f, x: this.ws.trialX, g: this.ws.trialG, slope: accepted.slope };
      return { ...point, ...common, status, decreased: true };
    }
    const finalStatus: LineSearchStatus = status === 'not-descent' ? status : decreased ? status : 'no-decrease';
    return { ...best, ...common, status: finalStatus, decreased };
  }
}
