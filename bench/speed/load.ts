/**
 * `npm run bench -- load`: a 10⁶ × 11 numeric CSV (made once in the temp folder) loaded and prepared
 * by Curvature — DuckDB, and the JavaScript loader it falls back to — next to pandas.read_csv and
 * numpy.loadtxt on the same file; then the peak RSS of a whole 10⁶-row L-BFGS run (the CLI, 3
 * iterations) next to PyTorch's LBFGS on the same data; and the engine's value+gradient on 10⁶ rows
 * in row blocks against one whole-batch run (time and peak RSS). Interleaved rounds, each in a fresh
 * process.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../app/util/random';
import { fmt, HERE, mid, python, pythonMissing, ratio, REPO, ROUNDS, table } from './common';

const ROWS = Number(process.env.BENCH_LOAD_ROWS ?? 1_000_000);
const csv = path.join(os.tmpdir(), `curvature-bench-${ROWS}x11.csv`);
if (!fs.existsSync(csv)) {
  const rand = seededRandom(3);
  const fd = fs.openSync(csv, 'w');
  fs.writeSync(fd, 'x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,y\n');
  for (let r = 0; r < ROWS; r += 10_000) {
    const lines: string[] = [];
    for (let i = r; i < Math.min(ROWS, r + 10_000); i++) {
      const x = Array.from({ length: 10 }, () => 2 * rand() - 1);
      const y = Math.sin(3 * x[0]) + x[1] * x[2] - 0.5 * x[3] + 0.1 * (rand() - 0.5);
      lines.push([...x.map((v) => v.toFixed(6)), y.toFixed(6)].join(','));
    }
    fs.writeSync(fd, lines.join('\n') + '\n');
  }
  fs.closeSync(fd);
}
const mb = (fs.statSync(csv).size / 1e6).toFixed(0);

const tsx = path.join(REPO, 'node_modules/tsx/dist/cli.mjs');
function child(mode: 'load' | 'prepare', reader: 'auto' | 'javascript') {
  const env = { ...process.env, ...(reader === 'javascript' ? { CURVATURE_DATA_READER: 'javascript' } : {}) };
  const r = spawnSync(process.execPath, [tsx, path.join(HERE, 'loadChild.ts'), csv, 'y', mode], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`loadChild failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { reader?: string; rows: number; s: number; peakMb: number };
}

/** ms per value+gradient and peak RSS of the 10⁶-row evaluation child, in row blocks or in one run. */
function evaluation(mode: 'whole' | 'blocked'): { ms: number; peakMb: number } {
  const r = spawnSync(process.execPath, [tsx, path.join(HERE, 'blockChild.ts'), mode, String(ROWS), '10'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`blockChild failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms: number; peakMb: number };
}

/** Peak RSS (MB) of the whole CLI run, from GNU time. */
function cliPeak(): number | null {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, path.join(REPO, 'bin/curvature.mjs'), 'train', csv, '--target', 'y', '--layers', '16:tanh', '--optimizer', 'lbfgs', '--max-iter', '3', '--validation', '0', '--no-progress', '--json', '--threads', '1'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return null;
  return Number(r.stderr.trim().split('\n').at(-1)) / 1024;
}

const missing = pythonMissing(['pandas', 'numpy', 'torch']);
if (missing) console.log(`Python side skipped: ${missing}`);
const t: Record<string, number[]> = { duckLoad: [], duckPrep: [], jsPrep: [], pandas: [], loadtxt: [], duckPeak: [], runPeak: [], torchPeak: [], evalWhole: [], evalBlocked: [], evalWholePeak: [], evalBlockedPeak: [] };
let reader = '';
for (let round = 0; round < ROUNDS; round++) {
  const l = child('load', 'auto');
  reader = l.reader ?? '?';
  t.duckLoad.push(l.s);
  const p = child('prepare', 'auto');
  t.duckPrep.push(p.s);
  t.duckPeak.push(p.peakMb);
  if (round === 0 || process.env.BENCH_LOAD_JS === '1') t.jsPrep.push(child('prepare', 'javascript').s);
  if (!missing) {
    const py = python<{ pandas_s: number; loadtxt_s: number }>(['load', csv]);
    t.pandas.push(py.pandas_s);
    t.loadtxt.push(py.loadtxt_s);
  }
  const peak = cliPeak();
  if (peak !== null) t.runPeak.push(peak);
  if (!missing) t.torchPeak.push(python<{ peak_mb: number }>(['peak', csv, 'y', '3']).peak_mb);
  for (const mode of round % 2 === 0 ? (['whole', 'blocked'] as const) : (['blocked', 'whole'] as const)) {
    const e = evaluation(mode);
    if (mode === 'whole') {
      t.evalWhole.push(e.ms);
      t.evalWholePeak.push(e.peakMb);
    } else {
      t.evalBlocked.push(e.ms);
      t.evalBlockedPeak.push(e.peakMb);
    }
  }
}
const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, mid(v)]));
const rounds = (k: string) => t[k].map((v) => fmt(v)).join(' / ');
console.log(`${ROWS} × 11 CSV (${mb} MB), median of ${ROUNDS} interleaved rounds; the reader that read it: ${reader}`);
table(
  ['ratio', 'what', 'Curvature', 'reference', 'rounds (Curvature)', 'target'],
  [
    [ratio(m.duckLoad, m.pandas), 'loadTable (DuckDB) / pandas.read_csv', fmt(m.duckLoad, ' s'), fmt(m.pandas, ' s'), rounds('duckLoad'), ''],
    [ratio(m.duckPrep, m.pandas), 'load + prepare (DuckDB) / pandas.read_csv', fmt(m.duckPrep, ' s'), fmt(m.pandas, ' s'), rounds('duckPrep'), '≤ 1×'],
    [ratio(m.jsPrep, m.pandas), 'load + prepare (JavaScript loader) / pandas', fmt(m.jsPrep, ' s'), fmt(m.pandas, ' s'), rounds('jsPrep'), ''],
    [ratio(m.loadtxt, m.pandas), 'numpy.loadtxt / pandas.read_csv', fmt(m.loadtxt, ' s'), fmt(m.pandas, ' s'), '', ''],
    [ratio(m.duckPeak, null), 'peak RSS, load + prepare (DuckDB)', fmt(m.duckPeak, ' MB'), '—', rounds('duckPeak'), ''],
    [ratio(m.runPeak, m.torchPeak), 'peak RSS, CLI L-BFGS run, 3 iterations / PyTorch', fmt(m.runPeak, ' MB'), fmt(m.torchPeak, ' MB'), rounds('runPeak'), '≤ 1×'],
    [ratio(m.evalBlocked, m.evalWhole), 'ms per value+gradient (10-16-1 tanh, 1 thread), row blocks / one run', fmt(m.evalBlocked, ' ms'), fmt(m.evalWhole, ' ms'), rounds('evalBlocked'), '≤ 1×'],
    [ratio(m.evalBlockedPeak, m.evalWholePeak), 'peak RSS of that evaluation process, row blocks / one run', fmt(m.evalBlockedPeak, ' MB'), fmt(m.evalWholePeak, ' MB'), rounds('evalBlockedPeak'), ''],
  ],
);
console.log(`one-run evaluation rounds: ${rounds('evalWhole')} ms, peak ${rounds('evalWholePeak')} MB`);
