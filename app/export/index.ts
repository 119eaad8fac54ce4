/**
 * `exportRun`: writes a trained run's weights in the requested formats plus the reproducibility
 * bundle, all-or-nothing. Called by the CLI (`--out DIR --format …`) and the GUI export.
 */
import { join } from 'node:path';
import type { ExportFormat } from './formats';
import type { Preprocessing } from '../data/types';
import type { DenseWeights, DenseWeights64 } from '../model/spec';
import { checkLayerShapes } from '../model/tfModel';
import type { Experiment } from '../schema/experiment';
import type { IterationPoint, RunSummary } from '../train/events';
import { ExportError, writeDirectoryAtomically, type AtomicResult, type WriteFileFn } from './atomicDirectory';
import { bundleFiles, type RepeatedBundle } from './bundle';
import { companionFiles } from './companions';
import { checkExportDestination, estimateExportBytes } from './destination';
import { aggregateRepeats, bestRepeat, choiceBasis, repeatOutcomes } from '../train/aggregate';
import type { ExportFile } from './files';
import { kerasArchiveFile } from './kerasArchive';
import { kerasH5File } from './kerasH5';
import { npzFile, weightsJsonFile } from './numpy';
import { onnxFile } from './onnx';
import { tfjsLayersFiles } from './tfjsLayers';
import type { ExperimentOutcome, FinishedRun } from '../train/runner';
import type { RunPredictions } from '../train/scoring';
import { figureFiles } from './figures';

export { ExportError, EXPORT_MARKER, removeLiveStagingSync, type AtomicResult } from './atomicDirectory';
export { checkExportDestination, estimateExportBytes } from './destination';

export interface ExportRequest {
  /** Destination folder (created; must be missing or empty, or an earlier Curvature export when overwrite). */
  directory: string;
  formats: ExportFormat[];
  overwrite?: boolean;
  experiment: Experiment;
  summary: RunSummary;
  /** Trained weights, in order; the last is the output layer. */
  layers: DenseWeights[];
  /**
   * A float64 run's weights unrounded: the .npz and JSON exports write these (float64); TF.js, Keras
   * and ONNX are float32 as those tools expect and take `layers`.
   */
  layers64?: DenseWeights64[];
  inputDim: number;
  preprocessing: Preprocessing;
  history: IterationPoint[];
  /** Set when the run spec was repeated: all repeats' histories and the aggregate table. */
  repeated?: RepeatedBundle;
  /** Folder the experiment's relative paths are read from (the README names its files with their SHA-256). */
  baseDir?: string;
  /** Outputs and targets per subset (original units): the fitting plots' PNG + CSV are written from them. */
  predictions?: RunPredictions;
}

/** Test seam: replace the file write primitive (e.g. to simulate a full disk). */
export interface ExportDeps {
  writeFile?: WriteFileFn;
}

async function formatFiles(format: ExportFormat, req: ExportRequest, staging: string): Promise<ExportFile[]> {
  switch (format) {
    case 'tfjs':
      return tfjsLayersFiles(req.layers, req.inputDim);
    case 'keras':
      return [await kerasArchiveFile(req.layers, req.inputDim, join(staging, '.scratch-keras3.weights.h5'))];
    case 'h5':
      return [await kerasH5File(req.layers, req.inputDim, join(staging, '.scratch-legacy.h5'))];
    case 'onnx':
      return [onnxFile(req.layers, req.inputDim)];
    case 'npz':
      return [npzFile(req.layers64 ?? req.layers)];
    case 'json':
      return [weightsJsonFile(req.layers64 ?? req.layers)];
  }
}

const LAYER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Names become HDF5 group paths, zip member names and ONNX initializer names, so they are restricted
 * like the model spec's. Non-finite weights (a diverged run) would silently become `null` in JSON.
 */
function validateForExport(req: ExportRequest): void {
  try {
    checkLayerShapes(req.layers, req.inputDim);
  } catch (e) {
    throw new ExportError(req.directory, (e as Error).message);
  }
  req.layers.forEach((l, i) => {
    if (!LAYER_NAME.test(l.name)) throw new ExportError(req.directory, `layer ${i} name "${l.name}" must be letters, digits and _`);
    for (const [part, values] of [['kernel', l.kernel], ['bias', l.bias]] as const) {
      const bad = values ? values.findIndex((v) => !Number.isFinite(v)) : -1;
      if (bad >= 0) {
        throw new ExportError(req.directory, `layer ${i} ("${l.name}") ${part}[${bad}] is ${values![bad]}; the run diverged, nothing to export`);
      }
    }
  });
}

