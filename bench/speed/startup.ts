/**
 * `npm run bench -- startup`: `curvature --help` next to a bare `node -e 0`, and the whole process
 * until the first L-BFGS iteration on the digits-like CSV (1400 × 64, 10 classes, 64-16-10) is done
 * next to PyTorch's (imports, read_csv and one LBFGS step), in interleaved rounds. The CLI runs the
 * compiled bundle when `npm run build:node` (or npm ci) made it; the tsx fallback is timed too.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compiledEntry } from '../../bin/compiled.mjs';
import { digitsData } from '../optimizers/problems';
import { fmt, mid, python, pythonMissing, ratio, REPO, ROUNDS, table } from './common';

const csv = path.join(os.tmpdir(), 'curvature-bench-digits.csv');
if (!fs.existsSync(csv)) {
  const d = digitsData(1400);
  const lines = [[...Array(64).keys()].map((k) => `p${k}`).concat('label').join(',')];
  for (let r = 0; r < d.rows; r++) lines.push([...d.x.subarray(r * 64, r * 64 + 64)].map((v) => v.toFixed(4)).concat(String(r % 10)).join(','));
  fs.writeFileSync(csv, lines.join('\n') + '\n');
}

function wall(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const t = performance.now();
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', env: { ...process.env, ...env }, cwd: REPO });
  const s = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return s;
}

const cli = path.join(REPO, 'bin/curvature.mjs');
const firstIteration = [process.execPath, cli, 'train', csv, '--target', 'label', '--layers', '16:tanh,10:softmax', '--optimizer', 'lbfgs', '--max-iter', '1', '--validation', '0', '--test', '0', '--no-progress', '--json'];
const compiled = compiledEntry('cli');
if (compiled.file === null) console.log(`note: ${compiled.why}; the compiled rows time tsx`);
const missing = pythonMissing(['torch', 'pandas']);
if (missing) console.log(`PyTorch side skipped: ${missing}`);

const times: Record<string, number[]> = { node: [], help: [], helpTsx: [], first: [], firstTsx: [], torch: [] };
for (let round = 0; round < ROUNDS; round++) {
  times.node.push(wall([process.execPath, '-e', '0']));
  times.help.push(wall([process.execPath, cli, '--help']));
  times.helpTsx.push(wall([process.execPath, cli, '--help'], { CURVATURE_COMPILED: '0' }));
  times.first.push(wall(firstIteration));
  times.firstTsx.push(wall(firstIteration, { CURVATURE_COMPILED: '0' }));
  if (!missing) times.torch.push(python<{ s: number }>(['first', csv, 'label']).s);
}
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, mid(v)]));
const rounds = (k: string) => times[k].map((v) => fmt(v)).join(' / ');
console.log(`start-up, seconds of wall time, median of ${ROUNDS} interleaved rounds (${os.cpus().length} cores, shared)`);
table(
  ['ratio', 'what', 'Curvature', 'reference', 'rounds (Curvature)', 'target'],
  [
    [ratio(m.help, m.node), 'curvature --help / node -e 0', fmt(m.help, ' s'), fmt(m.node, ' s'), rounds('help'), '≤ 4×'],
    [ratio(m.helpTsx, m.node), '  the same through tsx (before)', fmt(m.helpTsx, ' s'), fmt(m.node, ' s'), rounds('helpTsx'), ''],
    [ratio(m.first, m.torch), 'digits: process start → 1st L-BFGS iteration done / PyTorch', fmt(m.first, ' s'), fmt(m.torch, ' s'), rounds('first'), '≤ 1 s'],
    [ratio(m.firstTsx, m.torch), '  the same through tsx (before)', fmt(m.firstTsx, ' s'), fmt(m.torch, ' s'), rounds('firstTsx'), ''],
  ],
);
