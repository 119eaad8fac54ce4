/** The reproducibility files written beside the weights: experiment, preprocessing, history, summary and a README. */
import type { Preprocessing } from '../data/types';
import type { DenseWeights } from '../model/spec';
import type { Experiment } from '../schema/experiment';
import type { IterationPoint, RunSummary } from '../train/events';
import type { ExportFormat } from './formats';
import { textFile, type ExportFile } from './files';
import type { Aggregate, Comparison } from '../train/aggregate';
import { portableExperiment, type CompanionFile } from './companions';

export const EXPERIMENT_FILE = 'experiment.json';
export const PREPROCESSING_FILE = 'preprocessing.json';
export const HISTORY_FILE = 'history.csv';
export const SUMMARY_FILE = 'summary.json';
export const README_FILE = 'README.md';
export const AGGREGATES_CSV = 'aggregates.csv';
export const AGGREGATES_JSON = 'aggregates.json';

/** Column order: the optimizer record, then the evaluation metrics; unknown fields follow in first-seen order. */
const HISTORY_COLUMNS: (keyof IterationPoint | 'repeat')[] = [
  'repeat',
  'phase',
  'iteration',
  'f',
  'trainLoss',
  'validationLoss',
  'validationAccuracy',
  'validationMse',
  'validationR2',
  'gradInfNorm',
  'gradNorm2',
  'step',
  'stepNorm',
  'lineSearchEvaluations',
  'curvature',
  'pairSkipped',
  'memoryReset',
  'functionEvaluations',
  'gradientEvaluations',
  'elapsedMs',
  // Levenberg–Marquardt / Bayesian regularization
  'mu',
  'jacobianEvaluations',
  'effectiveParameters',
  'alpha',
  'beta',
  'sumSquaredWeights',
];

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per iteration point; a column appears when any point has that field. */
export function historyCsv(history: readonly (IterationPoint & { repeat?: number })[]): string {
  const present = new Set<string>();
  for (const p of history) for (const [k, v] of Object.entries(p)) if (v !== undefined) present.add(k);
  const columns: string[] = HISTORY_COLUMNS.filter((c) => present.has(c));
  for (const k of present) if (!columns.includes(k)) columns.push(k);
  if (columns.length === 0) columns.push(...HISTORY_COLUMNS.slice(0, 3));
  const rows = history.map((p) => columns.map((c) => csvCell((p as unknown as Record<string, unknown>)[c])).join(','));
  return [columns.join(','), ...rows].join('\n') + '\n';
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/**
 * A run spec exported from a repeated experiment: the weights are one repeat's (the best by
 * default), the history and summary cover all K repeats, and the aggregate table comes along.
 */
export interface RepeatedBundle {
  /** Which repeat's weights are written, and why. */
  weights: { repeat: number; runId: string; rule: string };
  summaries: RunSummary[];
  histories: { repeat: number; history: readonly IterationPoint[] }[];
  aggregates: Aggregate[];
  comparisons: Comparison[];
}

const AGGREGATE_COLUMNS = ['label', 'optimizer', 'repeats', 'successes'] as const;
const QUARTILE_COLUMNS = ['finalLoss', 'functionEvaluations', 'seconds', 'metric'] as const;

/** One row per run spec; each quartile field becomes median, q1, q3 columns. */
export function aggregatesCsv(aggregates: readonly Aggregate[]): string {
  const head = [...AGGREGATE_COLUMNS, ...QUARTILE_COLUMNS.flatMap((c) => [`${c}Median`, `${c}Q1`, `${c}Q3`])];
  const rows = aggregates.map((a) => [
    ...AGGREGATE_COLUMNS.map((c) => csvCell(a[c])),
    ...QUARTILE_COLUMNS.flatMap((c) => {
      const q = a[c];
      return [csvCell(q?.median), csvCell(q?.q1), csvCell(q?.q3)];
    }),
  ]);
  return [head.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

export interface BundleInput {
  experiment: Experiment;
  summary: RunSummary;
  layers: readonly DenseWeights[];
  inputDim: number;
  preprocessing: Preprocessing;
  history: readonly IterationPoint[];
  formats: readonly ExportFormat[];
  weightFiles: readonly string[];
  repeated?: RepeatedBundle;
  /** The fitting plots written beside the bundle (plot-*.png / .csv), listed in the README. */
  figureFiles?: readonly string[];
  /** Files experiment.json needs beside it to run again (data first). */
  companions?: readonly CompanionFile[];
}

export function bundleFiles(b: BundleInput): ExportFile[] {
  const r = b.repeated;
  if (!r) {
    return [
      textFile(EXPERIMENT_FILE, json(portableExperiment(b.experiment))),
      textFile(PREPROCESSING_FILE, json(b.preprocessing)),
      textFile(HISTORY_FILE, historyCsv(b.history)),
      textFile(SUMMARY_FILE, json(b.summary)),
      textFile(README_FILE, readme(b)),
    ];
  }
  const rows = r.histories.flatMap((h) => h.history.map((p) => ({ repeat: h.repeat, ...p })));
  const summary = { ...b.summary, weights: r.weights, repeats: r.summaries, aggregates: r.aggregates, comparisons: r.comparisons };
  return [
    textFile(EXPERIMENT_FILE, json(portableExperiment(b.experiment))),
    textFile(PREPROCESSING_FILE, json(b.preprocessing)),
    textFile(HISTORY_FILE, historyCsv(rows)),
    textFile(SUMMARY_FILE, json(summary)),
    textFile(AGGREGATES_CSV, aggregatesCsv(r.aggregates)),
    textFile(AGGREGATES_JSON, json({ aggregates: r.aggregates, comparisons: r.comparisons })),
    textFile(README_FILE, readme(b)),
  ];
}

function architecture(b: BundleInput): string {
  const rows = b.layers.map(
    (l) => `| ${l.name} | ${l.fanIn} | ${l.units} | ${l.activation} | ${l.bias ? 'yes' : 'no'} |`,
  );
  return ['| layer | inputs | units | activation | bias |', '|---|---|---|---|---|', ...rows].join('\n');
}

function outputMeaning(p: Preprocessing, last: DenseWeights): string {
  if (p.task === 'regression' && p.targets && p.targets.length > 1) {
    const names = p.targets.map((t) => `\`${t}\``).join(', ');
    return (
      `The ${p.targets.length} outputs are the predicted ${names}, in that order, in their original units` +
      (p.targetScaling ? ' (training standardised each target; `targetScaling.columns` in `preprocessing.json`; the exported output layer already undoes it).' : '.')
    );
  }
  if (p.task === 'regression') {
    const t = p.targetScaling;
    if (!t) return `The output is the predicted \`${p.target}\` in its original units (the target was not standardised).`;
    return (
      `The output is the predicted \`${p.target}\` in its original units. Training standardised the target ` +
      `(\`(y - ${t.mean}) / ${t.scale}\`, \`targetScaling\` in \`preprocessing.json\`); the exported output layer already ` +
      `undoes it (its kernel is multiplied by the scale and the mean is added to its bias), so no post-processing is needed.`
    );
  }
  const labels = p.classLabels?.map((c) => `\`${c}\``).join(', ') ?? '(see preprocessing.json)';
  if (p.task === 'binary' && last.units === 1) {
    const pos = p.classLabels?.[1] ?? 'the positive class';
    return `The output is ${last.activation === 'sigmoid' ? 'the probability' : 'the score (apply a sigmoid for a probability)'} of \`${pos}\`; classes in order: ${labels}.`;
  }
  return `Output column *k* is ${last.activation === 'softmax' ? 'the probability' : 'the score'} of class *k*, in this order: ${labels}. The prediction is the arg-max.`;
}

function dateStep(dates: NonNullable<Preprocessing['dates']>): string {
  const cols = dates.map((d) => `\`${d.column}\` (${d.order === 'ymd' ? 'year first' : d.order === 'dmy' ? 'day/month/year' : 'month/day/year'})`).join(', ');
  return (
    `Turn each date column into ${dates[0].parts.length} numbers, \`column:part\` in \`inputNames\`: ${cols}. A date written year first (2024-03-01) is always read so; ` +
    'a two-digit year yy is 19yy from 69 on and 20yy below; the time of day is not used. The parts: year, month (1–12), day of month, ' +
    'weekday (0 = Monday … 6 = Sunday), sin and cos of 2π·(day of year − 1)/(days in that year), and days since 1970-01-01. Each part is then standardised like a numeric column.'
  );
}

function preprocessingSteps(p: Preprocessing): string {
  const steps: string[] = [];
  steps.push(`Take the raw feature columns in this order: ${p.featureColumns.map((c) => `\`${c}\``).join(', ')}.`);
  if (p.dates?.length) steps.push(dateStep(p.dates));
  if (p.oneHot.length) {
    const oh = p.oneHot.map((o) => `\`${o.column}\` → ${o.categories.map((c) => `\`${c}\``).join(', ')}`).join('; ');
    steps.push(`One-hot encode the categorical columns (1.0 for the row's category, 0.0 otherwise; an unseen category is all zeros): ${oh}.`);
  } else {
    steps.push('There are no categorical columns to one-hot encode.');
  }
  const scaled = p.standardization.filter((s) => s.mean !== 0 || s.scale !== 1);
  steps.push(
    scaled.length
      ? 'Standardise each numeric column: `x = (raw - mean) / scale`, with `mean` and `scale` from `preprocessing.json` → `standardization`.'
      : 'Numeric columns are used as they are (no standardisation was applied).',
  );
  steps.push(`Assemble the network input in exactly this order (${p.inputNames.length} values): ${p.inputNames.map((n) => `\`${n}\``).join(', ')}.`);
  if (p.missing.policy !== 'error') {
    steps.push(`Missing values were handled with policy \`${p.missing.policy}\` during training; at inference, fill a missing numeric value with its column mean (which standardises to 0).`);
  }
  return steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
}

