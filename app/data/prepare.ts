/**
 * From a raw table to training matrices: column roles, task, missing values, seeded splits,
 * standardisation and one-hot encoding fitted on the training rows, Float32 row-major output.
 * Each step lives in its own module (roles, usableRows, targetEncoding, featurePlan, matrices).
 */
import type { z } from 'zod';
import { type DataSpec, dataSpecSchema } from './spec';
import { loadTable } from './load';
import { splitRows, type SplitIndices } from './split';
import type { RawTable } from './table';
import { resolveRoles } from './roles';
import { countFilled, usableRows } from './usableRows';
import { classesOf, encodeTargets, type TargetEncoding } from './targetEncoding';
import { planFeatures } from './featurePlan';
import { buildSplit, checkTrainingWeights, numericInputs } from './matrices';
import { DataError, type Preprocessing, type PreparedData } from './types';

export { MAX_CATEGORIES } from './targetEncoding';

/** Element type of prepared matrices (the engine's Precision; data sits beside engine, so spelled here). */
export type Precision = 'float32' | 'float64';

export type DataSpecInput = z.input<typeof dataSpecSchema>;

export interface PrepareOptions {
  /** Folder that a relative source path is resolved against. */
  baseDir?: string;
  /**
   * Element type of the prepared matrices: float32 (default) or float64, which keeps every value as
   * the loader parsed it (a float64 run's data never passes through a Float32Array).
   */
  precision?: Precision;
}

/** Loads the source named by the spec and prepares it for training. The training runner's entry. */
export async function prepareData(spec: DataSpec | DataSpecInput, options: PrepareOptions = {}): Promise<PreparedData> {
  const parsed = parseSpec(spec);
  const table = await loadTable(parsed.source, { baseDir: options.baseDir, maxFileBytes: parsed.maxFileBytes });
  return prepareTable(table, parsed, options.precision);
}

function parseSpec(spec: DataSpec | DataSpecInput): DataSpec {
  const r = dataSpecSchema.safeParse(spec);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new DataError(`invalid data spec: ${issue.message}`, { field: issue.path.join('.') || 'data' });
}

function splitUsable(table: RawTable, rows: Int32Array, enc: TargetEncoding, spec: DataSpec, notes: string[]): SplitIndices {
  const stratify = enc.classOf !== undefined && spec.split.stratify;
  const split = splitRows(rows, {
    validation: spec.split.validation,
    test: spec.split.test,
    seed: spec.split.seed,
    file: table.file,
    strata: stratify ? classesOf(rows, enc.classOf as Int32Array) : undefined,
  });
  notes.push(
    `split (seed ${spec.split.seed}${stratify ? ', stratified' : ''}): ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test rows`,
  );
  return split;
}

/** Prepares an already-loaded table (see prepareData). */
export function prepareTable(table: RawTable, specInput: DataSpec | DataSpecInput, precision: Precision = 'float32'): PreparedData {
  const spec = parseSpec(specInput);
  const file = table.file;
  const n = table.rowCount;
  if (n === 0) throw new DataError(table.format === 'csv' ? 'no data rows (the file has a header only)' : 'no data rows', { file });
  if (n < 2) throw new DataError('only one data row; training needs at least 2', { file });
  const notes = [...table.notes];
  const { targets, weight, features } = resolveRoles(table, spec, notes);
  const policy = spec.preprocessing.missing;
  const { rows, droppedRows } = usableRows(table, targets, weight, features, policy, notes);
  const filledCells = policy === 'fill-mean' ? countFilled(features, rows, notes, new Set(spec.expandDates)) : 0;
  const enc = encodeTargets(table, targets, rows, spec.task, notes);
  const split = splitUsable(table, rows, enc, spec, notes);
  // Every feature one numeric input (the common big-table case): the training inputs are written from
  // the training-order values the statistics read, column by column, instead of a scatter of table rows.
  const allNumeric = features.every((c) => c.kind === 'numeric') && (spec.expandDates ?? []).length === 0;
  const direct = allNumeric ? numericInputs(split.train.length, features.length, precision) : undefined;
  const { plans, inputNames, standardization, oneHot, dates } = planFeatures(table, features, rows, split.train, spec, notes, direct?.write);
  const columns = { plans, inputDim: inputNames.length, targets, enc, weight, precision };
  const train = buildSplit(split.train, table, columns, direct);
  checkTrainingWeights(train, table, weight);
  if (weight) notes.push(`rows weighted by column "${weight.name}": losses, gradients and metrics are weighted means`);
  const preprocessing: Preprocessing = {
    featureColumns: features.map((c) => c.name),
    inputNames,
    standardization,
    oneHot,
    target: targets[0].name,
    task: enc.task,
    missing: { policy, droppedRows, filledCells },
  };
  if (dates.length > 0) preprocessing.dates = dates;
  if (targets.length > 1) preprocessing.targets = targets.map((t) => t.name);
  if (weight) preprocessing.weight = weight.name;
  if (enc.classLabels) preprocessing.classLabels = enc.classLabels;
  return {
    task: enc.task,
    inputDim: inputNames.length,
    outputDim: enc.outputDim,
    train,
    validation: split.validation.length > 0 ? buildSplit(split.validation, table, columns) : undefined,
    test: split.test.length > 0 ? buildSplit(split.test, table, columns) : undefined,
    preprocessing,
    notes,
  };
}
