/** The target columns as network outputs: the task, class labels and one-hot order. */
import { inferTask, MAX_AUTO_CLASSES, sortLabels, summarizeTarget } from './infer';
import type { DataSpec } from './spec';
import type { RawColumn, RawTable } from './table';
import { DataError, type Task } from './types';

/** One-hot encoding more categories than this is almost always an id column by mistake. */
export const MAX_CATEGORIES = 1000;

export interface TargetEncoding {
  task: Task;
  /** Class index per table row (classification only). */
  classOf?: Int32Array;
  classLabels?: string[];
  outputDim: number;
}

/** Several target columns: multi-output regression, every one numeric and non-constant. */
function encodeMultiTarget(table: RawTable, targets: RawColumn[], rows: Int32Array, requested: DataSpec['task'], notes: string[]): TargetEncoding {
  if (requested !== 'auto' && requested !== 'regression') {
    throw new DataError(`${targets.length} target columns make a multi-output regression; task ${requested} takes one target`, { file: table.file, field: 'task' });
  }
  for (const target of targets) {
    const where = { file: table.file, column: target.name };
    const summary = summarizeTarget(target, rows);
    if (target.kind === 'categorical') throw new DataError(`target holds text (e.g. ${JSON.stringify(summary.example)}); multi-output regression needs numeric targets`, where);
    if (summary.distinct <= 1) throw new DataError(`target column is constant (every usable row is ${JSON.stringify(summary.example ?? '')}); there is nothing to learn`, where);
  }
  notes.push(`multi-output regression: ${targets.length} targets (${targets.map((t) => `"${t.name}"`).join(', ')}), one linear output each`);
  return { task: 'regression', outputDim: targets.length };
}

export function encodeTargets(table: RawTable, targets: RawColumn[], rows: Int32Array, requested: DataSpec['task'], notes: string[]): TargetEncoding {
  if (targets.length > 1) return encodeMultiTarget(table, targets, rows, requested, notes);
  const target = targets[0];
  const where = { file: table.file, column: target.name };
  const summary = summarizeTarget(target, rows);
  if (summary.distinct <= 1) {
    throw new DataError(`target column is constant (every usable row is ${JSON.stringify(summary.example ?? '')}); there is nothing to learn`, where);
  }
  const task: Task = requested === 'auto' ? inferTask(summary) : requested;
  if (requested === 'auto') {
    notes.push(
      `task inferred as ${task} from target "${target.name}" (${target.kind}, ${summary.distinct > MAX_AUTO_CLASSES && target.kind === 'numeric' ? `more than ${MAX_AUTO_CLASSES}` : summary.distinct} distinct values)`,
    );
  }
  if (task === 'regression') {
    if (target.kind === 'categorical') {
      throw new DataError(`target holds text (e.g. ${JSON.stringify(summary.example)}); regression needs a numeric target`, where);
    }
    return { task, outputDim: 1 };
  }
  return encodeClasses(table, target, rows, task, notes);
}

function encodeClasses(table: RawTable, target: RawColumn, rows: Int32Array, task: Task, notes: string[]): TargetEncoding {
  const where = { file: table.file, column: target.name };
  const distinct = new Set<string>();
  for (const i of rows) {
    distinct.add(target.category(i) as string);
    if (distinct.size > MAX_CATEGORIES) {
      throw new DataError(`target has more than ${MAX_CATEGORIES} distinct values; too many classes for ${task} classification`, where);
    }
  }
  if (task === 'binary' && distinct.size !== 2) {
    throw new DataError(`binary classification needs exactly 2 distinct target values, found ${distinct.size}`, where);
  }
  const classLabels = sortLabels(distinct);
  const index = new Map(classLabels.map((l, k) => [l, k]));
  const classOf = new Int32Array(table.rowCount).fill(-1);
  for (const i of rows) classOf[i] = index.get(target.category(i) as string) as number;
  if (task === 'binary') notes.push(`target "${target.name}": ${JSON.stringify(classLabels[0])} → 0, ${JSON.stringify(classLabels[1])} → 1`);
  else notes.push(`target "${target.name}": ${classLabels.length} classes, one-hot encoded`);
  return { task, classOf, classLabels, outputDim: task === 'binary' ? 1 : classLabels.length };
}

export function classesOf(rows: Int32Array, classOf: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = classOf[rows[k]];
  return out;
}