/** Python that reads a date cell as the training did (only in bundles with expanded dates). */
const PYTHON_DATES = [
  'import datetime, math, re',
  'dates = {d["column"]: d["order"] for d in pre.get("dates", [])}',
  'def date_parts(text, order):',
  '    a, b, c = re.findall(r"\\d+", str(text))[:3]',
  '    if len(a) == 4: y, m, d = int(a), int(b), int(c)',
  '    elif order == "mdy": m, d, y = int(a), int(b), int(c)',
  '    else: d, m, y = int(a), int(b), int(c)',
  '    if len(c) == 2 and len(a) != 4: y += 1900 if y >= 69 else 2000',
  '    day = datetime.date(y, m, d)',
  '    n = 366 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 365',
  '    t = 2 * math.pi * (day.timetuple().tm_yday - 1) / n',
  '    return [y, m, d, day.weekday(), math.sin(t), math.cos(t), (day - datetime.date(1970, 1, 1)).days]',
];

function pythonEncode(p: Preprocessing): string[] {
  const hasDates = (p.dates?.length ?? 0) > 0;
  return [
    '```python',
    'import json, numpy as np',
    'pre = json.load(open("preprocessing.json"))',
    'std = {s["column"]: (s["mean"], s["scale"]) for s in pre["standardization"]}',
    'cats = {o["column"]: o["categories"] for o in pre["oneHot"]}',
    ...(hasDates ? PYTHON_DATES : []),
    'def encode(row):  # row: dict of raw column -> value',
    '    x = []',
    '    for col in pre["featureColumns"]:',
    ...(hasDates
      ? [
          '        if col in dates:',
          '            parts = [d["parts"] for d in pre["dates"] if d["column"] == col][0]',
          '            for part, v in zip(parts, date_parts(row[col], dates[col])):',
          '                mean, scale = std.get(f"{col}:{part}", (0.0, 1.0))',
          '                x.append((v - mean) / scale)',
          '        elif col in cats:',
        ]
      : ['        if col in cats:']),
    '            x += [1.0 if str(row[col]) == c else 0.0 for c in cats[col]]',
    '        else:',
    '            mean, scale = std.get(col, (0.0, 1.0))',
    '            x.append((float(row[col]) - mean) / scale)',
    '    return np.asarray(x, dtype=np.float32)',
    '```',
  ];
}

