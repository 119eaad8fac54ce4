/**
 * `curvature` — train, race and export from the command line, on the same experiment files the GUI
 * saves. Exit codes (EXIT_CODES_HELP): 0 every run ran, 1 a run could not start or ended in an
 * error, 2 bad input (data, experiment, flags, export destination), 130 a second Ctrl-C.
 */
import { Command, CommanderError, Option } from 'commander';
import { ENGINE_NAMES } from '../engine/engine';
import { EXPORT_FORMATS } from '../export/formatNames';
import { parseNumber } from './numbers';
import type { TrainFlags } from './trainOptions';
import type { EngineFlags, OutputFlags } from './flags';

export const EXIT_CODES_HELP = `
Exit codes:
  0    every run ran (whatever its stopping reason, including a Ctrl-C stop)
  1    a run could not start or ended in an error (e.g. 'non-finite': data overflowing float32)
  2    bad input or usage: flags, experiment file, data file, or an export destination that
       cannot take the export (checked before training)
  130  a second Ctrl-C (the first stops the runs gracefully; partial exports are removed)
`;

/**
 * The commands' work, loaded on first use: declaring the commands and printing help must not pay for
 * the engines, the loaders or the schema.
 */
const actions = () => import('./actions');

function outputOptions(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'export every run into <dir>/<run id>/')
    .option('--format <list>', `export formats: ${EXPORT_FORMATS.join(',')}`, 'tfjs,keras,h5,onnx,npz,json')
    .option('--force', 'replace an earlier Curvature export in <dir>/<run id>/ (folders Curvature did not write are never replaced)')
    .option('--json', 'print one JSON document on stdout instead of the table')
    .option('--no-progress', 'no progress bars')
    .addOption(engineOption())
    .option('--threads <n>', 'intra-op threads for onnxruntime (default: physical cores)', parseNumber('--threads', { int: true, min: 1 }));
}

function engineOption(): Option {
  return new Option('--backend <engine>', 'compute engine (overrides the experiment and CURVATURE_BACKEND)').choices(['auto', ...ENGINE_NAMES]);
}

