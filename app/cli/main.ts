/**
 * `curvature` — train, race and export from the command line, on the same experiment files the GUI
 * saves. Exit codes (EXIT_CODES_HELP): 0 every run ran, 1 a run could not start or ended in an
 * error, 2 bad input (data, experiment, flags, export destination), 130 a second Ctrl-C.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseExperiment, type Experiment } from '../schema/experiment';
import { startExperiment, type ExperimentOutcome } from '../train/runner';
import type { ExperimentEvent } from '../train/events';
import { engineFor, initBackend, formatReport } from '../engine/backend';
import { ENGINE_NAMES, type EngineName } from '../engine/engine';
import { ONNX_DEVICES, type OnnxDevice } from '../engine/onnx/devices';
import { ExportError, exportFinishedRun, removeLiveStagingSync } from '../export';
import { EXPORT_FORMATS, type ExportFormat } from '../api/contract';
import { DataError } from '../data/types';
import { listExamples } from '../examples';
import { buildProblem } from '../train/problem';
import { ModelObjective } from '../model/objective';
import { checkGradient } from '../model/gradientCheck';
import { experimentFromFlags, importModelFlag, parseNumber, type TrainFlags } from './trainOptions';
import { aggregateTable, jsonReport, progressBars, summaryTable } from './report';
import { aggregateRepeats, bestRepeat, repeatOutcomes } from '../train/aggregate';
import { InputError } from './errors';
import { dataModelOptions, spectrumCommand } from './spectrumCommand';
import { ConfigError } from '../util/configError';
import { resolveInside } from '../util/paths';
import { confinePaths } from './experimentPaths';
import { checkFreeSpace, planExports, type ExportPlan } from './exportPlan';

export const EXIT_CODES_HELP = `
Exit codes:
  0    every run ran (whatever its stopping reason, including a Ctrl-C stop)
  1    a run could not start or ended in an error (e.g. 'non-finite': data overflowing float32)
  2    bad input or usage: flags, experiment file, data file, or an export destination that
       cannot take the export (checked before training)
  130  a second Ctrl-C (the first stops the runs gracefully; partial exports are removed)
`;

/** Statuses that mean a run did not train: the CLI exits 1 when any run ends with one. */
const ERROR_STATUSES = new Set(['non-finite', 'refused']);

/** A destination refused before training is bad input (exit 2); the same error after training is not. */
function asInputError(e: unknown): never {
  throw e instanceof ExportError ? new InputError(e.message) : e;
}

/** A run ended in an error; the report is printed, then the CLI exits 1. */
class RunFailure extends Error {
  override name = 'RunFailure';
}

interface EngineFlags {
  backend?: EngineName | 'auto';
  threads?: number;
  device?: OnnxDevice | 'auto';
  /** --spectrum K: eigenvalues at start, switches and end of every run (0: off). */
  spectrum?: number;
}

interface OutputFlags extends EngineFlags {
  out?: string;
  allowOutsidePaths?: boolean;
  format: string;
  force?: boolean;
  json?: boolean;
  progress: boolean;
}


function parseFormats(text: string): ExportFormat[] {
  const formats = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const f of formats) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(f)) throw new InputError(`--format: unknown format "${f}"; use ${EXPORT_FORMATS.join(', ')}`);
  }
  return formats as ExportFormat[];
}

