/**
 * Optimizer settings as data: validated with zod, shared by the experiment file, the CLI flags and
 * the renderer's forms. Every default lives here, once.
 */
import { z } from 'zod';

const lineSearch = z.object({
  /** strong-wolfe: bracketing + cubic/quadratic zoom. backtracking: Armijo only. */
  kind: z.enum(['strong-wolfe', 'backtracking']).default('strong-wolfe'),
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
});
export type LineSearchSpec = z.infer<typeof lineSearch>;
export const lineSearchSpecSchema = lineSearch;

const batchSize = z.int().min(1).optional(); // undefined = full batch (deterministic)

export const lbfgsSpecSchema = z.object({
  kind: z.literal('lbfgs'),
  history: z.int().min(1).max(1000).default(10),
  lineSearch: lineSearch.prefault({}),
});

export const bfgsSpecSchema = z.object({
  kind: z.literal('bfgs'),
  lineSearch: lineSearch.prefault({}),
  /**
   * Initial inverse Hessian. 'scaled': γI with γ = s'y/y'y, set just before the first update
   * (Nocedal & Wright 6.20). 'identity': I throughout, as scipy's BFGS does — better on some
   * ill-conditioned quadratics, worse on most network losses; here so comparisons can match scipy.
   */
  initialHessian: z.enum(['scaled', 'identity']).default('scaled'),
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

/** One optimizer on its own: what a run, or one phase of a sequence, uses. */
export const singleOptimizerSpecSchema = z.discriminatedUnion('kind', [
  lbfgsSpecSchema,
  bfgsSpecSchema,
  sgdSpecSchema,
  adamSpecSchema,
  rmspropSpecSchema,
  adagradSpecSchema,
]);
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

export const optimizerSpecSchema = z.discriminatedUnion('kind', [
  lbfgsSpecSchema,
  bfgsSpecSchema,
  sgdSpecSchema,
  adamSpecSchema,
  rmspropSpecSchema,
  adagradSpecSchema,
  sequenceSpecSchema,
]);

export type OptimizerSpec = z.infer<typeof optimizerSpecSchema>;
export type OptimizerKind = OptimizerSpec['kind'];
export type OptimizerSpecInput = z.input<typeof optimizerSpecSchema>;
/** The single optimizers (what `--optimizer` lists and the GUI's add buttons offer). */
export const OPTIMIZER_KINDS: readonly SingleOptimizerKind[] = ['lbfgs', 'bfgs', 'adam', 'sgd', 'rmsprop', 'adagrad'];

export const OPTIMIZER_LABELS: Record<OptimizerKind, string> = {
  lbfgs: 'L-BFGS',
  bfgs: 'BFGS',
  adam: 'Adam',
  sgd: 'SGD',
  rmsprop: 'RMSprop',
  adagrad: 'Adagrad',
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

/** A sequence with any quasi-Newton phase needs the deterministic objective throughout. */
export function needsDeterministicObjective(spec: OptimizerSpec): boolean {
  return spec.kind === 'sequence' ? spec.phases.some((p) => isQuasiNewton(p.optimizer.kind)) : isQuasiNewton(spec.kind);
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
});
export type StoppingSpec = z.infer<typeof stoppingSpecSchema>;