export function buildProgram(): Command {
  const program = new Command()
    .name('curvature')
    .description('Train neural networks with BFGS and L-BFGS on TensorFlow.js and race them against first-order optimizers.')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError()
    .exitOverride();

  const num = (label: string, opts?: { int?: boolean; min?: number }) => parseNumber(label, opts);
  const train = program
    .command('train')
    .description('train on a CSV, TSV, JSON, JSON Lines, Parquet, .npy or .npz file')
    .argument('<data>', 'dataset file')
    .requiredOption('--target <column>', 'target column')
    .option('--layers <spec>', 'hidden and output layers, e.g. 64:tanh,10:softmax (output added from the task when missing)')
    .option('--optimizer <list>', 'lbfgs,bfgs,adam,sgd,rmsprop,adagrad; a>b is a hand-off run (e.g. adam>lbfgs)', 'lbfgs,bfgs,adam')
    .option('--switch-after <n>', 'hand-off runs: switch to the next optimizer after n iterations', num('--switch-after', { int: true, min: 1 }))
    .option('--switch-on-plateau <w:tol>', 'hand-off runs: switch when the loss decreased by less than tol (relative) over w iterations')
    .option('--repeats <k>', 'start points: every run from each of k initial weights (seed, seed+1, …)', num('--repeats', { int: true, min: 1 }))
    .addOption(new Option('--task <task>', 'override the inferred task').choices(['auto', 'regression', 'binary', 'multiclass']))
    .addOption(new Option('--loss <loss>', 'override the loss').choices(['mse', 'binary-crossentropy', 'softmax-crossentropy']))
    .option('--l2 <lambda>', 'L2 penalty on kernels', num('--l2', { min: 0 }))
    .option('--max-iter <n>', 'iterations per run', num('--max-iter', { int: true, min: 1 }))
    .option('--max-evals <n>', 'function evaluations per run', num('--max-evals', { int: true, min: 1 }))
    .option('--max-seconds <s>', 'seconds of work per run', num('--max-seconds', { min: 0 }))
    .option('--gtol <g>', 'stop when the gradient ∞-norm is below', num('--gtol', { min: 0 }))
    .option('--ftol <f>', 'stop when the relative change of f is below', num('--ftol', { min: 0 }))
    .option('--xtol <x>', 'stop when the step is below', num('--xtol', { min: 0 }))
    .option('--seed <n>', 'seed for initial weights and splits', num('--seed', { int: true }))
    .option('--validation <fraction>', 'validation fraction', num('--validation', { min: 0 }))
    .option('--test <fraction>', 'test fraction', num('--test', { min: 0 }))
    .option('--no-standardize', 'do not standardise features')
    .option('--no-scale-target', 'train a regression target in its own units (by default it is standardised; results are shown in original units either way)')
    .addOption(new Option('--missing <policy>', 'missing values').choices(['error', 'drop', 'fill-mean']))
    .option('--init-weights <file>', 'initial weights (any exported weights format or {"layers":[{"W","b"}]})')
    .option('--model <file>', 'start from a Keras .keras/.h5, TF.js model.json or Curvature weights file: its layers and weights (no --layers needed)')
    .option('--lr <rate>', 'learning rate (first-order)', num('--lr', { min: 0 }))
    .option('--history <m>', 'L-BFGS history size', num('--history', { int: true, min: 1 }))
    .option('--momentum <m>', 'SGD/RMSprop momentum', num('--momentum', { min: 0 }))
    .option('--nesterov', 'SGD Nesterov momentum')
    .option('--beta1 <b>', 'Adam β1', num('--beta1', { min: 0 }))
    .option('--beta2 <b>', 'Adam β2', num('--beta2', { min: 0 }))
    .option('--epsilon <e>', 'Adam/RMSprop/Adagrad ε', num('--epsilon', { min: 0 }))
    .option('--rho <r>', 'RMSprop decay', num('--rho', { min: 0 }))
    .option('--batch-size <n>', 'minibatch size (first-order only)', num('--batch-size', { int: true, min: 1 }))
    .addOption(new Option('--line-search <kind>', 'BFGS/L-BFGS line search').choices(['strong-wolfe', 'more-thuente', 'backtracking']))
    .option('--max-ls-evals <n>', 'evaluations per line search', num('--max-ls-evals', { int: true, min: 2 }))
    .addOption(new Option('--initial-step <rule>', "BFGS/L-BFGS first trial step: unit, or scipy's previous-decrease").choices(['unit', 'previous-decrease']))
    .addOption(new Option('--initial-hessian <h0>', "BFGS H0: identity-adaptive (I, scaled up once it proves too small), adaptive, scaled (γI before the first update), or identity as scipy").choices(['identity-adaptive', 'adaptive', 'scaled', 'identity']))
    .addOption(new Option('--first-step <rule>', "BFGS/L-BFGS step along −g without curvature: 1/‖g‖₂ (gradient-l2), min(1, 1.01/‖g‖₂) as scipy's BFGS (gradient-l2-capped) or min(1, 1/‖g‖₁) (gradient-l1)").choices(['gradient-l2', 'gradient-l2-capped', 'gradient-l1']))
    .addOption(new Option('--curvature-update <rule>', "BFGS/L-BFGS small s'y: Powell-damped update, or skip the pair").choices(['damped', 'skip']))
    .addOption(new Option('--initial-scaling <rule>', "L-BFGS H0 = γI: γ of the newest pair unless it fell below half the previous one's, then fitted to both (guarded, default), of the newest pair (every-iteration, as L-BFGS-B), the larger of the two newest pairs' (larger-of-two) or the first pair's").choices(['guarded', 'every-iteration', 'larger-of-two', 'first-pair']))
    .option('--save-experiment <file>', 'also write the experiment JSON the flags describe');
  outputOptions(train).action(async (data: string, flags: TrainFlags & OutputFlags & { saveExperiment?: string }) => {
    await (await actions()).trainCommand(data, flags);
  });

  outputOptions(
    program
      .command('run')
      .description('run an experiment file (as saved by the GUI)')
      .argument('<experiment>', 'experiment JSON')
      .option('--allow-outside-paths', "read data and weight files the experiment names outside its own folder (off: such a file is refused)")
      .addHelpText('after', EXIT_CODES_HELP),
  ).action(async (file: string, flags: OutputFlags) => {
    await (await actions()).runCommand(file, flags);
  });

  program
    .command('info')
    .description('show the compute engine chosen and why each one before it was not used')
    .option('--json', 'as JSON')
    .addOption(engineOption())
    .option('--threads <n>', 'intra-op threads for onnxruntime', num('--threads', { int: true, min: 1 }))
    .action(async (flags: { json?: boolean } & EngineFlags) => {
      await (await actions()).infoCommand(flags);
    });

  program
    .command('gradcheck')
    .description('compare the autodiff gradient with central finite differences at the start point')
    .argument('<experiment>', 'experiment JSON')
    .option('--eps <list>', 'finite-difference steps to try', '1.49e-8,1e-3')
    .option('--coordinates <n>', 'coordinates to probe', num('--coordinates', { int: true, min: 1 }), 32)
    .addOption(engineOption())
    .option('--threads <n>', 'intra-op threads for onnxruntime', num('--threads', { int: true, min: 1 }))
    .option('--allow-outside-paths', 'read files the experiment names outside its own folder')
    .action(async (file: string, flags: { eps: string; coordinates: number; allowOutsidePaths?: boolean } & EngineFlags) => {
      await (await actions()).gradcheckCommand(file, flags);
    });

  program
    .command('examples')
    .description('list the example experiments shipped with Curvature')
    .action(async () => {
      (await actions()).examplesCommand();
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander already printed it
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`curvature: error: ${message}\n`);
    return (await actions()).isInputError(err) ? 2 : 1;
  }
}