async function execute(fromFile: Experiment, baseDir: string, flags: OutputFlags): Promise<void> {
  const formats = parseFormats(flags.format);
  const experiment = withEngineFlags(fromFile, flags);
  // Destinations are checked before training: a refused folder must not cost a finished run.
  const plan: ExportPlan | undefined = flags.out ? await planExports(experiment, flags.out, flags.force ?? false).catch(asInputError) : undefined;
  let spaceError: ExportError | undefined;
  const notes: string[] = [];
  const listeners: ((e: ExperimentEvent) => void)[] = [
    (e) => {
      if (e.type !== 'experiment-started') return;
      if (plan) {
        spaceError = checkFreeSpace(plan, experiment, e.parameterCount, formats);
        if (spaceError) handle.stopAll();
      }
      notes.push(...e.notes);
      // What loading and the model did (rows dropped, one-hot columns, dropout caveats) before the bars start.
      if (!flags.json) for (const n of e.notes) process.stderr.write(`note: ${n}\n`);
    },
  ];
  if (!flags.json && flags.progress && process.stderr.isTTY) listeners.push(progressBars(experiment, process.stderr));
  // Per-subset predictions are for exports (plots and their CSV); without --out they would only cost memory.
  const handle = startExperiment(experiment, { baseDir, keepPredictions: Boolean(flags.out), onEvent: (e) => listeners.forEach((l) => l(e)) });
  const quitNow = () => {
    for (const p of removeLiveStagingSync()) process.stderr.write(`removed partial export ${p}\n`);
    process.exit(130);
  };
  const interrupt = () => {
    process.stderr.write('\nStopping all runs (Ctrl-C again to quit at once)…\n');
    handle.stopAll();
    process.once('SIGINT', quitNow);
  };
  process.once('SIGINT', interrupt);
  let outcome: ExperimentOutcome;
  try {
    outcome = await handle.done;
  } finally {
    process.off('SIGINT', interrupt);
  }
  if (spaceError) asInputError(spaceError);
  // From here on (exports, report) Ctrl-C quits at once: half-written staging folders go, nothing else is touched.
  if (!process.listeners('SIGINT').includes(quitNow)) process.once('SIGINT', quitNow);
  try {
    await exportAndReport(experiment, outcome, flags, formats, plan, notes, baseDir);
  } finally {
    process.off('SIGINT', quitNow);
  }
}

async function exportAndReport(
  experiment: Experiment,
  outcome: ExperimentOutcome,
  flags: OutputFlags,
  formats: ExportFormat[],
  plan: ExportPlan | undefined,
  notes: string[],
  baseDir: string,
): Promise<void> {
  const exported = new Map<string, string>();
  if (flags.out) {
    // With repeats, one folder per run spec holding its best repeat's weights and all K histories.
    const groups = new Map<string, typeof outcome.runs>();
    for (const run of outcome.runs) groups.set(run.spec ?? run.summary.runId, [...(groups.get(run.spec ?? run.summary.runId) ?? []), run]);
    for (const [spec, group] of groups) {
      const run = bestRepeat(group);
      const directory = plan?.folders.get(spec) ?? resolveInside(flags.out, spec, 'run id');
      const result = await exportFinishedRun(experiment, outcome, run, { directory, formats, overwrite: flags.force ?? false, baseDir });
      if (result.replaced && !flags.json) process.stderr.write(`${result.directory}: ${result.replaced}\n`);
      exported.set(run.summary.runId, result.directory);
    }
  }
  const failed = outcome.runs.filter((r) => ERROR_STATUSES.has(r.summary.status));
  if (flags.json) {
    process.stdout.write(JSON.stringify(jsonReport(experiment, outcome, exported, notes)) + '\n');
  } else {
    process.stdout.write(`\n${experiment.name}\n${outcome.engine ? formatReport(outcome.engine) : outcome.backend}\n\n${summaryTable(outcome.runs.map((r) => r.summary))}\n`);
    if (experiment.repeats > 1) process.stdout.write(`\n${aggregateTable(aggregateRepeats(repeatOutcomes(outcome.runs)))}\n`);
    const curvature = outcome.runs.filter((r) => r.summary.spectrum).map(({ summary: s }) => {
      const sp = s.spectrum!;
      const points = [sp.initial && `start ${sp.initial.verdict}`, ...sp.switches.map((w) => `switch ${w.verdict}`), sp.final && `end ${sp.final.verdict}`];
      return `  ${s.runId}: ${points.filter(Boolean).join(' → ')}`;
    });
    if (curvature.length > 0) process.stdout.write(`\nHessian (k largest/smallest eigenvalues; --json for the values):\n${curvature.join('\n')}\n`);
    for (const [runId, dir] of exported) process.stdout.write(`exported ${runId} → ${dir}\n`);
  }
  if (failed.length > 0) {
    const which = failed.map((r) => `${r.summary.runId} (${r.summary.status})`).join(', ');
    throw new RunFailure(`${failed.length} of ${outcome.runs.length} runs ended in an error: ${which}`);
  }
}

