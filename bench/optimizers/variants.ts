/** The optimizer variants the suite's table compares (spec inputs, as a user would write them). */
import type { Variant } from './suite';

/** The line search the defaults had before the study (N&W zoom, PyTorch's first step). */
const ZOOM = { kind: 'strong-wolfe', firstStep: 'gradient-l1' } as const;
export const VARIANTS: Variant[] = [
  { id: 'bfgs', label: 'BFGS: I→adaptive, MT, prev-decrease, skip', spec: { kind: 'bfgs' }, isDefault: true },
  { id: 'bfgs-scipy', label: 'BFGS: I, MT, prev-decrease, skip (= scipy)', spec: { kind: 'bfgs', initialHessian: 'identity' } },
  { id: 'bfgs-damped', label: 'BFGS: I→adaptive, MT, prev-decrease, damped', spec: { kind: 'bfgs', curvatureUpdate: 'damped' } },
  {
    id: 'bfgs-prev',
    label: 'BFGS: I, MT, prev-decrease, damped, 1/‖g‖₂ (previous default)',
    spec: { kind: 'bfgs', initialHessian: 'identity', curvatureUpdate: 'damped', lineSearch: { initialStep: 'previous-decrease', firstStep: 'gradient-l2' } },
  },
  { id: 'bfgs-scaled', label: 'BFGS: γI, MT, unit', spec: { kind: 'bfgs', initialHessian: 'scaled', lineSearch: { initialStep: 'unit' } } },
  { id: 'bfgs-adaptive', label: 'BFGS: γI→adaptive, MT, unit, damped', spec: { kind: 'bfgs', initialHessian: 'adaptive', curvatureUpdate: 'damped', lineSearch: { initialStep: 'unit' } } },
  { id: 'bfgs-old', label: 'BFGS: γI, zoom, unit, skip (first default)', spec: { kind: 'bfgs', initialHessian: 'scaled', curvatureUpdate: 'skip', lineSearch: { ...ZOOM, initialStep: 'unit' } } },
  { id: 'lbfgs', label: 'L-BFGS: MT, unit, γ newest guarded, skip', spec: { kind: 'lbfgs' }, isDefault: true },
  { id: 'lbfgs-newest', label: 'L-BFGS: MT, unit, γ newest, skip (= L-BFGS-B)', spec: { kind: 'lbfgs', initialScaling: 'every-iteration' } },
  { id: 'lbfgs-two', label: 'L-BFGS: MT, unit, γ larger of last two, skip', spec: { kind: 'lbfgs', initialScaling: 'larger-of-two' } },
  { id: 'lbfgs-damped', label: 'L-BFGS: MT, unit, γ newest, damped', spec: { kind: 'lbfgs', initialScaling: 'every-iteration', curvatureUpdate: 'damped' } },
  { id: 'lbfgs-old', label: 'L-BFGS: zoom, unit, γ newest (first default)', spec: { kind: 'lbfgs', initialScaling: 'every-iteration', lineSearch: ZOOM } },
];