export async function exportRun(req: ExportRequest, deps: ExportDeps = {}): Promise<AtomicResult> {
  const formats = [...new Set(req.formats)];
  if (formats.length === 0) throw new ExportError(req.directory, 'no export format chosen');
  validateForExport(req);
  const parameterCount = req.layers.reduce((n, l) => n + l.kernel.length + (l.bias?.length ?? 0), 0);
  await checkExportDestination(req.directory, {
    overwrite: req.overwrite,
    estimatedBytes: estimateExportBytes(parameterCount, formats, req.history.length, Object.values(req.predictions ?? {}).reduce((n, p) => n + (p?.predictions.length ?? 0), 0)),
  });
  return writeDirectoryAtomically(
    req.directory,
    async (staging) => {
      const weights: ExportFile[] = [];
      for (const f of formats) weights.push(...(await formatFiles(f, req, staging)));
      const companions = await companionFiles(req.experiment, req.baseDir ?? process.cwd());
      const figures = await figureFiles({ summary: req.summary, history: req.history, preprocessing: req.preprocessing, predictions: req.predictions });
      const bundle = bundleFiles({ ...req, formats, weightFiles: weights.map((w) => w.name), figureFiles: figures.map((f) => f.name), companions });
      return [...weights, ...figures, ...bundle];
    },
    {
      overwrite: req.overwrite,
      writeFile: deps.writeFile,
      description: `run "${req.summary.runId}" of experiment ${JSON.stringify(req.experiment.name)}`,
    },
  );
}

/**
 * Exports one run of a finished experiment: what the CLI's --out and the trainer's export command do.
 * With repeats, the export holds the weights of `run` (the CLI passes the spec's bestRepeat: lowest
 * final validation loss, else training loss), every repeat's history and the aggregate table.
 */
export function exportFinishedRun(
  experiment: Experiment,
  outcome: Pick<ExperimentOutcome, 'inputDim' | 'preprocessing'> & Partial<Pick<ExperimentOutcome, 'runs'>>,
  run: FinishedRun,
  target: { directory: string; formats: ExportFormat[]; overwrite?: boolean; baseDir?: string },
  deps: ExportDeps = {},
): Promise<AtomicResult> {
  const specOf = (r: FinishedRun) => r.spec ?? r.summary.runId;
  const group = experiment.repeats > 1 && outcome.runs ? outcome.runs.filter((r) => specOf(r) === specOf(run)) : [];
  if (group.length > 1 && outcome.runs) {
    // The repeat asked for is the one exported (the card clicked in the GUI; the CLI asks for bestRepeat).
    const best = run;
    const isBest = bestRepeat(group) === run;
    const basis = choiceBasis(group.map((r) => r.summary));
    const { aggregates, comparisons } = aggregateRepeats(repeatOutcomes(outcome.runs));
    return exportRun(
      {
        ...target,
        experiment,
        summary: best.summary,
        layers: best.layers,
        ...(best.layers64 && { layers64: best.layers64 }),
        inputDim: outcome.inputDim,
        preprocessing: outcome.preprocessing,
        history: best.history,
        predictions: best.predictions,
        repeated: {
          weights: {
            repeat: best.repeat ?? 0,
            runId: best.summary.runId,
            rule: isBest ? `the lowest final ${basis} loss of the ${group.length} repeats` : `the repeat chosen for export (repeat ${run.repeat ?? 0} of ${group.length})`,
          },
          summaries: group.map((r) => r.summary),
          histories: group.map((r) => ({ repeat: r.repeat ?? 0, history: r.history })),
          aggregates,
          comparisons,
        },
      },
      deps,
    );
  }
  return exportRun(
    {
      ...target,
      experiment,
      summary: run.summary,
      layers: run.layers,
      ...(run.layers64 && { layers64: run.layers64 }),
      inputDim: outcome.inputDim,
      preprocessing: outcome.preprocessing,
      history: run.history,
      predictions: run.predictions,
    },
    deps,
  );
}