function readExperiment(file: string): Experiment {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseExperiment(raw, file);
}

function outputOptions(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'export every run into <dir>/<run id>/')
    .option('--format <list>', `export formats: ${EXPORT_FORMATS.join(',')}`, 'tfjs,keras,h5,onnx,npz,json')
    .option('--force', 'replace an earlier Curvature export in <dir>/<run id>/ (folders Curvature did not write are never replaced)')
    .option('--json', 'print one JSON document on stdout instead of the table')
    .option('--no-progress', 'no progress bars')
    .addOption(engineOption())
    .addOption(deviceOption())
    .option('--threads <n>', 'intra-op threads for onnxruntime (default: physical cores)', parseNumber('--threads', { int: true, min: 1 }))
    .option('--spectrum <k>', "the Hessian's k largest and k smallest eigenvalues at each run's start, hand-off switches and end (1…20; 0: off; default: k = 5 when the model is small enough for the dense spectrum)", spectrumK);
}

function spectrumK(value: string): number {
  const k = parseNumber('--spectrum', { int: true, min: 0 })(value);
  if (k > 20) throw new InvalidArgumentError(`--spectrum must be ≤ 20 (got ${k})`);
  return k;
}

function engineOption(): Option {
  return new Option('--backend <engine>', 'compute engine (overrides the experiment and CURVATURE_BACKEND)').choices(['auto', ...ENGINE_NAMES]);
}

function deviceOption(): Option {
  return new Option('--device <device>', "onnxruntime's device (overrides the experiment and CURVATURE_DEVICE; auto: the fastest that passes its self-test)").choices(['auto', ...ONNX_DEVICES]);
}

/** --backend / --threads / --device win over the experiment file's engine setting (which wins over CURVATURE_BACKEND). */
function withEngineFlags(experiment: Experiment, flags: EngineFlags): Experiment {
  if (flags.spectrum !== undefined) {
    experiment = { ...experiment, spectrum: flags.spectrum === 0 ? { k: 5, when: 'off' } : { k: flags.spectrum, when: 'always' } };
  }
  if (flags.backend === undefined && flags.threads === undefined && flags.device === undefined) return experiment;
  return {
    ...experiment,
    engine: {
      ...experiment.engine,
      backend: flags.backend ?? experiment.engine?.backend ?? 'auto',
      ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
      ...(flags.device !== undefined ? { device: flags.device } : {}),
    },
  };
}

