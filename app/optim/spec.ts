/**
 * Optimizer settings as data: validated with zod, shared by the experiment file, the CLI flags and
 * the renderer's forms. Every default lives here, once.
 */
import { z } from 'zod';
import { DEFAULT_DENSE_LIMIT } from './lm';

const lineSearch = z.object({
  /**
   * strong-wolfe: bracketing + cubic/quadratic zoom (Nocedal & Wright 3.5/3.6). more-thuente:
   * MINPACK-2 dcsrch, as scipy's BFGS and L-BFGS-B. backtracking: Armijo only.
   */
  kind: z.enum(['more-thuente', 'strong-wolfe', 'backtracking']).default('more-thuente'),
  c1: z.number().gt(0).lt(1).default(1e-4),
  c2: z.number().gt(0).lt(1).default(0.9),
  /** Cap on function evaluations inside one line search. */
  maxEvaluations: z.int().min(2).max(1000).default(25),
  /**
   * First trial step once curvature pairs exist. 'unit': α = 1 (Nocedal & Wright; keeps
   * superlinear convergence). 'previous-decrease': α = min(1, 1.01·2(f₋₁ − f)/(−g'd)), scipy's
   * BFGS rule. (Without pairs the first step is always min(1, 1/‖g‖₁).)
   */
  initialStep: z.enum(['unit', 'previous-decrease']).default('unit'),
  /**
   * First trial step along −g when there are no curvature pairs (first iteration, after a reset).
   * 'gradient-l1': min(1, 1/‖g‖₁) (PyTorch). 'gradient-l2': 1/‖g‖₂, a unit-length first move,
   * not capped (L-BFGS-B). 'gradient-l2-capped': min(1, 1.01/‖g‖₂), scipy's BFGS (its
   * previous-decrease rule seeded with Δf = ‖g‖/2): the BFGS default, so that BFGS walks scipy's
   * path wherever nothing adaptive triggers: the first trial's length alone moves the whole path
   * of a network problem (measurements in bench/README.md).
   */
  firstStep: z.enum(['gradient-l2', 'gradient-l1', 'gradient-l2-capped']).default('gradient-l2'),
});
export type LineSearchSpec = z.infer<typeof lineSearch>;
export const lineSearchSpecSchema = lineSearch;

const batchSize = z.int().min(1).optional(); // undefined = full batch (deterministic)

/**
 * What to do with a curvature pair whose s'y is small. 'skip': drop it when s'y is not safely
 * positive (L-BFGS-B's scale-aware test). 'damped': Powell's damping (N&W 18.2), replacing y by
 * θy + (1−θ)Bs whenever s'y < 0.2·s'Bs (Bs = −α·g, known without B), so every step updates.
 */
const curvatureUpdate = z.enum(['skip', 'damped']);

export const lbfgsSpecSchema = z.object({
  kind: z.literal('lbfgs'),
  history: z.int().min(1).max(1000).default(10),
  lineSearch: lineSearch.prefault({}),
  /**
   * H₀ = γI in the two-loop recursion. 'every-iteration': γ = s'y/y'y of the newest pair
   * (N&W 7.20, L-BFGS-B, PyTorch). 'first-pair': γ of the first pair kept (Shanno–Phua).
   * 'larger-of-two': the larger γ of the two newest pairs, so that one pair with unusually high
   * curvature along its step does not shrink the next step; it wins big on some problems and loses
   * on others (bench/README.md).
   * 'guarded' (default): the newest pair's γ unless it fell below half the previous pair's γ, then
   * the least-squares γ of the two, (s₁'y₁ + s₂'y₂)/(y₁'y₁ + y₂'y₂): it damps the one outlying pair
   * only when there is one, keeping L-BFGS-B's behaviour where γ is steady (bench/README.md).
   */
  initialScaling: z.enum(['every-iteration', 'first-pair', 'larger-of-two', 'guarded']).default('guarded'),
  /** 'skip' by default: damping cost evaluations on the network problems of the suite (bench/README). */
  curvatureUpdate: curvatureUpdate.default('skip'),
});

