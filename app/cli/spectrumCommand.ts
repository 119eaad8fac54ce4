/**
 * `curvature spectrum DATA --target … --layers … | --model FILE`: the Hessian's extreme eigenvalues
 * and what they say (minimum, saddle, flat) at the initial weights, with the same data and model
 * flags as `train`.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { engineFor, formatReport } from '../engine/backend';
import type { EngineName } from '../engine/engine';
import { ModelObjective } from '../model/objective';
import { DENSE_SPECTRUM_BOUND, MAX_SPECTRUM_K, formatEigenvalue, type SpectrumReport } from '../optim/spectrum';
import { spectrumAt } from '../train/curvature';
import { buildProblem } from '../train/problem';
import { experimentFromFlags, importModelFlag, parseNumber, type TrainFlags } from './trainOptions';

/** The flags that describe the data and the model (shared by `train` and `spectrum`). */
export function dataModelOptions(cmd: Command): Command {
  const num = (label: string, opts?: { int?: boolean; min?: number }) => parseNumber(label, opts);
  return cmd
    .requiredOption('--target <columns>', 'target column; several (a,b,c) make a multi-output regression')
    .option('--weight <column>', 'column of non-negative sample weights (weighted losses and metrics)')
    .addOption(new Option('--preset <name>', 'fitting: 70/15/15 train/validation/test split and 6 validation checks (MATLAB fitting app)').choices(['fitting']))
    .option('--huber-delta <d>', 'δ of the huber loss, in standardised-target units (default 1)', num('--huber-delta', { min: 0 }))
    .option('--layers <spec>', 'hidden and output layers, e.g. 64:tanh,10:softmax (output added from the task when missing)')
    .addOption(new Option('--task <task>', 'override the inferred task').choices(['auto', 'regression', 'binary', 'multiclass']))
    .addOption(new Option('--loss <loss>', 'override the loss').choices(['mse', 'mae', 'huber', 'binary-crossentropy', 'softmax-crossentropy']))
    .option('--l2 <lambda>', 'L2 penalty on kernels', num('--l2', { min: 0 }))
    .option('--seed <n>', 'seed for initial weights and splits', num('--seed', { int: true }))
    .option('--validation <fraction>', 'validation fraction', num('--validation', { min: 0 }))
    .option('--test <fraction>', 'test fraction', num('--test', { min: 0 }))
    .option('--no-standardize', 'do not standardise features')
    .option('--no-scale-target', 'train a regression target in its own units (by default it is standardised; results are shown in original units either way)')
    .addOption(new Option('--missing <policy>', 'missing values').choices(['error', 'drop', 'fill-mean']))
    .option('--init-weights <file>', 'initial weights (any exported weights format or {"layers":[{"W","b"}]})')
    .option('--model <file>', 'start from a Keras .keras/.h5, TF.js model.json or Curvature weights file: its layers and weights (no --layers needed)');
}

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

export function spectrumCommand(program: Command): Command {
  const num = (label: string, opts?: { int?: boolean; min?: number }) => parseNumber(label, opts);
  return dataModelOptions(
    program
      .command('spectrum')
      .description("the Hessian's largest and smallest eigenvalues at the initial weights: minimum, saddle or flat")
      .argument('<data>', 'dataset file'),
  )
    .option('--k <k>', `how many of the largest and of the smallest eigenvalues (1…${MAX_SPECTRUM_K})`, (v: string) => {
      const k = num('--k', { int: true, min: 1 })(v);
      if (k > MAX_SPECTRUM_K) throw new InvalidArgumentError(`--k must be ≤ ${MAX_SPECTRUM_K} (got ${k})`);
      return k;
    }, 5)
    .addOption(new Option('--method <method>', 'dense (all eigenvalues, small n), lanczos, or auto').choices(['auto', 'dense', 'lanczos']).default('auto'))
    .addOption(new Option('--precision <p>', 'arithmetic of the passes (float64 products agree with the exact Hessian to rounding)').choices(['float32', 'float64']))
    .option('--json', 'print one JSON document')
    .action(spectrumAction);
}
