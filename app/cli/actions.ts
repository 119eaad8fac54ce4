/**
 * What the CLI commands do once parsed. Kept apart from main.ts, which only declares the commands, so
 * `curvature --help` and flag errors load neither the engines, the data loaders nor the schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseExperiment, type Experiment } from '../schema/experiment';
import { startExperiment, type ExperimentOutcome } from '../train/runner';
import type { ExperimentEvent } from '../train/events';
import { engineFor, initEngine, formatReport } from '../engine/choice';
import { ExportError, exportFinishedRun, removeLiveStagingSync } from '../export';
import { EXPORT_FORMATS, type ExportFormat } from '../export/formats';
import { DataError } from '../data/types';
import { duckdbStatus } from '../data/duckdb';
import { listExamples } from '../examples';
import { buildProblem } from '../train/problem';
import { ModelObjective } from '../model/objective';
import { checkGradient } from '../model/gradientCheck';
import { experimentFromFlags, importModelFlag, type TrainFlags } from './trainOptions';
import { aggregateTable, jsonReport, progressBars, summaryTable } from './report';
import { aggregateRepeats, bestRepeat, repeatOutcomes } from '../train/aggregate';
import { InputError } from './errors';
import { ConfigError } from '../util/configError';
import { resolveInside } from '../util/paths';
import { parseNumber } from './numbers';
import { confinePaths } from './experimentPaths';
import { checkFreeSpace, planExports, type ExportPlan } from './exportPlan';
import type { EngineFlags, OutputFlags } from './flags';

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

export function isInputError(err: unknown): boolean {
  return err instanceof InputError || err instanceof DataError || err instanceof ConfigError;
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

export async function trainCommand(data: string, flags: TrainFlags & OutputFlags & { saveExperiment?: string }): Promise<void> {
  const imported = await importModelFlag(flags);
  for (const n of imported?.notes ?? []) process.stderr.write(`note: ${n}\n`);
  const experiment = experimentFromFlags(data, flags, process.cwd(), imported);
  if (flags.saveExperiment) fs.writeFileSync(flags.saveExperiment, JSON.stringify(experiment, null, 2) + '\n');
  await execute(experiment, process.cwd(), flags);
}

export async function runCommand(file: string, flags: OutputFlags & { precision?: 'float32' | 'float64' }): Promise<void> {
  const read = readExperiment(file);
  const experiment = flags.precision ? { ...read, precision: flags.precision, runs: read.runs.map((r) => ({ ...r, precision: flags.precision })) } : read;
  const dir = path.dirname(path.resolve(file));
  if (!flags.allowOutsidePaths) confinePaths(experiment, dir, file);
  await execute(experiment, dir, flags);
}

export async function infoCommand(flags: { json?: boolean } & EngineFlags): Promise<void> {
  const report = await initEngine({ backend: flags.backend, threads: flags.threads, device: flags.device });
  const reader = await duckdbStatus();
  const dataReader = reader.available
    ? { name: 'duckdb', version: reader.version, formats: ['csv', 'tsv', 'parquet'] }
    : { name: 'javascript', reason: reader.reason, formats: ['csv', 'tsv'] };
  const readerLine = reader.available
    ? `Data reader: DuckDB ${reader.version} (CSV/TSV, Parquet; the JavaScript loader takes the CSV files DuckDB would read differently)`
    : `Data reader: JavaScript (papaparse) — DuckDB: ${reader.reason}; Parquet files cannot be read`;
  process.stdout.write(flags.json ? JSON.stringify({ ...report, dataReader }) + '\n' : `${formatReport(report)}\n${readerLine}\n`);
}

export async function gradcheckCommand(file: string, flags: { eps: string; coordinates: number; allowOutsidePaths?: boolean; precision: 'float32' | 'float64' } & EngineFlags): Promise<void> {
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
}

export function examplesCommand(): void {
  for (const e of listExamples()) process.stdout.write(`${e.name}\n  ${e.title}\n  curvature run ${e.file}\n`);
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