export const bfgsSpecSchema = z.object({
  kind: z.literal('bfgs'),
  /**
   * scipy's first trial rules by default: with H₀ = I the unit step is rarely the right length, and
   * scipy's own first step along −g (see firstStep).
   */
  lineSearch: lineSearch.prefault({ initialStep: 'previous-decrease', firstStep: 'gradient-l2-capped' }),
  /**
   * Initial inverse Hessian. 'identity' (as scipy): I; BFGS corrects an H that is too large
   * quickly, one that is too small slowly. 'scaled': γI, γ = s'y/y'y, set just before the first
   * update (Nocedal & Wright 6.20, Shanno–Phua): best on Rosenbrock-like problems, slow on a
   * wide-spectrum quadratic. 'adaptive': 'scaled', then H ← τH (τ = s'y/y'Hy) whenever τ > 1.
   * 'identity-adaptive' (default): I, then from the 5th update on H ← τH whenever τ > 1 — scipy's
   * path until H proves too small, as on classifiers whose curvature falls with the loss.
   * Reference suite: bench/README.md.
   */
  initialHessian: z.enum(['identity', 'scaled', 'adaptive', 'identity-adaptive']).default('identity-adaptive'),
  /**
   * 'skip' by default, as scipy: Powell damping helped the seed perceptron but cost evaluations on
   * the tanh regression, in float64 too (bench/README.md).
   */
  curvatureUpdate: curvatureUpdate.default('skip'),
  /** Refuse to allocate an n×n float64 inverse Hessian larger than this. */
  memoryBudgetBytes: z.number().positive().default(512 * 1024 * 1024),
});

export const sgdSpecSchema = z.object({
  kind: z.literal('sgd'),
  learningRate: z.number().positive().default(0.01),
  momentum: z.number().min(0).lt(1).default(0.9),
  nesterov: z.boolean().default(false),
  batchSize,
});

export const adamSpecSchema = z.object({
  kind: z.literal('adam'),
  learningRate: z.number().positive().default(0.001),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-7),
  batchSize,
});

export const rmspropSpecSchema = z.object({
  kind: z.literal('rmsprop'),
  learningRate: z.number().positive().default(0.001),
  rho: z.number().min(0).lt(1).default(0.9),
  momentum: z.number().min(0).lt(1).default(0),
  epsilon: z.number().positive().default(1e-7),
  batchSize,
});

export const adagradSpecSchema = z.object({
  kind: z.literal('adagrad'),
  learningRate: z.number().positive().default(0.01),
  initialAccumulator: z.number().min(0).default(0.1),
  epsilon: z.number().positive().default(1e-7),
  batchSize,
});

/**
 * Levenberg–Marquardt's settings, shared by 'lm' and 'br' (MATLAB trainlm / trainbr defaults).
 * `damping`: D in (JᵀJ + μD)δ = −Jᵀe, 'identity' (trainlm) or 'diagonal' = diag(JᵀJ) (Marquardt).
 * `solver`: 'auto' solves densely by Cholesky up to `denseLimit` parameters where that costs less per
 * iteration than conjugate gradients (lm.ts denseCheaper; docs/levenberg-marquardt.md has the
 * measured crossover), and matrix-free above it.
 * `validationChecks`: stop after this many consecutive iterations whose validation loss did not
 * improve, when the experiment has a validation split (0 = off; trainlm's max_fail).
 */
function levenbergMarquardtFields(mu: number, validationChecks: number) {
  return {
    mu: z.number().positive().default(mu),
    muDecrease: z.number().gt(0).lt(1).default(0.1),
    muIncrease: z.number().gt(1).default(10),
    muMax: z.number().positive().default(1e10),
    minGradient: z.number().min(0).default(1e-7),
    damping: z.enum(['identity', 'diagonal']).default('identity'),
    schedule: z.enum(['trainlm', 'gain-ratio']).default('trainlm'),
    solver: z.enum(['auto', 'dense', 'matrix-free']).default('auto'),
    denseLimit: z.int().min(1).max(20_000).default(DEFAULT_DENSE_LIMIT),
    cgMaxIterations: z.int().min(1).max(100_000).default(250),
    cgTolerance: z.number().gt(0).lt(1).default(1e-6),
    validationChecks: z.int().min(0).default(validationChecks),
  };
}

/** Levenberg–Marquardt (trainlm): μ = 1e-3, validation checks 6. */
export const lmSpecSchema = z.object({ kind: z.literal('lm'), ...levenbergMarquardtFields(1e-3, 6) });
/** Bayesian regularization (trainbr): μ = 5e-3, validation stopping off. */
export const brSpecSchema = z.object({ kind: z.literal('br'), ...levenbergMarquardtFields(5e-3, 0) });
export type LmSpec = z.infer<typeof lmSpecSchema>;
export type BrSpec = z.infer<typeof brSpecSchema>;

/**
 * Trust-region Newton with Steihaug–Toint CG on exact Hessian-vector products, scipy's `trust-ncg`
 * with its defaults (initial_trust_radius 1, max_trust_radius 1000, eta 0.15).
 */
