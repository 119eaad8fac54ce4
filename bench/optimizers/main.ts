/**
 * `npm run bench -- optimizers [--only id,id] [--variants id,id] [--study] [--no-scipy] [--json file]`
 * Runs every optimizer variant on every reference problem, then (when /usr/bin/python3 has scipy)
 * scipy's BFGS and L-BFGS-B on the same problems from the same starts, and prints one markdown
 * table per problem. Prints, never asserts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../app/engine/backend';
import { SUITE, type BenchProblem } from './problems';
import { runProblem, type RunRow } from './suite';
import { STUDY } from './study';
import { VARIANTS } from './variants';
import { formatTables, type ScipySide } from './table';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.CURVATURE_PYTHON ?? '/usr/bin/python3';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = option('--only')?.split(',');
const variantIds = option('--variants')?.split(',');
const problems = only ? SUITE.filter((p) => only.includes(p.id)) : SUITE;
const pool = process.argv.includes('--study') ? [...VARIANTS, ...STUDY] : VARIANTS;
const variants = variantIds ? pool.filter((v) => variantIds.includes(v.id)) : pool;

const report = await initBackend();
console.error(`engine: ${report.label}`);
const rows: RunRow[] = [];
const exported: unknown[] = [];
for (const problem of problems) {
  console.error(`· ${problem.id}`);
  rows.push(...(await runProblem(problem, variants, (r) => console.error(`  ${r.variant.padEnd(18)} ${r.hits.map((h) => h ?? '—').join(' / ')}  f=${r.finalLoss.toPrecision(4)} ${r.stop}`))));
  if (!process.argv.includes('--no-scipy')) exported.push(await exportProblem(problem));
}

const scipy = process.argv.includes('--no-scipy') ? { skipped: 'not asked (--no-scipy)' } : runScipy(exported);
if ('rows' in scipy) for (const r of scipy.rows) console.error(`  ${r.problem} ${r.variant.padEnd(18)} ${r.hits.map((h) => h ?? '—').join(' / ')}  f=${r.finalLoss.toPrecision(4)} ${r.stop}`);
console.log(formatTables(problems, variants, rows, scipy, report.label));
const jsonOut = option('--json');
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ rows, scipy }, null, 1));

async function exportProblem(problem: BenchProblem) {
  const inst = await problem.create();
  try {
    return { id: problem.id, targets: problem.targets, budget: problem.budget, x0: Array.from(inst.x0), python: inst.python };
  } finally {
    inst.dispose();
  }
}

/** scipy is optional: any failure to start it (no python, no scipy) skips the columns with a reason. */
function runScipy(problemsJson: unknown[]): ScipySide {
  const probe = spawnSync(PYTHON, ['-c', 'import scipy, numpy'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: `${PYTHON} has no scipy (${(probe.error?.message ?? probe.stderr).trim().split('\n').at(-1)})` };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-bench-'));
  const file = path.join(dir, 'problems.json');
  try {
    fs.writeFileSync(file, JSON.stringify(problemsJson));
    const timeout = 1000 * Number(process.env.CURVATURE_SCIPY_SECONDS ?? 900);
    const out = spawnSync(PYTHON, [path.join(HERE, 'scipy_side.py'), file], { encoding: 'utf8', maxBuffer: 1 << 26, timeout });
    if (out.error) return { skipped: `scipy side did not finish: ${out.error.message}` };
    if (out.status !== 0) return { skipped: `scipy side failed: ${out.stderr.trim().split('\n').at(-1)}` };
    return JSON.parse(out.stdout) as ScipySide;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
