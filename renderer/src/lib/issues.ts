/**
 * Validation problems in the words of the UI: a zod issue's schema path becomes the view and the
 * control's visible name ("Data › Missing values", "Optimizers › Adam: Learning rate"), its
 * message a short rule ("must be at least 1"). Raw paths and zod wording never reach the page.
 */
import type { DataProblem } from '../../../app/ui';
import { OPTIMIZER_LABELS } from '../../../app/ui';
import type { Experiment } from '../../../app/ui';
import { fieldLabel } from './schema-fields';

/** The slice of a zod 4 issue this module reads. */
export interface IssueLike {
  code?: string;
  path: readonly PropertyKey[];
  message: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  origin?: string;
  expected?: string;
}

const DATA_LABELS: Record<string, string> = {
  target: 'Target column',
  task: 'Task',
  features: 'Column roles',
  ignore: 'Column roles',
  expandDates: 'Column roles',
  dateOrder: 'Dates with the year last',
  missing: 'Missing values',
  standardize: 'Standardise numeric features',
  oneHot: 'One-hot encode categorical features',
  validation: 'Validation share',
  test: 'Test share',
  seed: 'Split seed',
  stratify: 'Stratify by class',
  maxFileBytes: 'Maximum file size',
};

const MODEL_LABELS: Record<string, string> = {
  units: 'units',
  activation: 'activation',
  useBias: 'bias',
  dropout: 'dropout',
  loss: 'Loss',
  l2: 'L2 penalty λ',
  huberDelta: 'Huber δ',
  output: 'Output',
  layers: 'Layers',
};

/** Where the control for a schema path is, as the user would look for it. */
export function controlName(path: readonly PropertyKey[], experiment?: Experiment): string {
  const [head, ...rest] = path.map((p) => (typeof p === 'symbol' ? '' : p));
  const last = String(rest[rest.length - 1] ?? head ?? '');
  switch (head) {
    case 'name':
      return 'Experiment name';
    case 'seed':
      return 'Model › Initial weights seed';
    case 'initialWeights':
      return 'Model › Initial weights';
    case 'data':
      if (rest[0] === 'source') return 'Data › Dataset';
      return `Data › ${DATA_LABELS[last] ?? DATA_LABELS[String(rest[0])] ?? fieldLabel(last)}`;
    case 'model': {
      if (rest[0] === 'layers' && typeof rest[1] === 'number') {
        const count = experiment?.model.layers.length ?? 0;
        const layer = rest[1] === count - 1 ? 'Output layer' : `Hidden layer ${rest[1] + 1}`;
        return `Model › ${layer}${rest[2] !== undefined ? ` ${MODEL_LABELS[String(rest[2])] ?? fieldLabel(String(rest[2]))}` : ''}`;
      }
      return `Model › ${MODEL_LABELS[last] ?? fieldLabel(last)}`;
    }
    case 'runs': {
      if (typeof rest[0] !== 'number') return 'Optimizers › Runs';
      const run = experiment?.runs[rest[0]];
      const name = run ? run.label || OPTIMIZER_LABELS[run.optimizer.kind] : `Run ${rest[0] + 1}`;
      if (rest[1] === 'stopping') return `Optimizers › Budget › ${fieldLabel(last)}`;
      if (rest[1] === 'label') return `Optimizers › ${name}: Label`;
      return `Optimizers › ${name}: ${fieldLabel(last)}`;
    }
    default:
      return fieldLabel(last || 'experiment');
  }
}

const num = (v: number | bigint | undefined) => (v === undefined ? '' : String(v));

/** The rule an issue states, without zod's wording. */
export function ruleText(issue: IssueLike): string {
  const what = issue.origin === 'string' ? 'characters' : issue.origin === 'array' ? 'entries' : '';
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return 'needs at least one entry';
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${num(issue.minimum)}${what ? ` ${what}` : ''}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${num(issue.maximum)}${what ? ` ${what}` : ''}`;
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') return issue.expected === 'int' ? 'must be a whole number' : 'must be a number';
      return 'is missing or not valid';
    case 'invalid_value':
    case 'invalid_union':
      return 'is not one of the allowed choices';
    case 'custom':
      return issue.message;
    default:
      return 'is not valid';
  }
}

export function describeIssue(issue: IssueLike, experiment?: Experiment): string {
  return `${controlName(issue.path, experiment)}: ${ruleText(issue)}`;
}

/** One data-check problem as a line of the "Not ready to race" list. */
export function describeDataProblem(p: DataProblem): string {
  const where = [p.row !== undefined ? `row ${p.row}` : '', p.column !== undefined ? `column "${p.column}"` : ''].filter(Boolean).join(', ');
  return `Data${where ? ` (${where})` : ''}: ${p.message}`;
}

/**
 * A host's "Invalid … request" text lists `path: zod message` lines; rewrites each in the words
 * of the UI. Lines of any other shape pass through.
 */
export function humanizeSchemaLines(text: string, experiment?: Experiment): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^\s*((?:experiment\.)?(?:data|model|runs|name|seed|initialWeights)(?:\.[\w$]+)*): (.*)$/.exec(line);
      if (!m) return line.replace(/^Invalid \w+ request:$/, 'The settings are not valid:');
      const path = m[1].replace(/^experiment\./, '').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      return `  ${controlName(path, experiment)}: ${zodWords(m[2])}`;
    })
    .join('\n');
}

/** zod's default messages as short rules ("Too small: expected number to be >=1" → "must be at least 1"). */
function zodWords(message: string): string {
  let m = /^Too small: expected (\w+) to (?:be|have) (>=?)\s*([-\d.e]+)/.exec(message);
  if (m) return m[1] === 'string' && m[3] === '1' ? 'must not be empty' : `must be ${m[2] === '>' ? 'more than' : 'at least'} ${m[3]}${m[1] === 'string' ? ' characters' : ''}`;
  m = /^Too big: expected (\w+) to (?:be|have) (<=?)\s*([-\d.e]+)/.exec(message);
  if (m) return `must be ${m[2] === '<' ? 'less than' : 'at most'} ${m[3]}${m[1] === 'string' ? ' characters' : ''}`;
  if (/^Invalid input: expected (number|int)/.test(message)) return 'must be a number';
  if (/^Invalid (input|option|value)/.test(message)) return 'is not one of the allowed choices';
  return message;
}