export const newtonCgSpecSchema = z.object({
  kind: z.literal('newton-cg'),
  initialTrustRadius: z.number().positive().default(1),
  maxTrustRadius: z.number().positive().default(1000),
  eta: z.number().min(0).lt(0.25).default(0.15),
  /** Cap on CG iterations per trust-region subproblem; omitted = 10·n + 100 (scipy: none). */
  maxCgIterations: z.int().min(1).optional(),
});

/** One optimizer on its own: what a run, or one phase of a sequence, uses. */
const SINGLE_OPTIMIZER_SCHEMAS = [lbfgsSpecSchema, bfgsSpecSchema, sgdSpecSchema, adamSpecSchema, rmspropSpecSchema, adagradSpecSchema, lmSpecSchema, brSpecSchema, newtonCgSpecSchema] as const;
export const singleOptimizerSpecSchema = z.discriminatedUnion('kind', SINGLE_OPTIMIZER_SCHEMAS);
export type SingleOptimizerSpec = z.infer<typeof singleOptimizerSpecSchema>;
export type SingleOptimizerKind = SingleOptimizerSpec['kind'];

/**
 * When a phase of a sequence hands over: after a number of its own iterations, and/or on a plateau
 * (relative decrease of the loss over the last `window` iterations below `tolerance`).
 */
export const phaseUntilSchema = z
  .object({
    iterations: z.int().min(1).optional(),
    plateau: z.object({ window: z.int().min(2).max(100_000), tolerance: z.number().gt(0).lt(1) }).optional(),
  })
  .refine((u) => u.iterations !== undefined || u.plateau !== undefined, { message: 'needs iterations or plateau' });
export type PhaseUntil = z.infer<typeof phaseUntilSchema>;

/**
 * A hand-off run, e.g. Adam then L-BFGS: each phase starts from the previous phase's best point
 * with fresh optimizer state; counters and budgets are the run's, cumulative over phases.
 */
export const sequenceSpecSchema = z.object({
  kind: z.literal('sequence'),
  phases: z
    .array(z.object({ optimizer: singleOptimizerSpecSchema, until: phaseUntilSchema.optional() }))
    .min(2)
    .max(8)
    .superRefine((phases, ctx) => {
      phases.forEach((p, i) => {
        const last = i === phases.length - 1;
        if (!last && !p.until) ctx.addIssue({ code: 'custom', path: [i, 'until'], message: 'every phase but the last needs `until` (iterations or plateau)' });
        if (last && p.until) ctx.addIssue({ code: 'custom', path: [i, 'until'], message: "the last phase runs to the run's stopping rules; remove `until`" });
      });
    }),
});
export type SequenceSpec = z.infer<typeof sequenceSpecSchema>;

export const optimizerSpecSchema = z.discriminatedUnion('kind', [...SINGLE_OPTIMIZER_SCHEMAS, sequenceSpecSchema]);

export type OptimizerSpec = z.infer<typeof optimizerSpecSchema>;
export type OptimizerKind = OptimizerSpec['kind'];
export type OptimizerSpecInput = z.input<typeof optimizerSpecSchema>;
/** The single optimizers (what `--optimizer` lists and the GUI's add buttons offer). */
export const OPTIMIZER_KINDS: readonly SingleOptimizerKind[] = ['lbfgs', 'bfgs', 'adam', 'sgd', 'rmsprop', 'adagrad', 'lm', 'br', 'newton-cg'];

export const OPTIMIZER_LABELS: Record<OptimizerKind, string> = {
  lbfgs: 'L-BFGS',
  bfgs: 'BFGS',
  adam: 'Adam',
  sgd: 'SGD',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
  lm: 'Levenberg–Marquardt',
  br: 'Bayesian regularization',
  'newton-cg': 'Newton-CG',
  sequence: 'Sequence',
};

/** "Adam → L-BFGS" for a sequence, the optimizer's name otherwise. */
export function optimizerLabel(spec: OptimizerSpec): string {
  return spec.kind === 'sequence' ? spec.phases.map((p) => OPTIMIZER_LABELS[p.optimizer.kind]).join(' → ') : OPTIMIZER_LABELS[spec.kind];
}

/** True for the methods whose line search and curvature pairs assume a deterministic objective. */
export function isQuasiNewton(kind: OptimizerKind): boolean {
  return kind === 'lbfgs' || kind === 'bfgs';
}

/** Levenberg–Marquardt and Bayesian regularization: full-batch Gauss–Newton methods on a sum of squares. */
export function isLevenbergMarquardt(kind: OptimizerKind): boolean {
  return kind === 'lm' || kind === 'br';
}