export function buildProgram(): Command {
  const program = new Command()
    .name('curvature')
    .description('Train neural networks with BFGS and L-BFGS on TensorFlow.js and race them against first-order optimizers.')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError()
    .exitOverride();

  const num = (label: string, opts?: { int?: boolean; min?: number }) => parseNumber(label, opts);
  const train = dataModelOptions(
    program
      .command('train')
      .description('train on a CSV, TSV, JSON Lines, Parquet, JSON, .npy or .npz file')
      .argument('<data>', 'dataset file'),
  )
    .option('--validation-checks <k>', 'stop after k iterations without a better validation loss; report the best-validation weights', num('--validation-checks', { int: true, min: 1 }))
    .option('--optimizer <list>', 'lbfgs,bfgs,adam,sgd,rmsprop,adagrad,lm,br,newton-cg; a>b is a hand-off run (e.g. adam>lbfgs)', 'lbfgs,bfgs,adam')
    .option('--switch-after <n>', 'hand-off runs: switch to the next optimizer after n iterations', num('--switch-after', { int: true, min: 1 }))
    .option('--switch-on-plateau <w:tol>', 'hand-off runs: switch when the loss decreased by less than tol (relative) over w iterations')
    .option('--repeats <k>', 'start points: every run from each of k initial weights (seed, seed+1, …)', num('--repeats', { int: true, min: 1 }))
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
    const imported = await importModelFlag(flags);
    for (const n of imported?.notes ?? []) process.stderr.write(`note: ${n}\n`);
    const experiment = experimentFromFlags(data, flags, process.cwd(), imported);
    if (flags.saveExperiment) fs.writeFileSync(flags.saveExperiment, JSON.stringify(experiment, null, 2) + '\n');
    await execute(experiment, process.cwd(), flags);
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
    const read = readExperiment(file);
    const experiment = flags.precision ? { ...read, precision: flags.precision, runs: read.runs.map((r) => ({ ...r, precision: flags.precision })) } : read;
    const dir = path.dirname(path.resolve(file));
    if (!flags.allowOutsidePaths) confinePaths(experiment, dir, file);
    await execute(experiment, dir, flags);
  });

  spectrumCommand(program).addOption(engineOption()).option('--threads <n>', 'intra-op threads for onnxruntime', num('--threads', { int: true, min: 1 }));

  program
    .command('info')
    .description('show the compute engine chosen and why each one before it was not used')
    .option('--json', 'as JSON')
    .addOption(engineOption())
    .addOption(deviceOption())
    .option('--threads <n>', 'intra-op threads for onnxruntime', num('--threads', { int: true, min: 1 }))
    .action(async (flags: { json?: boolean } & EngineFlags) => {
      const report = await initBackend({ backend: flags.backend, threads: flags.threads, device: flags.device });
      process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatReport(report) + '\n');
    });

  program
    .command('gradcheck')
    .description('compare the autodiff gradient with central finite differences at the start point')
    .argument('<experiment>', 'experiment JSON')
    .option('--eps <list>', 'finite-difference steps to try', '1.49e-8,1e-3')
    .option('--coordinates <n>', 'coordinates to probe', num('--coordinates', { int: true, min: 1 }), 32)
    .addOption(engineOption())
    .addOption(deviceOption())
    .option('--threads <n>', 'intra-op threads for onnxruntime', num('--threads', { int: true, min: 1 }))
    .option('--allow-outside-paths', 'read files the experiment names outside its own folder')
    .addOption(new Option('--precision <p>', 'arithmetic of the check (float64: central differences agree to ~1e-8)').choices(['float32', 'float64']).default('float32'))
    .action(async (file: string, flags: { eps: string; coordinates: number; allowOutsidePaths?: boolean; precision: 'float32' | 'float64' } & EngineFlags) => {
      const read = withEngineFlags(readExperiment(file), flags);
      const precision = flags.precision;
      const experiment = { ...read, precision, runs: read.runs.map((r) => ({ ...r, precision })) };
      if (!flags.allowOutsidePaths) confinePaths(experiment, path.dirname(path.resolve(file)), file);
      const { engine, report } = await engineFor(experiment.engine, precision);
      process.stderr.write(`${formatReport(report)}\n`);
      const { data, model, x0 } = await buildProblem(experiment, path.dirname(path.resolve(file)));
      const objective = new ModelObjective(model, data.train, { engine, precision });
      try {
        for (const eps of flags.eps.split(',').map((e) => parseNumber('--eps', { min: 0 })(e))) {
          const c = checkGradient(objective, x0, { eps, maxCoordinates: flags.coordinates });
          process.stdout.write(`eps ${eps}: relative error ${c.relativeError.toExponential(3)} over ${c.indices.length} coordinates\n`);
          if (c.warning) process.stdout.write(`  warning: ${c.warning}\n`);
        }
      } finally {
        objective.dispose();
      }
    });

  program
    .command('examples')
    .description('list the example experiments shipped with Curvature')
    .action(() => {
      for (const e of listExamples()) process.stdout.write(`${e.name}\n  ${e.title}\n  curvature run ${e.file}\n`);
    });
  return program;
}

function isInputError(err: unknown): boolean {
  return err instanceof InputError || err instanceof DataError || err instanceof ConfigError;
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
    return isInputError(err) ? 2 : 1;
  }
}
