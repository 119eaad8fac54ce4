/**
 * Does an imported model fit the data? Checked as soon as both are known, so a 100-input file on
 * 4-column data is refused beside the model rather than at Start with a stack trace.
 */
import type { DataCheck, ModelImportInfo, Task } from '../../../app/ui';
import { plural } from './format';

export function modelFitProblems(info: ModelImportInfo | null, check: DataCheck | null, task: Task | null, classes: number | null): string[] {
  if (!info || !check?.ok || check.inputDim === undefined) return [];
  const problems: string[] = [];
  if (info.inputDim !== check.inputDim) {
    problems.push(
      `${info.fileName} takes ${plural(info.inputDim, 'input')}, but the data gives ${plural(check.inputDim, 'input')} with these settings. ` +
        'Open a model built for this data, change the feature columns to match, or drop its weights.',
    );
  }
  const units = info.layers[info.layers.length - 1]?.units;
  if (task === 'multiclass' && classes !== null && units !== undefined && units !== classes) {
    problems.push(`${info.fileName} has ${plural(units, 'output')}, but the target has ${plural(classes, 'class', 'classes')}. Choose the target it was trained for, or drop its weights.`);
  }
  return problems;
}
