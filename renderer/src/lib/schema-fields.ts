/**
 * Turns the zod optimizer/stopping schemas into form field descriptions, so the forms show every
 * hyperparameter with the default and bounds the schema declares — nothing is retyped here but labels.
 */
import type { z } from 'zod';

export interface FieldInfo {
  key: string;
  path: string[];
  label: string;
  help?: string;
  kind: 'number' | 'int' | 'boolean' | 'enum' | 'group';
  /** Optional without default: empty means "off" (e.g. full batch, no time limit). */
  optional: boolean;
  /** What an empty optional field means. */
  emptyMeaning?: string;
  min?: number;
  minInclusive?: boolean;
  max?: number;
  maxInclusive?: boolean;
  options?: readonly string[];
  children?: FieldInfo[];
  /** Shown in this unit (the file keeps the schema's): memory budgets in MiB, not bytes. */
  unit?: { name: string; scale: number };
  /** Tuning most runs never touch (line search, H₀, safeguards): folded under "Advanced". */
  advanced?: boolean;
}

/** The slice of zod 4's runtime definitions this module reads. */
interface Def {
  type: string;
  innerType?: ZodLike;
  format?: string;
  entries?: Record<string, string>;
  checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean } } }[];
}
interface ZodLike {
  def: Def;
  shape?: Record<string, ZodLike>;
}

const LABELS: Record<string, [string, string?]> = {
  history: ['History size m', 'Curvature pairs kept; memory grows as 2·m·n'],
  lineSearch: ['Line search'],
  kind: ['Method', "more-thuente: Moré–Thuente interval search, as scipy's BFGS and L-BFGS-B; strong-wolfe: bracketing and cubic/quadratic zoom (Nocedal & Wright); backtracking: Armijo only"],
  c1: ['c₁ (sufficient decrease)'],
  c2: ['c₂ (curvature)'],
  maxEvaluations: ['Max evaluations'],
  initialStep: ['First trial step', "unit: α = 1 (Nocedal & Wright); previous-decrease: α = min(1, 2·Δf/(−g'd)), scipy's rule"],
  firstStep: ['Step without curvature', "First iteration and after a reset, along −g. gradient-l2: 1/‖g‖₂, a unit-length move (L-BFGS-B); gradient-l2-capped: min(1, 1.01/‖g‖₂) (scipy's BFGS); gradient-l1: min(1, 1/‖g‖₁) (PyTorch)"],
  initialHessian: ['Initial inverse Hessian', "identity-adaptive: I as scipy's BFGS, then from the 5th update on scaled up by s'y/y'Hy whenever H under-estimates; adaptive: γI (γ = s'y/y'y) before the first update, then scaled up likewise; scaled: γI before the first update only (Nocedal & Wright 6.20); identity: I, as scipy's BFGS"],
  initialScaling: ['H₀ scaling', "guarded: γ = s'y/y'y of the newest pair unless it fell below half the previous pair's, then the least-squares γ of the two; every-iteration: γ = s'y/y'y of the newest pair (Nocedal & Wright 7.20, L-BFGS-B); larger-of-two: the larger γ of the two newest pairs; first-pair: γ of the first pair only (Shanno–Phua)"],
  curvatureUpdate: ['Curvature safeguard', "damped: Powell's damping keeps s'y ≥ 0.2·s'Bs so every step updates; skip: drop pairs whose s'y is not safely positive"],
  memoryBudgetBytes: ['Memory budget (MiB)', 'Dense BFGS refuses an inverse Hessian larger than this'],
  learningRate: ['Learning rate'],
  momentum: ['Momentum'],
  nesterov: ['Nesterov momentum'],
  batchSize: ['Batch size', 'Empty = full batch (deterministic)'],
  beta1: ['β₁'],
  beta2: ['β₂'],
  epsilon: ['ε'],
  rho: ['ρ (decay)'],
  initialAccumulator: ['Initial accumulator'],
  gradientTolerance: ['Gradient tolerance', 'Stop when ‖g‖∞ ≤ this'],
  functionTolerance: ['Function tolerance', 'Stop when the relative change of f ≤ this'],
  stepTolerance: ['Step tolerance', 'Stop when ‖Δx‖∞ ≤ this·(1+‖x‖∞); 0 disables'],
  maxIterations: ['Max iterations'],
  maxSeconds: ['Max seconds', 'Empty = no time limit'],
  mu: ['Initial μ', 'Damping in (JᵀJ + μD)δ = −Jᵀe: large μ is a short gradient step, small μ the Gauss–Newton step (trainlm 1e-3, trainbr 5e-3)'],
  muDecrease: ['μ decrease', 'μ ← μ·this after a step that lowers the error'],
  muIncrease: ['μ increase', 'μ ← μ·this after a rejected trial; J is not recomputed'],
  muMax: ['μ max', 'Stop when μ exceeds this'],
  minGradient: ['Min gradient', 'Stop when ‖∇f‖₂ falls below this (trainlm min_grad)'],
  damping: ['Damping D', "identity: μI (trainlm); diagonal: μ·diag(JᵀJ) (Marquardt's scaling)"],
  schedule: ['μ schedule', "trainlm: ×decrease / ×increase; gain-ratio: from actual ÷ predicted decrease (Nielsen), a trust region in all but name"],
  solver: ['Solver', 'auto: dense Cholesky up to the dense limit, matrix-free CG above it'],
  denseLimit: ['Dense limit (parameters)', 'Largest n for the dense solve (8n² bytes per matrix, n³/6 per Cholesky)'],
  cgMaxIterations: ['CG iterations', 'Matrix-free: at most this many CG iterations per solve (2 passes each)'],
  cgTolerance: ['CG tolerance', 'Matrix-free: stop CG when the residual falls below this fraction of −Jᵀe'],
  huberDelta: ['Huber δ', "Errors smaller than δ count quadratically (as mse), larger ones linearly (as mae); in the standardised target's units when the target is scaled"],
  validationChecks: ['Validation checks', 'Stop after this many iterations without a better validation loss and keep the best-validation weights. Empty = off'],
};

