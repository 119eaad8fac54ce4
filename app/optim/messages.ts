/** Every sentence a run can end with, in one place (scipy's wording where scipy has one). */
import { formatBytes } from '../util/bytes';
import type { TerminationStatus } from './types';

export const TERMINATION_MESSAGES: Readonly<Record<TerminationStatus, string>> = {
  'gradient-tolerance': 'Optimization terminated successfully.',
  'function-tolerance': 'Optimization terminated successfully: the relative reduction of f is below the function tolerance.',
  'step-tolerance': 'Optimization terminated successfully: the step is below the step tolerance.',
  'precision-loss': 'Desired error not necessarily achieved due to precision loss.',
  'trust-region-no-decrease': 'A bad approximation caused failure to predict improvement.',
  'line-search-failed': 'Line search failed: no lower point was found along the search direction, nor along the negative gradient.',
  'non-finite': 'The objective returned NaN or an infinite value.',
  'max-iterations': 'Maximum number of iterations has been exceeded.',
  'max-evaluations': 'Maximum number of function evaluations has been exceeded.',
  'max-time': 'Maximum time has been exceeded.',
  'stopped-by-user': 'Stopped by user.',
  'stopped-by-callback': 'Stopped by callback.',
  'damping-limit': 'μ exceeded μ_max: no step lowered the error.',
  'validation-checks': 'Validation loss stopped improving.',
  refused: 'The optimizer refused to run.',
};

/** While a run is still going, result() reports this (with status 'stopped-by-user'). */
export const IN_PROGRESS_MESSAGE = 'Run in progress; this is the best point so far.';

/** The status sentence, followed by a detail sentence when there is one. */
export function terminationMessage(status: TerminationStatus, detail?: string): string {
  return detail ? `${TERMINATION_MESSAGES[status]} ${detail}` : TERMINATION_MESSAGES[status];
}

const FLOAT32_EPSILON = 2 ** -23;
/**
 * A float32 loss of size |f| cannot resolve gradients much below this: its value moves in steps
 * of ε₃₂·|f|, so finite differences and line searches see noise once ‖g‖ is a small multiple of it.
 */
export function float32GradientFloor(f: number): number {
  return 100 * FLOAT32_EPSILON * Math.max(Math.abs(f), 1);
}

/** What a float32 run that stopped on precision loss is told it can do about it. */
export const FLOAT64_SUGGESTION = 'Run it in float64 (precision "float64"; see docs/float64.md) to go below the float32 floor.';

/**
 * Detail for 'precision-loss'. `modelDecrease` is the decrease the quasi-Newton model promised for
 * a full step (−½·g'd); when it is below what the loss's precision can resolve, the point is at
 * that precision's floor. Without it, fall back to comparing ‖g‖∞ with the gradient floor. A
 * float32 run is pointed at float64.
 */
export function precisionLossDetail(f: number, gradInfNorm: number, modelDecrease?: number, precision: 'float32' | 'float64' = 'float32'): string {
  const eps = precision === 'float64' ? Number.EPSILON : FLOAT32_EPSILON;
  const atFloor =
    modelDecrease !== undefined
      ? modelDecrease <= 10 * eps * Math.abs(f)
      : gradInfNorm <= 100 * eps * Math.max(Math.abs(f), 1);
  const suggestion = precision === 'float32' ? ` ${FLOAT64_SUGGESTION}` : '';
  if (atFloor) {
    const name = precision === 'float64' ? 'double' : 'single';
    return (
      `The gradient (‖g‖∞ = ${gradInfNorm.toExponential(2)}) is tiny relative to the ${precision} resolution of the loss ` +
      `(f = ${f.toPrecision(7)}): no further decrease is visible in ${name} precision, so this is as close to a minimum as ${precision} can show.` +
      suggestion
    );
  }
  return `No lower value of f could be resolved at ${precision} precision (‖g‖∞ = ${gradInfNorm.toExponential(2)}).${suggestion}`;
}

/** Bytes of a dense n×n float64 inverse Hessian. */
export function denseHessianBytes(n: number): number {
  return n * n * 8;
}

/** The refusal sentence when dense BFGS would exceed its memory budget, or null when it fits. */
export function denseBfgsRefusal(n: number, memoryBudgetBytes: number): string | null {
  const bytes = denseHessianBytes(n);
  if (bytes <= memoryBudgetBytes) return null;
  return (
    `Dense BFGS needs n² × 8 bytes = ${formatBytes(bytes)} for n = ${n} parameters, ` +
    `over the budget of ${formatBytes(memoryBudgetBytes)}; use L-BFGS.`
  );
}
