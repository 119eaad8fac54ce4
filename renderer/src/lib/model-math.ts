/** What the Model view derives from the data and the layer stack: sizes, output layer, loss, memory. */
import type { DatasetPreview } from '../../../app/ui';
import type { Task } from '../../../app/ui';
import type { Activation } from '../../../app/ui';
import type { DataSpec } from '../../../app/ui';

export interface HiddenTemplate {
  id: string;
  title: string;
  hidden: { units: number; activation: Activation }[];
}

export const TEMPLATES: HiddenTemplate[] = [
  { id: 'logistic', title: 'Logistic regression', hidden: [] },
  { id: '1x64-tanh', title: '1 × 64 tanh', hidden: [{ units: 64, activation: 'tanh' }] },
  { id: '2x32-relu', title: '2 × 32 relu', hidden: [{ units: 32, activation: 'relu' }, { units: 32, activation: 'relu' }] },
];

export function resolveTask(data: DataSpec, preview: DatasetPreview | null): Task | null {
  if (data.task !== 'auto') return data.task;
  // Several targets are a multi-output regression.
  if (targetsOf(data).length > 1) return 'regression';
  if (!preview) return null;
  if (data.target === preview.suggestedTarget) return preview.inferredTask;
  const col = preview.columns.find((c) => c.name === data.target);
  if (!col) return null;
  if (col.distinct === 2) return 'binary';
  return col.kind === 'categorical' ? 'multiclass' : 'regression';
}

export function classCount(data: DataSpec, preview: DatasetPreview | null): number | null {
  return preview?.columns.find((c) => c.name === data.target)?.distinct ?? null;
}

export { lossForTask, stackParameterCount as parameterCount } from '../../../app/ui';
import { DATE_PARTS, targetsOf } from '../../../app/ui';

export function outputLayerFor(task: Task, classes: number | null, targets = 1): { units: number; activation: Activation } {
  if (task === 'multiclass') return { units: Math.max(2, classes ?? 2), activation: 'softmax' };
  // Regression: one linear output per target column.
  return { units: task === 'regression' ? Math.max(1, targets) : 1, activation: task === 'binary' ? 'sigmoid' : 'linear' };
}

/** Feature columns as the loader will pick them: explicit list, or all but target and ignored. */
export function featureColumns(data: DataSpec, preview: DatasetPreview | null): string[] {
  if (data.features) return data.features;
  if (!preview) return [];
  const reserved = new Set([...targetsOf(data), ...(data.weight ? [data.weight] : [])]);
  return preview.columns.map((c) => c.name).filter((n) => !reserved.has(n) && !data.ignore.includes(n));
}

/** Network input width after one-hot expansion; `exact` is false when it depends on unseen categories. */
export function inputWidth(data: DataSpec, preview: DatasetPreview | null): { width: number; exact: boolean } | null {
  if (!preview) return null;
  let width = 0;
  let exact = true;
  for (const name of featureColumns(data, preview)) {
    const col = preview.columns.find((c) => c.name === name);
    if (!col) continue;
    if (data.expandDates?.includes(name)) width += DATE_PARTS.length;
    else if (col.kind === 'categorical' && data.preprocessing.oneHot) {
      width += col.distinct;
      exact = false;
    } else width += 1;
  }
  return { width, exact };
}


/** Dense BFGS keeps an n×n float64 inverse Hessian. */
export function bfgsBytes(n: number): number {
  return n * n * 8;
}

/** L-BFGS keeps m pairs (s, y) of float64 vectors plus a few work vectors. */
export function lbfgsBytes(n: number, history: number): number {
  return (2 * history + 4) * n * 8;
}