const EMPTY_MEANING: Record<string, string> = { batchSize: 'full batch', maxSeconds: 'no limit', validationChecks: 'off' };
const UNITS: Record<string, { name: string; scale: number }> = { memoryBudgetBytes: { name: 'MiB', scale: 2 ** 20 } };
const ADVANCED = new Set(['lineSearch', 'firstStep', 'initialHessian', 'initialScaling', 'curvatureUpdate']);

function humanize(key: string): string {
  const words = key.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function describeField(key: string, schema: ZodLike, path: string[]): FieldInfo | null {
  let s = schema;
  let optional = false;
  while (s.def.type === 'default' || s.def.type === 'prefault' || s.def.type === 'optional') {
    if (s.def.type === 'optional') optional = true;
    s = s.def.innerType as ZodLike;
  }
  const [label, help] = LABELS[key] ?? [humanize(key)];
  const base = { key, path: [...path, key], label, help, optional, emptyMeaning: EMPTY_MEANING[key], unit: UNITS[key], advanced: path.length === 0 && ADVANCED.has(key) };
  switch (s.def.type) {
    case 'literal':
      return null; // the discriminator; fixed by the card
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'enum':
      return { ...base, kind: 'enum', options: Object.values(s.def.entries ?? {}) };
    case 'object':
      return { ...base, kind: 'group', children: describeObject(s as z.ZodObject, [...path, key]) };
    case 'number': {
      const info: FieldInfo = { ...base, kind: s.def.format === 'safeint' || s.def.format === 'int32' ? 'int' : 'number' };
      for (const c of s.def.checks ?? []) {
        const d = c._zod.def;
        if (d.check === 'greater_than') {
          info.min = d.value;
          info.minInclusive = d.inclusive;
        } else if (d.check === 'less_than') {
          info.max = d.value;
          info.maxInclusive = d.inclusive;
        }
      }
      return info;
    }
    default:
      return null;
  }
}

/** The label a form shows for a schema key (also used to name fields in validation messages). */
export function fieldLabel(key: string): string {
  return (LABELS[key] ?? [humanize(key)])[0];
}

export function describeObject(schema: z.ZodObject, path: string[] = []): FieldInfo[] {
  const shape = (schema as unknown as ZodLike).shape ?? {};
  return Object.entries(shape)
    .map(([key, s]) => describeField(key, s, path))
    .filter((f): f is FieldInfo => f !== null);
}

/** A number typed by the user (exponent notation welcome) checked against the field's bounds. */
export function parseNumberField(field: FieldInfo, text: string): { value?: number; error?: string } {
  const t = text.trim();
  if (t === '') return field.optional ? { value: undefined } : { error: 'required' };
  const shown = Number(t);
  if (!Number.isFinite(shown)) return { error: 'not a number' };
  const scale = field.unit?.scale ?? 1;
  // A whole number of bytes from a fraction of a MiB is fine; a fractional count typed as such is not.
  const v = field.unit && field.kind === 'int' ? Math.round(shown * scale) : shown * scale;
  if (field.kind === 'int' && !Number.isInteger(v)) return { error: 'must be a whole number' };
  const inUnit = (b: number) => `${b / scale}${field.unit ? ` ${field.unit.name}` : ''}`;
  if (field.min !== undefined && (field.minInclusive ? v < field.min : v <= field.min)) {
    return { error: `must be ${field.minInclusive ? '≥' : '>'} ${inUnit(field.min)}` };
  }
  if (field.max !== undefined && (field.maxInclusive ? v > field.max : v >= field.max)) {
    return { error: `must be ${field.maxInclusive ? '≤' : '<'} ${inUnit(field.max)}` };
  }
  return { value: v };
}

export function getPath(obj: unknown, path: string[]): unknown {
  let o = obj;
  for (const k of path) o = o == null ? undefined : (o as Record<string, unknown>)[k];
  return o;
}

/** Returns a copy of obj with path set (or deleted when value is undefined). */
export function setPath<T>(obj: T, path: string[], value: unknown): T {
  const copy = { ...(obj as Record<string, unknown>) };
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
  } else {
    copy[head] = setPath(copy[head] ?? {}, rest, value);
  }
  return copy as T;
}
