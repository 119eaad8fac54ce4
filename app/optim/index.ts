/**
 * The optimizer engine's entry points: `createOptimizer` builds a Stepper from a validated spec,
 * `minimize` runs one to the end. Pure float64 math on an Objective; no tfjs in this directory.
 */
import { BfgsStepper } from './bfgs';
import { adagradRule, adamRule, FirstOrderStepper, rmspropRule, sgdRule } from './firstOrder';
import { BrStepper } from './br';
import { LbfgsStepper } from './lbfgs';
import { LmStepper } from './lm';
import { NewtonCgStepper } from './newtonCg';
import { SequenceStepper } from './sequence';
import { OPTIMIZER_LABELS, type OptimizerSpec } from './spec';
import type { StepperOptions } from './stepper';
import type { IterationRecord, Objective, OptimizeResult, Stepper, StoppingCriteria } from './types';

export type { StepperOptions } from './stepper';
export { lineSearch, createLineSearchWorkspace, type LineSearchResult, type LineSearchStatus } from './lineSearch';
export { TERMINATION_MESSAGES, terminationMessage, denseBfgsRefusal, denseHessianBytes, float32GradientFloor } from './messages';
export { hostVectorOps, type VectorOps } from './vector';
export { LevenbergMarquardtStepper, lmSolverPath, denseCheaper, DEFAULT_DENSE_LIMIT, type LmSolverPath } from './lm';
export { BrStepper } from './br';

export function createOptimizer(
  spec: OptimizerSpec,
  objective: Objective,
  x0: Float64Array,
  stopping: StoppingCriteria,
  options: StepperOptions = {},
): Stepper {
  const n = objective.dimension;
  const label = OPTIMIZER_LABELS[spec.kind];
  switch (spec.kind) {
    case 'lbfgs':
      return new LbfgsStepper(objective, x0, stopping, spec, options);
    case 'bfgs':
      return new BfgsStepper(objective, x0, stopping, spec, options);
    case 'sgd':
      return new FirstOrderStepper(label, objective, x0, stopping, sgdRule(spec, n), spec.batchSize, options);
    case 'adam':
      return new FirstOrderStepper(label, objective, x0, stopping, adamRule(spec, n), spec.batchSize, options);
    case 'rmsprop':
      return new FirstOrderStepper(label, objective, x0, stopping, rmspropRule(spec, n), spec.batchSize, options);
    case 'adagrad':
      return new FirstOrderStepper(label, objective, x0, stopping, adagradRule(spec, n), spec.batchSize, options);
    case 'lm':
      return new LmStepper(objective, x0, stopping, spec, options);
    case 'br':
      return new BrStepper(objective, x0, stopping, spec, options);
    case 'newton-cg':
      return new NewtonCgStepper(objective, x0, stopping, spec, options);
    case 'sequence':
      // Each phase is an ordinary stepper, built here with fresh state.
      return new SequenceStepper(spec, objective, x0, stopping, options, createOptimizer);
  }
}

export interface MinimizeResult extends OptimizeResult {
  /** Every record, the start record (iteration 0) first. */
  history: IterationRecord[];
}

/** Run a stepper to the end, synchronously. */
export function runToEnd(stepper: Stepper): MinimizeResult {
  const history = [stepper.start()];
  for (let record = stepper.step(); record; record = stepper.step()) history.push(record);
  return { ...stepper.result(), history };
}

export function minimize(
  spec: OptimizerSpec,
  objective: Objective,
  x0: Float64Array,
  stopping: StoppingCriteria,
  options: StepperOptions = {},
): MinimizeResult {
  return runToEnd(createOptimizer(spec, objective, x0, stopping, options));
}
