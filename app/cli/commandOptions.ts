/**
 * Flag declarations shared by several commands (train, spectrum): the data, model and engine flags.
 * Commander only, so declaring the commands and printing help load nothing heavier.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ENGINE_NAMES, ONNX_DEVICES } from '../engine/engine';
import { parseNumber } from './numbers';

/** The data and model flags `train` and `spectrum` share. */
export function dataModelOptions(cmd: Command): Command {
  const num = (label: string, opts?: { int?: boolean; min?: number }) => parseNumber(label, opts);
  return cmd
    .requiredOption('--target <columns>', 'target column; several (a,b,c) make a multi-output regression')
    .option('--weight <column>', 'column of non-negative sample weights (weighted losses and metrics)')
    .option('--ignore <columns>', 'columns (a,b,c) not used as features, e.g. identifiers')
    .option('--expand-dates <columns>', 'date columns (a,b,c) turned into year, month, day, weekday, day of year (sin, cos) and days since 1970 instead of one-hot text')
    .addOption(new Option('--date-order <order>', 'how --expand-dates reads dates with the year last: day first (01.03.2024), month first (3/1/2024), or auto (decided from the column)').choices(['auto', 'dmy', 'mdy']))
    .addOption(new Option('--preset <name>', 'fitting: 70/15/15 train/validation/test split and 6 validation checks (MATLAB fitting app)').choices(['fitting']))
    .option('--layers <spec>', 'hidden and output layers, e.g. 64:tanh,10:softmax; a hidden layer without an activation is tanh, a last entry without one is the output layer (linear for regression, sigmoid/softmax for classification); output added from the task when missing')
    .addOption(new Option('--task <task>', 'override the inferred task').choices(['auto', 'regression', 'binary', 'multiclass']))
    .addOption(new Option('--loss <loss>', 'override the loss').choices(['mse', 'mae', 'huber', 'binary-crossentropy', 'softmax-crossentropy']))
    .option('--huber-delta <d>', 'δ of the huber loss, in standardised-target units (default 1)', num('--huber-delta', { min: 0 }))
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

export function engineOption(): Option {
  return new Option('--backend <engine>', 'compute engine (overrides the experiment and CURVATURE_BACKEND)').choices(['auto', ...ENGINE_NAMES]);
}

export function deviceOption(): Option {
  return new Option('--device <device>', "onnxruntime's device (overrides the experiment and CURVATURE_DEVICE; auto: the fastest that passes its self-test)").choices(['auto', ...ONNX_DEVICES]);
}

export function threadsOption(): Option {
  return new Option('--threads <n>', 'intra-op threads for onnxruntime (default: physical cores)').argParser(parseNumber('--threads', { int: true, min: 1 }));
}

/** --spectrum K and --k K: 1…20 eigenvalues from each end (--spectrum also takes 0: off). */
export function spectrumK(flag: string, min: number): (value: string) => number {
  return (value) => {
    const k = parseNumber(flag, { int: true, min })(value);
    if (k > 20) throw new InvalidArgumentError(`${flag} must be ≤ 20 (got ${k})`);
    return k;
  };
}
