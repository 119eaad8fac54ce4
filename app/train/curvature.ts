/**
 * The Hessian's spectrum for runs: when the experiment wants one, computed at a point with the
 * objective's exact Hessian-vector products (data loss + L2, float64 on the host when the engine
 * has no products of its own), and a dense BFGS run's model B = H⁻¹ beside the truth at the end.
 */
import type { Experiment } from '../schema/experiment';
import type { RunSpectrum } from './events';
import { ModelObjective } from '../model/objective';
import type { DenseWeights } from '../model/spec';
import { fromLayerArrays } from '../model/params';
import { unfoldTargetScaling } from '../model/outputScaling';
import { engineFor } from '../engine/choice';
import { buildProblem } from './problem';
import { DENSE_SPECTRUM_BOUND, hessianSpectrum, symmetricEigenvalues, type SpectrumReport } from '../optim/spectrum';

export interface SpectrumPolicy {
  k: number;
  method: 'dense' | 'lanczos';
}

/**
 * 'auto' stays off when the n float64 products of a dense spectrum would cost more than about this
 * n²·rows (each product is a few passes of n·rows multiply-adds on the host: some seconds here).
 */
export const AUTO_SPECTRUM_WORK = 1e9;

/** Whether, and how, runs of this experiment get spectra (n: parameters, rows: training rows). */
export function spectrumPolicy(experiment: Experiment, n: number, rows = 0): SpectrumPolicy | null {
  const s = experiment.spectrum ?? { k: 5, when: 'auto' as const };
  if (s.when === 'off') return null;
  const dense = n <= DENSE_SPECTRUM_BOUND;
  if (s.when === 'auto' && (!dense || n * n * rows > AUTO_SPECTRUM_WORK)) return null;
  return { k: s.k, method: dense ? 'dense' : 'lanczos' };
}

/** Verdict tolerance for products in float32: their rounding is ~1e-6 of ‖H‖, so "flat" must be coarser. */
export const FLOAT32_SPECTRUM_TOLERANCE = 1e-4;

/**
 * The spectrum at x, with the loss (data + L2) there. The dense path (small n) always uses the exact
 * float64 products; Lanczos uses the engine's own (fast, in the run's precision) when it has them.
 */
export function spectrumAt(objective: ModelObjective, x: Float64Array, policy: SpectrumPolicy): SpectrumReport {
  let loss = NaN;
  const arithmetic = policy.method === 'dense' ? 'float64' : 'engine';
  const tolerance = objective.productPrecision(arithmetic) === 'float32' ? FLOAT32_SPECTRUM_TOLERANCE : undefined;
  const report = hessianSpectrum((v, hv) => void (loss = objective.hessianVectorProduct(x, v, hv, arithmetic)), objective.dimension, { k: policy.k, method: policy.method, tolerance });
  return { ...report, loss };
}

/** Eigenvalues of B = H⁻¹ from the inverse model H: the k largest (descending) and k smallest (ascending). */
export function modelSpectrum(inverse: Float64Array, n: number, k: number): { largest: number[]; smallest: number[] } {
  const h = symmetricEigenvalues(inverse, n); // ascending eigenvalues of H
  const b = Array.from(h, (v) => 1 / v).sort((p, q) => p - q);
  const kk = Math.min(k, n);
  return { largest: b.slice(n - kk).reverse(), smallest: b.slice(0, kk) };
}

/**
 * On demand, after a run: the spectrum at its final weights (as exported: original units), on the
 * experiment's data and engine — dense for small models, Lanczos above the bound.
 */
export async function spectrumOfWeights(experiment: Experiment, baseDir: string, layers: DenseWeights[], k: number): Promise<SpectrumReport> {
  const { engine } = await engineFor(experiment.engine);
  const { data, model, targetScaling } = await buildProblem(experiment, baseDir);
  const flat = fromLayerArrays(model, layers.map((l) => ({ kernel: l.kernel, kernelShape: [l.fanIn, l.units] as [number, number], bias: l.bias })), 'run weights');
  const x = unfoldTargetScaling(model, flat, targetScaling);
  const objective = new ModelObjective(model, data.train, { engine });
  try {
    return spectrumAt(objective, x, { k, method: model.parameterCount <= DENSE_SPECTRUM_BOUND ? 'dense' : 'lanczos' });
  } finally {
    objective.dispose();
  }
}

/**
 * The spectra along a race: at each run's start (computed once per precision and start point, which
 * the runs of one repeat share), at each hand-off switch, and at the weights each run reports.
 */
export class SpectrumTracker {
  private readonly starts = new Map<string, SpectrumReport | undefined>();

  constructor(
    private readonly policy: SpectrumPolicy | null,
    private readonly parameterCount: number,
  ) {}

  /** The run's spectrum record, with the start point's spectrum; undefined when the policy is off. */
  atStart(objective: ModelObjective, key: string, x0: Float64Array): RunSpectrum | undefined {
    if (!this.policy) return undefined;
    if (!this.starts.has(key)) this.starts.set(key, this.at(objective, x0));
    const initial = this.starts.get(key);
    return { ...(initial && { initial }), switches: [] };
  }

  /** A hand-off opened phase `phase` at x, during iteration `iteration`. */
  atSwitch(spectrum: RunSpectrum | undefined, objective: ModelObjective, x: Float64Array, phase: number, iteration: number): void {
    if (!spectrum) return;
    const at = this.at(objective, Float64Array.from(x));
    if (at) spectrum.switches.push({ ...at, phase, iteration });
  }

  /** At the reported weights, with a dense BFGS run's model H⁻¹ beside the truth. */
  atEnd(spectrum: RunSpectrum | undefined, objective: ModelObjective, x: Float64Array, inverse: Float64Array | null | undefined): RunSpectrum | undefined {
    if (!spectrum || !this.policy) return spectrum;
    spectrum.final = this.at(objective, x);
    if (spectrum.final && inverse) spectrum.final.model = modelSpectrum(inverse, this.parameterCount, this.policy.k);
    return spectrum;
  }

  private at(objective: ModelObjective, x: Float64Array): SpectrumReport | undefined {
    if (!this.policy) return undefined;
    const report = spectrumAt(objective, x, this.policy);
    return Number.isFinite(report.loss) ? report : undefined;
  }
}
