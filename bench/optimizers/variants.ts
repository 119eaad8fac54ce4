/** The optimizer variants the suite's table compares (spec inputs, as a user would write them). */
import type { Variant } from './suite';

/** The line search the defaults had before the study (N&W zoom, PyTorch's first step). */
const ZOOM = { kind: 'strong-wolfe', firstStep: 'gradient-l1' } as const;
export const VARIANTS: Variant[] = [
  { id: 'bfgs', label: 'BFGS: I, MT, prev-decrease, damped', spec: { kind: 'bfgs' }, isDefault: true },
  { id: 'bfgs-skip', label: 'BFGS: I, MT, prev-decrease, skip (≈ scipy)', spec: { kind: 'bfgs', curvatureUpdate: 'skip' } },
  { id: 'bfgs-scaled', label: 'BFGS: γI, MT, unit', spec: { kind: 'bfgs', initialHessian: 'scaled', lineSearch: { initialStep: 'unit' } } },
  { id: 'bfgs-adaptive', label: 'BFGS: adaptive, MT, unit, damped', spec: { kind: 'bfgs', initialHessian: 'adaptive', lineSearch: { initialStep: 'unit' } } },
  { id: 'bfgs-old', label: 'BFGS: γI, zoom, unit, skip (old default)', spec: { kind: 'bfgs', initialHessian: 'scaled', curvatureUpdate: 'skip', lineSearch: { ...ZOOM, initialStep: 'unit' } } },
  { id: 'lbfgs', label: 'L-BFGS: MT, unit, skip', spec: { kind: 'lbfgs' }, isDefault: true },
  { id: 'lbfgs-damped', label: 'L-BFGS: MT, unit, damped', spec: { kind: 'lbfgs', curvatureUpdate: 'damped' } },
  { id: 'lbfgs-old', label: 'L-BFGS: zoom, unit (old default)', spec: { kind: 'lbfgs', lineSearch: ZOOM } },
  { id: 'lbfgs-old-prev', label: 'L-BFGS: zoom, prev-decrease', spec: { kind: 'lbfgs', lineSearch: { ...ZOOM, initialStep: 'previous-decrease' } } },
];
