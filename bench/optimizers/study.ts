/** Extra variants for the study (`--study`): one knob changed at a time from the candidates. */
import type { Variant } from './suite';

const MT = { kind: "more-thuente", firstStep: "gradient-l2" } as const;
export const STUDY: Variant[] = [
  { id: 'bfgs-mt-prev', label: 'BFGS γI, MT, prev', spec: { kind: 'bfgs', lineSearch: { ...MT, initialStep: 'previous-decrease' } } },
  { id: 'bfgs-id-mt-damped', label: 'BFGS I, prev, MT, damped', spec: { kind: 'bfgs', initialHessian: 'identity', curvatureUpdate: 'damped', lineSearch: { ...MT, initialStep: 'previous-decrease' } } },
  { id: 'bfgs-mt-damped', label: 'BFGS γI, MT, damped', spec: { kind: 'bfgs', curvatureUpdate: 'damped', lineSearch: MT } },
  { id: 'bfgs-mt-c2', label: 'BFGS γI, MT c2=0.5', spec: { kind: 'bfgs', lineSearch: { ...MT, c2: 0.5 } } },
  { id: 'bfgs-sw-l2', label: 'BFGS γI, N&W zoom, l2', spec: { kind: 'bfgs', lineSearch: { firstStep: 'gradient-l2' } } },
  { id: 'lbfgs-mt-first', label: 'L-BFGS MT first-pair γ', spec: { kind: 'lbfgs', initialScaling: 'first-pair', lineSearch: MT } },
  { id: 'lbfgs-mt-damped', label: 'L-BFGS MT damped', spec: { kind: 'lbfgs', curvatureUpdate: 'damped', lineSearch: MT } },
  { id: 'lbfgs-mt-prev', label: 'L-BFGS MT prev', spec: { kind: 'lbfgs', lineSearch: { ...MT, initialStep: 'previous-decrease' } } },
  { id: 'lbfgs-sw-l2', label: 'L-BFGS N&W zoom, l2', spec: { kind: 'lbfgs', lineSearch: { firstStep: 'gradient-l2' } } },
  { id: 'lbfgs-mt-c1', label: 'L-BFGS MT c1=1e-3', spec: { kind: 'lbfgs', lineSearch: { ...MT, c1: 1e-3 } } },
  { id: 'lbfgs-two-prev', label: 'L-BFGS γ larger of two, prev', spec: { kind: 'lbfgs', initialScaling: 'larger-of-two', lineSearch: { initialStep: 'previous-decrease' } } },
  { id: 'lbfgs-m20', label: 'L-BFGS m = 20', spec: { kind: 'lbfgs', history: 20 } },
  { id: 'bfgs-ida-l2', label: 'BFGS I→adaptive, 1/‖g‖₂ uncapped', spec: { kind: 'bfgs', lineSearch: { initialStep: 'previous-decrease', firstStep: 'gradient-l2' } } },
];
STUDY.push(
  { id: 'bfgs-ad-mt', label: 'BFGS adaptive, MT', spec: { kind: 'bfgs', initialHessian: 'adaptive', lineSearch: MT } },
  { id: 'bfgs-ad-mt-damped', label: 'BFGS adaptive, MT, damped', spec: { kind: 'bfgs', initialHessian: 'adaptive', curvatureUpdate: 'damped', lineSearch: MT } },
  { id: 'bfgs-ad-sw', label: 'BFGS adaptive, zoom', spec: { kind: 'bfgs', initialHessian: 'adaptive', lineSearch: { firstStep: 'gradient-l2' } } },
);