/** Methods that compare f between trial points need a deterministic objective (no dropout). */
function isDeterministic(kind: OptimizerKind): boolean {
  return isQuasiNewton(kind) || isLevenbergMarquardt(kind);
}

/** A sequence with any quasi-Newton or LM phase needs the deterministic objective throughout. */
export function needsDeterministicObjective(spec: OptimizerSpec): boolean {
  return spec.kind === 'sequence' ? spec.phases.some((p) => isDeterministic(p.optimizer.kind)) : isDeterministic(spec.kind);
}

/** Stopping rules and budget of one run (ms/seconds as the user thinks of them). */
export const stoppingSpecSchema = z.object({
  gradientTolerance: z.number().min(0).default(1e-5),
  functionTolerance: z.number().min(0).default(1e-9),
  stepTolerance: z.number().min(0).default(0),
  maxIterations: z.int().min(1).default(1000),
  maxEvaluations: z.int().min(1).default(15000),
  /** Seconds of the run's own work; omitted = no limit. */
  maxSeconds: z.number().positive().optional(),
  /**
   * Validation checks (MATLAB's max_fail): stop once the validation loss has not improved for this
   * many consecutive iterations. With checks on, a run reports its best-validation weights however
   * it ended. Omitted = off; needs a validation split.
   */
  validationChecks: z.int().min(1).max(100_000).optional(),
});
export type StoppingSpec = z.infer<typeof stoppingSpecSchema>;

const LINE_SEARCH_NAMES: Record<LineSearchSpec['kind'], string> = {
  'strong-wolfe': 'N&W zoom',
  'more-thuente': 'Moré–Thuente',
  backtracking: 'backtracking',
};

const LBFGS_SCALING_NAMES: Record<z.infer<typeof lbfgsSpecSchema>['initialScaling'], string> = {
  guarded: 'γ of newest pair, guarded',
  'larger-of-two': 'γ larger of last two',
  'every-iteration': 'γ of newest pair',
  'first-pair': 'γ of first pair',
};

/**
 * The quasi-Newton variant in a few words, for run cards and logs: the line search, the first
 * trial rule and H₀ scaling, and what differs from the defaults (e.g. "Moré–Thuente · H₀ adaptive ·
 * damped"). First-order methods have no variant: ''.
 */
export function variantSummary(spec: OptimizerSpec): string {
  if (spec.kind === 'lm' || spec.kind === 'br') return levenbergMarquardtSummary(spec);
  if (spec.kind !== 'bfgs' && spec.kind !== 'lbfgs') return '';
  const ls = spec.lineSearch;
  const parts = [LINE_SEARCH_NAMES[ls.kind]];
  parts.push(ls.initialStep === 'unit' ? 'α₀ = 1' : 'α₀ from last decrease');
  if (spec.kind === 'bfgs') parts.push(`H₀ ${spec.initialHessian}`);
  else parts.push(`m = ${spec.history}, ${LBFGS_SCALING_NAMES[spec.initialScaling]}`);
  parts.push(spec.curvatureUpdate === 'damped' ? 'damped updates' : 'skip bad pairs');
  const defaults = optimizerSpecSchema.parse({ kind: spec.kind });
  const isDefault = sameData(defaults, spec);
  return `${parts.join(' · ')}${isDefault ? ' (default)' : ''}`;
}

/** e.g. "μ₀ 1e-3 ×0.1/×10 · D = I · dense ≤ 2000 params, else CG (default)". */
function levenbergMarquardtSummary(spec: LmSpec | BrSpec): string {
  const parts = [spec.schedule === 'trainlm' ? `μ₀ ${spec.mu.toExponential(0)} ×${spec.muDecrease}/×${spec.muIncrease}` : `μ₀ ${spec.mu.toExponential(0)} by gain ratio`];
  parts.push(spec.damping === 'diagonal' ? 'D = diag(JᵀJ)' : 'D = I');
  if (spec.solver === 'auto') parts.push(`dense or CG by cost (dense ≤ ${spec.denseLimit} params)`);
  else parts.push(spec.solver === 'dense' ? 'dense Cholesky' : 'matrix-free CG');
  if (spec.kind === 'br') parts.push('α, β by MacKay');
  parts.push(spec.validationChecks > 0 ? `${spec.validationChecks} validation checks` : 'no validation stop');
  const isDefault = sameData(optimizerSpecSchema.parse({ kind: spec.kind }), spec);
  return `${parts.join(' · ')}${isDefault ? ' (default)' : ''}`;
}

/** Deep equality of plain data (key order ignored). */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