function readme(b: BundleInput): string {
  const p = b.preprocessing;
  const has = (f: ExportFormat) => b.formats.includes(f);
  const out: string[] = [];
  out.push(`# ${b.experiment.name} — ${b.summary.label}`, '');
  out.push(
    `Exported by Curvature. Run \`${b.summary.runId}\` (${b.summary.optimizer}) stopped with \`${b.summary.status}\` after ${b.summary.iterations} iterations; final training loss ${b.summary.trainLoss}.`,
    '',
  );
  const lm = b.summary.levenbergMarquardt;
  if (lm) {
    const br = lm.effectiveParametersText ? ` Bayesian regularization (MacKay's α, β): ${lm.effectiveParametersText}, α = ${lm.alpha}, β = ${lm.beta}, ΣW² = ${lm.sumSquaredWeights}.` : '';
    out.push(`Method: ${b.summary.label} — ${lm.solver}; ${lm.jacobianEvaluations} Jacobians, final μ = ${lm.mu}.${br}`, '');
  }
  if (b.summary.engine) {
    const e = b.summary.engine;
    const skipped = e.skipped.map((k) => `${k.name} (${k.reason})`).join('; ');
    out.push(`Computed with ${e.label}${skipped ? `; not used: ${skipped}` : ''}.`, '');
    if (e.devices?.length) out.push(`Devices: ${e.devices.map((d) => `${d.name} ${d.status}${d.reason ? ` (${d.reason})` : ''}`).join('; ')}.`, '');
  }
  if (b.experiment.model.from) {
    out.push(`Start: weights from \`${basenameOf(b.experiment.model.from)}\` (its layer names are kept, so the files below load into the same Keras model).`, '');
  }
  if (b.repeated) {
    out.push(
      `The experiment ran every run spec from ${b.repeated.summaries.length} start points (repeats). These weights are repeat ${b.repeated.weights.repeat} (run \`${b.repeated.weights.runId}\`): ${b.repeated.weights.rule}.`,
      '',
    );
  }
  out.push('## Files', '');
  out.push(`- ${b.weightFiles.map((f) => `\`${f}\``).join(', ')} — the trained weights (see below).`);
  out.push('- `experiment.json` — the experiment that produced them (see "Running it again" below).');
  out.push('- `preprocessing.json` — how raw rows become network inputs.');
  out.push('- `history.csv` — one row per iteration: objective, losses, metrics, gradient norms, step sizes, evaluation counts.');
  if (b.repeated) {
    out.push('- `history.csv` has every repeat\'s history; the `repeat` column says which.');
    out.push('- `summary.json` — the summary of the exported repeat, with `weights` (which repeat and why), `repeats` (every repeat\'s summary), `aggregates` and `comparisons`.');
    out.push('- `aggregates.csv`, `aggregates.json` — per run spec: median and quartiles over repeats of final training loss, validation metric, evaluations and seconds; paired win rates.', '');
  } else {
    out.push('- `summary.json` — the run summary.', '');
  }
  if (b.figureFiles?.length) {
    out.push(
      `- ${b.figureFiles.map((f) => `\`${f}\``).join(', ')} — the fitting plots of these weights (performance; regression and error histogram, or confusion matrix and ROC) and each one's data as CSV. \`summary.json\` → \`fit\` holds R per target, or the confusion matrices and ROC AUC, per subset.`,
      '',
    );
  }
  out.push(...rerunSection(b.companions ?? []));
  out.push('## Model', '', `Input: ${b.inputDim} float32 values per row.`, '', architecture(b), '');
  out.push(outputMeaning(p, b.layers[b.layers.length - 1]), '');
  out.push('## Preparing a raw row', '', preprocessingSteps(p), '');
  out.push('In Python, with `preprocessing.json`:', '');
  out.push(...pythonEncode(p), '');
  out.push('## Loading', '');
  if (has('h5') || has('keras')) {
    const file = has('h5') ? 'model.h5' : 'model.keras';
    out.push(
      'Into **your own Keras model** (the same Dense layers, built by your code):',
      '',
      '```python',
      'model = build_model()            # your existing Keras model definition',
      `model.load_weights("${file}")${has('h5') && has('keras') ? '  # Keras 3 also: model.load_weights("model.keras")' : ''}`,
      'y = model.predict(X)',
      '```',
      '',
    );
  }
  if (has('keras')) {
    out.push('**Keras 3** (`model.keras`):', '', '```python', 'import keras', 'model = keras.saving.load_model("model.keras")', 'y = model.predict(np.stack([encode(r) for r in rows]))', '```', '');
  }
  if (has('h5')) {
    out.push(
      '**Keras legacy HDF5** (`model.h5`, tf.keras 2 layout; Keras 3 reads it too):',
      '',
      '```python',
      'import keras  # or: from tensorflow import keras',
      'model = keras.models.load_model("model.h5", compile=False)',
      '```',
      '',
    );
  }
  if (has('tfjs')) {
    out.push(
      '**TensorFlow.js** (`model.json` + `group1-shard1of1.bin`, serve both from one folder):',
      '',
      '```js',
      "const model = await tf.loadLayersModel('https://…/model.json'); // tfjs-node: 'file://path/model.json'",
      'const y = model.predict(tf.tensor2d(rows, [rows.length, ' + b.inputDim + ']));',
      '```',
      '',
    );
  }
  if (has('onnx')) {
    out.push(
      '**ONNX Runtime** (`model.onnx`, opset 13, input `input` [batch, ' + b.inputDim + '], output `output`):',
      '',
      '```python',
      'import onnxruntime as ort',
      'sess = ort.InferenceSession("model.onnx")',
      'y = sess.run(["output"], {"input": X.astype(np.float32)})[0]',
      '```',
      '',
    );
  }
  if (has('npz') || has('json')) {
    out.push(
      '**Raw weights** (`weights.npz`: `<layer>/kernel` shaped (inputs, units) and `<layer>/bias`; `weights.json`: `W` rows are inputs):',
      '',
      '```python',
      'w = np.load("weights.npz")',
      'h = X',
      ...b.layers.map((l) => `h = ${activationPython(l.activation)}(h @ w["${l.name}/kernel"]${l.bias ? ` + w["${l.name}/bias"]` : ''})`),
      '```',
      '',
      activationNote(b.layers),
    );
  }
  return out.join('\n') + '\n';
}

