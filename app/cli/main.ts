/**
 * `curvature` — train, race and export from the command line, on the same experiment files the GUI
 * saves. Exit codes (EXIT_CODES_HELP): 0 every run ran, 1 a run could not start or ended in an
 * error, 2 bad input (data, experiment, flags, export destination), 130 a second Ctrl-C.
 */
import { Command, CommanderError, Option } from 'commander';
import { EXPORT_FORMATS } from '../export/formatNames';
import { dataModelOptions, deviceOption, engineOption, spectrumK, threadsOption } from './commandOptions';
import { parseNumber } from './numbers';
import type { TrainFlags } from './trainOptions';
import type { EngineFlags, OutputFlags } from './flags';
import type { SpectrumFlags } from './spectrumCommand';

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
    .addOption(deviceOption())
    .addOption(threadsOption())
    .option('--spectrum <k>', "the Hessian's k largest and k smallest eigenvalues at each run's start, hand-off switches and end (1…20; 0: off; default: k = 5 when the model is small enough for the dense spectrum)", spectrumK('--spectrum', 0));
}

export function buildProgram(): Command {
  const program = new Command()
    .name('curvature')
    .description('Train neural networks with second-order methods (BFGS, L-BFGS, Levenberg–Marquardt, Newton-CG) and race them against first-order optimizers.')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError()
    .exitOverride();

  const num = (label: string, opts?: { int?: boolean; min?: number }) => parseNumber(label, opts);
  const train = dataModelOptions(
    program
      .command('train')
      .description('train on a CSV, TSV, JSON, JSON Lines, Parquet, .npy or .npz file')
      .argument('<data>', 'dataset file'),
  )
    .option('--optimizer <list>', 'lbfgs,bfgs,adam,sgd,rmsprop,adagrad,lm,br,newton-cg; a>b is a hand-off run (e.g. adam>lbfgs)', 'lbfgs,bfgs,adam')
    .option('--switch-after <n>', 'hand-off runs: switch to the next optimizer after n iterations', num('--switch-after', { int: true, min: 1 }))
    .option('--switch-on-plateau <w:tol>', 'hand-off runs: switch when the loss decreased by less than tol (relative) over w iterations')
    .option('--repeats <k>', 'start points: every run from each of k initial weights (seed, seed+1, …)', num('--repeats', { int: true, min: 1 }))
    .option('--validation-checks <k>', 'stop after k iterations without a better validation loss; report the best-validation weights', num('--validation-checks', { int: true, min: 1 }))
    .option('--max-iter <n>', 'iterations per run', num('--max-iter', { int: true, min: 1 }))
    .option('--max-evals <n>', 'function evaluations per run', num('--max-evals', { int: true, min: 1 }))
    .option('--max-seconds <s>', 'seconds of work per run', num('--max-seconds', { min: 0 }))
    .option('--gtol <g>', 'stop when the gradient ∞-norm is below', num('--gtol', { min: 0 }))
    .option('--ftol <f>', 'stop when the relative change of f is below', num('--ftol', { min: 0 }))
    .option('--xtol <x>', 'stop when the step is below', num('--xtol', { min: 0 }))
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
    .option('--precision <p>', 'arithmetic of the runs: float32 (default), float64, or float32,float64 to race every optimizer in both from the same start')
    .option('--mu <mu>', 'Levenberg–Marquardt/Bayesian regularization initial damping μ (trainlm 1e-3, trainbr 5e-3)', num('--mu', { min: 0 }))
    .option('--mu-dec <f>', 'LM/BR: μ ← μ·f after a step that lowers the error (0 < f < 1, default 0.1)', num('--mu-dec', { min: 0 }))
    .option('--mu-inc <f>', 'LM/BR: μ ← μ·f after a rejected trial (f > 1, default 10)', num('--mu-inc', { min: 0 }))
    .option('--mu-max <m>', 'LM/BR: stop when μ exceeds this (default 1e10)', num('--mu-max', { min: 0 }))
    .addOption(new Option('--damping <d>', "LM/BR: D in (JᵀJ + μD)δ = −Jᵀe: identity (trainlm) or diagonal = diag(JᵀJ) (Marquardt)").choices(['identity', 'diagonal']))
    .addOption(new Option('--lm-solver <s>', 'LM/BR: dense Cholesky, matrix-free CG, or auto (dense up to the dense limit)').choices(['auto', 'dense', 'matrix-free']))
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
      .addOption(new Option('--precision <p>', 'run every run in this precision (overrides the file)').choices(['float32', 'float64']))
      .addHelpText('after', EXIT_CODES_HELP),
  ).action(async (file: string, flags: OutputFlags & { precision?: 'float32' | 'float64' }) => {
    await (await actions()).runCommand(file, flags);
  });

  dataModelOptions(
    program
      .command('spectrum')
      .description("the Hessian's largest and smallest eigenvalues at the initial weights: minimum, saddle or flat")
      .argument('<data>', 'dataset file'),
  )
    .option('--k <k>', 'how many of the largest and of the smallest eigenvalues (1…20)', spectrumK('--k', 1), 5)
    .addOption(new Option('--method <method>', 'dense (all eigenvalues, small n), lanczos, or auto').choices(['auto', 'dense', 'lanczos']).default('auto'))
    .addOption(new Option('--precision <p>', 'arithmetic of the passes (float64 products agree with the exact Hessian to rounding)').choices(['float32', 'float64']))
    .option('--json', 'print one JSON document')
    .addOption(engineOption())
    .addOption(threadsOption())
    .action(async (data: string, flags: SpectrumFlags) => {
      await (await import('./spectrumCommand')).spectrumAction(data, flags);
    });

  program
    .command('info')
    .description('show the compute engine chosen and why each one before it was not used')
    .option('--json', 'as JSON')
    .addOption(engineOption())
    .addOption(deviceOption())
    .addOption(threadsOption())
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
    .addOption(deviceOption())
    .addOption(threadsOption())
    .option('--allow-outside-paths', 'read files the experiment names outside its own folder')
    .addOption(new Option('--precision <p>', 'arithmetic of the check (float64: central differences agree to ~1e-8)').choices(['float32', 'float64']).default('float32'))
    .action(async (file: string, flags: { eps: string; coordinates: number; allowOutsidePaths?: boolean; precision: 'float32' | 'float64' } & EngineFlags) => {
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
