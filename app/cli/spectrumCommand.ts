/**
 * `curvature spectrum DATA --target … --layers … | --model FILE`: the Hessian's extreme eigenvalues
 * and what they say (minimum, saddle, flat) at the initial weights, with the same data and model
 * flags as `train`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { engineFor, formatReport } from '../engine/choice';
import type { EngineName } from '../engine/engine';
import { ModelObjective } from '../model/objective';
import { DENSE_SPECTRUM_BOUND, MAX_SPECTRUM_K, formatEigenvalue, type SpectrumReport } from '../optim/spectrum';
import { spectrumAt } from '../train/curvature';
import { buildProblem } from '../train/problem';
import { experimentFromFlags, importModelFlag, parseNumber, type TrainFlags } from './trainOptions';

/** The flags that describe the data and the model (shared by `train` and `spectrum`). */
export interface SpectrumFlags extends Omit<TrainFlags, 'optimizer'> {
  k: number;
  method: 'auto' | 'dense' | 'lanczos';
  json?: boolean;
  backend?: EngineName | 'auto';
  threads?: number;
}

/** The JSON document `spectrum --json` prints. */
export interface SpectrumDocument extends SpectrumReport {
  loss: number;
  engine: string;
  productsBy: string;
  seconds: number;
}

export async function spectrumAction(data: string, flags: SpectrumFlags): Promise<void> {
  const imported = await importModelFlag({ ...flags, optimizer: 'lbfgs' });
  for (const n of imported?.notes ?? []) process.stderr.write(`note: ${n}\n`);
  const experiment = experimentFromFlags(data, { ...flags, optimizer: 'lbfgs' }, process.cwd(), imported);
  const setting = flags.backend !== undefined || flags.threads !== undefined ? { backend: flags.backend ?? 'auto', ...(flags.threads !== undefined && { threads: flags.threads }) } : experiment.engine;
  const precision = flags.precision === 'float64' ? 'float64' : 'float32';
  const { engine, report: backend } = await engineFor(setting, precision);
  if (!flags.json) process.stderr.write(`${formatReport(backend)}\n`);
  const { data: prepared, model, x0 } = await buildProblem(experiment, process.cwd());
  const objective = new ModelObjective(model, prepared.train, { engine, precision });
  try {
    const t0 = performance.now();
    const loss = objective.evaluate(x0, new Float64Array(model.parameterCount));
    const n = model.parameterCount;
    const method = flags.method === 'auto' ? (n <= DENSE_SPECTRUM_BOUND ? 'dense' : 'lanczos') : flags.method;
    const report = spectrumAt(objective, x0, { k: flags.k, method });
    const doc: SpectrumDocument = { ...report, loss, engine: backend.label, productsBy: objective.secondOrderSource(method === 'dense' ? 'float64' : 'engine'), seconds: (performance.now() - t0) / 1000 };
    process.stdout.write(flags.json ? JSON.stringify(doc) + '\n' : spectrumText(doc));
  } finally {
    objective.dispose();
  }
}

function spectrumText(d: SpectrumDocument): string {
  const list = (xs: number[]) => xs.map(formatEigenvalue).join('  ');
  return [
    `parameters   ${d.n}`,
    `loss         ${d.loss.toPrecision(7)}`,
    `largest      ${list(d.largest)}`,
    `smallest     ${list(d.smallest)}`,
    `verdict      ${d.verdict}`,
    `condition    ${d.conditionNumber === null ? '— (no positive eigenvalue seen)' : formatEigenvalue(d.conditionNumber)} (over the positive part)`,
    `method       ${d.method === 'dense' ? 'dense (every eigenvalue)' : `Lanczos, full re-orthogonalisation${d.maxResidual !== undefined ? `, max residual ${d.maxResidual.toExponential(1)}` : ''}`}`,
    `products     ${d.hessianVectorProducts} Hessian-vector products by ${d.productsBy}, ${d.seconds.toFixed(2)} s`,
    '',
  ].join('\n');
}