/** Which files to put beside experiment.json, with the checksums of the ones the run read. */
function rerunSection(companions: readonly CompanionFile[]): string[] {
  const out = ['## Running it again', ''];
  if (companions.length === 0) {
    out.push('`experiment.json` holds its data inline: `curvature run experiment.json` repeats the run.', '');
    return out;
  }
  out.push('`experiment.json` names these files relative to itself. Put them in this folder, beside it:', '');
  out.push('| file | what | bytes | SHA-256 |', '|---|---|---|---|');
  for (const c of companions) out.push(`| \`${c.name}\` | ${c.role} | ${c.bytes ?? '?'} | ${c.sha256 ? `\`${c.sha256}\`` : 'not readable at export time'} |`);
  out.push('', 'then run `curvature run experiment.json` here (add `--out DIR` to export again). `sha256sum` (Linux), `shasum -a 256` (macOS) or `Get-FileHash` (Windows) checks that a file is the one this run read.', '');
  return out;
}

function basenameOf(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

function activationPython(a: DenseWeights['activation']): string {
  return a === 'linear' ? '' : a === 'leakyRelu' ? 'leaky_relu' : a;
}

function activationNote(layers: readonly DenseWeights[]): string {
  const used = new Set(layers.map((l) => l.activation));
  const notes: string[] = [];
  if (used.has('leakyRelu')) notes.push('`leaky_relu(z) = max(z, 0.2·z)` (slope 0.2, as tfjs)');
  if (used.has('gelu')) notes.push('`gelu(z) = z·½·(1 + erf(z/√2))` (exact, not the tanh approximation)');
  if (used.has('softmax')) notes.push('`softmax` over the last axis');
  if (used.has('selu')) notes.push('`selu` with α = 1.6732632, λ = 1.0507010');
  if (used.has('elu')) notes.push('`elu` with α = 1');
  return notes.length ? `Activations: ${notes.join('; ')}.\n` : '';
}
