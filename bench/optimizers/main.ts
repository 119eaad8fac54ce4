/**
 * `npm run bench -- optimizers [--only id,id] [--variants id,id] [--study] [--no-scipy] [--starts k] [--json file] [--no-lm | --lm-only] [--no-crossover]`
 * Runs every optimizer variant on every reference problem, then (when /usr/bin/python3 has scipy)
 * scipy's BFGS and L-BFGS-B on the same problems from the same starts, and prints one markdown
 * table per problem. With --starts k, Curvature's cells are medians over k starts (the fixed one and
 * k − 1 perturbed by 1e-7 relative, see perturbedStart); scipy runs from the fixed start only.
 * Then the Levenberg–Marquardt section (levenbergMarquardt.ts): LM and BR beside L-BFGS and scipy's
 * least_squares(method='lm') on the mse networks, and the dense/CG crossover (--lm-only runs just
 * that section; --no-lm skips it). Prints, never asserts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine } from '../../app/engine/choice';
import { SUITE, type BenchProblem } from './problems';
import { runProblem, type RunRow } from './suite';
import { STUDY } from './study';
import { VARIANTS } from './variants';
import { formatSummary, formatTables, type ScipySide } from './table';
import { levenbergMarquardtSection } from './levenbergMarquardt';

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

const report = await initEngine();
console.error(`engine: ${report.label}`);
const rows: RunRow[] = [];
const starts = Number(option('--starts') ?? 1);
if (!Number.isInteger(starts) || starts < 1 || starts > 99) {
  console.error(`--starts must be a whole number from 1 to 99, got ${option('--starts')}`);
  process.exit(2);
}
const wantScipy = !process.argv.includes('--no-scipy');
const scipy: ScipySide = wantScipy ? probeScipy() : { skipped: 'not asked (--no-scipy)' };
if ('skipped' in scipy && wantScipy) console.error(`scipy: skipped — ${scipy.skipped}`);
const lmOnly = process.argv.includes('--lm-only');
for (const problem of lmOnly ? [] : problems) {
  console.error(`· ${problem.id}`);
  rows.push(...(await runProblem(problem, variants, (r) => console.error(`  ${r.variant.padEnd(18)} ${r.hits.map((h) => h ?? '—').join(' / ')}  f=${r.finalLoss.toPrecision(4)} ${r.stop}`), starts)));
  if ('rows' in scipy) await runScipyOn(problem, scipy);
}
if (!lmOnly) {
  console.log('Summary: evaluations until the loss first reached each target (— = not within the budget; ? = no scipy row).');
  if (starts > 1) console.log(`Curvature's cells: medians over ${starts} starts (the fixed one and ${starts - 1} perturbed by 1e-7 relative); scipy: the fixed start.`);
  console.log('');
  console.log(formatSummary(problems, variants, rows, scipy));
  console.log('');
  console.log(formatTables(problems, variants, rows, scipy, report.label));
}
if (!process.argv.includes('--no-lm')) {
  console.log('');
  console.log(await levenbergMarquardtSection({ only, python: 'rows' in scipy ? PYTHON : undefined, here: HERE, crossover: !process.argv.includes('--no-crossover') }));
}
const jsonOut = option('--json');
if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ rows, scipy }, null, 1));

/** scipy is optional: no python or no scipy skips its columns with the reason. */
function probeScipy(): ScipySide {
  const probe = spawnSync(PYTHON, ['-c', 'import scipy, numpy; print(scipy.__version__, numpy.__version__)'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: `${PYTHON} has no scipy (${(probe.error?.message ?? probe.stderr).trim().split('\n').at(-1)})` };
  const [scipyVersion, numpyVersion] = probe.stdout.trim().split(/\s+/);
  return { scipy: scipyVersion, numpy: numpyVersion, rows: [], missing: [] };
}

/**
 * One Python process per problem and method, each with its own time limit
 * (CURVATURE_SCIPY_SECONDS, default 300): a run that does not finish loses only its own row, and
 * the table says why.
 */
async function runScipyOn(problem: BenchProblem, side: Extract<ScipySide, { rows: RunRow[] }>): Promise<void> {
  const inst = await problem.create();
  const exported = { id: problem.id, targets: problem.targets, budget: problem.budget, x0: Array.from(inst.x0), python: inst.python };
  inst.dispose();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-bench-'));
  const file = path.join(dir, 'problem.json');
  const seconds = Number(process.env.CURVATURE_SCIPY_SECONDS ?? 300);
  try {
    fs.writeFileSync(file, JSON.stringify(exported));
    for (const method of ['BFGS', 'L-BFGS-B']) {
      const variant = `scipy-${method.toLowerCase()}`;
      const out = spawnSync(PYTHON, [path.join(HERE, 'scipy_side.py'), file, method], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 1000 * seconds });
      let reason: string | null = null;
      if (out.error || out.signal) reason = out.signal === 'SIGTERM' ? `did not finish within ${seconds} s (CURVATURE_SCIPY_SECONDS)` : `did not finish: ${out.error?.message ?? out.signal}`;
      else if (out.status !== 0) reason = `failed: ${out.stderr.trim().split('\n').at(-1)}`;
      if (reason) {
        side.missing.push({ problem: problem.id, variant, reason });
        console.error(`  ${variant.padEnd(18)} ${reason}`);
        continue;
      }
      for (const r of (JSON.parse(out.stdout) as { rows: RunRow[] }).rows) {
        side.rows.push(r);
        console.error(`  ${r.variant.padEnd(18)} ${r.hits.map((h) => h ?? '—').join(' / ')}  f=${r.finalLoss.toPrecision(4)} ${r.stop}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
