/**
 * The Levenberg–Marquardt rows of `npm run bench -- optimizers`: LM and Bayesian regularization beside
 * L-BFGS and scipy's least_squares(method='lm') (MINPACK) on the suite's mse networks, same starts.
 * Per run: Jacobians (LM) or evaluations (L-BFGS) and compute seconds until the loss first reached
 * each target; LM's iteration cost ÷ one gradient evaluation on that model; then the dense/CG
 * crossover (lmCrossover.ts). Prints, never asserts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveModel } from '../../app/model/layers';
import { ModelObjective } from '../../app/model/objective';
import { glorotUniform } from '../../app/model/params';
import { modelSpecSchema } from '../../app/model/spec';
import { minimize } from '../../app/optim';
import { optimizerSpecSchema, type OptimizerSpecInput } from '../../app/optim/spec';
import { DEFAULT_STOPPING, type IterationRecord } from '../../app/optim/types';
import { seededRandom } from '../../app/util/random';
import type { BenchProblem, Instance } from './problems';
import { SUITE } from './problems';
import { crossover } from './lmCrossover';

/** The issue's smooth 2-input regression: one 20-unit tanh layer (81 weights), 400 rows. */
export function smooth2dProblem(): BenchProblem {
  return {
    id: 'smooth2d',
    title: 'smooth 2-input regression 2-20-1 tanh, 400 rows, MSE (81 weights)',
    precision: 'float32',
    targets: [0.05, 0.01, 0.002],
    budget: 3000,
    async create(): Promise<Instance> {
      const rand = seededRandom(51);
      const rows = 400;
      const x = Float32Array.from({ length: rows * 2 }, () => 2 * rand() - 1);
      const y = new Float32Array(rows);
      for (let r = 0; r < rows; r++) y[r] = Math.sin(Math.PI * x[2 * r]) * Math.cos(0.5 * Math.PI * x[2 * r + 1]) + 0.3 * x[2 * r + 1];
      const model = resolveModel(modelSpecSchema.parse({ layers: [{ units: 20, activation: 'tanh' }] }), 2, 'regression', 1);
      const objective = new ModelObjective(model, { x, y, rows });
      const layers = model.layers.map((l) => ({ fanIn: l.fanIn, units: l.units, activation: l.activation, kernelOffset: l.kernelOffset, biasOffset: l.biasOffset }));
      return {
        objective,
        x0: glorotUniform(model, 17),
        python: { kind: 'mlp', inputDim: 2, layers, loss: 'mse', l2: 0, rows, x: Array.from(x), y: Array.from(y) },
        dispose: () => objective.dispose(),
      };
    },
  };
}

/** The suite's problems LM applies to (mse networks), and the issue's own. */
export function levenbergMarquardtProblems(only?: string[]): BenchProblem[] {
  const all = [smooth2dProblem(), ...SUITE.filter((p) => ['friedman', 'reg1d-200', 'relu'].includes(p.id))];
  return only ? all.filter((p) => only.includes(p.id)) : all;
}

interface Row {
  problem: string;
  variant: string;
  /** Jacobians (LM/BR/scipy) or evaluations (L-BFGS) until each target; null = never. */
  counts: (number | null)[];
  seconds: (number | null)[];
  finalLoss: number;
  note: string;
}

const VARIANTS: { id: string; spec: OptimizerSpecInput }[] = [
  { id: 'lm', spec: { kind: 'lm' } },
  { id: 'lm gain-ratio', spec: { kind: 'lm', schedule: 'gain-ratio' } },
  { id: 'br', spec: { kind: 'br' } },
  { id: 'lbfgs', spec: { kind: 'lbfgs' } },
];

function runVariant(problem: BenchProblem, inst: Instance, id: string, spec: OptimizerSpecInput, maxSeconds: number, gradientMs: number): Row {
  const counts: (number | null)[] = problem.targets.map(() => null);
  const seconds: (number | null)[] = problem.targets.map(() => null);
  const lm = spec.kind === 'lm' || spec.kind === 'br';
  const onIteration = (r: IterationRecord) => {
    problem.targets.forEach((t, k) => {
      if (counts[k] === null && r.f <= t) {
        counts[k] = lm ? (r.jacobianEvaluations ?? 0) : r.functionEvaluations;
        seconds[k] = r.elapsedMs / 1000;
      }
    });
  };
  const stopping = { ...DEFAULT_STOPPING, gradientTolerance: 0, functionTolerance: 0, maxIterations: lm ? 500 : 100_000, maxEvaluations: lm ? 100_000 : problem.budget, maxTimeMs: 1000 * maxSeconds };
  const res = minimize(optimizerSpecSchema.parse(spec), inst.objective, inst.x0, stopping, { onIteration });
  const perIteration = res.iterations > 0 ? res.elapsedMs / res.iterations : NaN;
  const note = lm ? `${res.iterations} it, ${(perIteration / gradientMs).toFixed(1)}× a gradient per iteration; ${res.status}` : `${res.functionEvaluations} evals; ${res.status}`;
  return { problem: problem.id, variant: id, counts, seconds, finalLoss: res.f, note };
}

function scipyRow(problem: BenchProblem, inst: Instance, python: string, here: string): Row | string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-lm-'));
  const file = path.join(dir, 'problem.json');
  try {
    fs.writeFileSync(file, JSON.stringify({ id: problem.id, targets: problem.targets, budget: 300, x0: Array.from(inst.x0), python: inst.python }));
    const seconds = Number(process.env.CURVATURE_SCIPY_SECONDS ?? 300);
    const out = spawnSync(python, [path.join(here, 'scipy_lm.py'), file], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 1000 * seconds, cwd: here });
    if (out.error || out.status !== 0) return `scipy-lm failed: ${(out.error?.message ?? out.stderr).trim().split('\n').at(-1)}`;
    const r = JSON.parse(out.stdout) as { jacobianHits: (number | null)[]; secondsToTarget: (number | null)[]; finalLoss: number; jacobians: number; seconds: number; stop: string };
    return { problem: problem.id, variant: 'scipy lm (MINPACK)', counts: r.jacobianHits, seconds: r.secondsToTarget, finalLoss: r.finalLoss, note: `${r.jacobians} Jacobians; ${r.stop}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function cell(count: number | null, s: number | null): string {
  return count === null ? '—' : `${count} (${(s ?? 0).toFixed(2)} s)`;
}

export async function levenbergMarquardtSection(options: { only?: string[]; python?: string; here: string; crossover: boolean }): Promise<string> {
  const maxSeconds = Number(process.env.CURVATURE_LM_SECONDS ?? 60);
  const out: string[] = ['## Levenberg–Marquardt and Bayesian regularization', ''];
  out.push(
    'Cells: Jacobians (LM, BR, scipy) or f+∇f evaluations (L-BFGS) until the training mse first reached the target, with the compute seconds in brackets — seconds are the fair axis, since one LM iteration costs a Jacobian and a solve.',
    `Each Curvature run stops after ${maxSeconds} s (CURVATURE_LM_SECONDS). scipy: float64 numpy, its own clock.`,
    '',
  );
  for (const problem of levenbergMarquardtProblems(options.only)) {
    console.error(`· LM ${problem.id}`);
    const inst = await problem.create();
    const g = new Float64Array(inst.x0.length);
    inst.objective.evaluate(inst.x0, g);
    const t0 = performance.now();
    for (let k = 0; k < 10; k++) inst.objective.evaluate(inst.x0, g);
    const gradientMs = (performance.now() - t0) / 10;
    // Build the Jacobian and forward sessions before any clock runs, as the gradient's was just now.
    if (inst.objective instanceof ModelObjective) {
      const n = inst.x0.length;
      inst.objective.gaussNewtonSystem(inst.x0, new Float64Array(n * n), new Float64Array(n));
      inst.objective.gaussNewtonProduct(inst.x0, new Float64Array(n), new Float64Array(n));
      inst.objective.sumOfSquares(inst.x0); // LM's trials run the forward graph
      // …and let the JIT see LM's own loops (Cholesky, the solve) once.
      minimize(optimizerSpecSchema.parse({ kind: 'lm' }), inst.objective, inst.x0, { ...DEFAULT_STOPPING, maxIterations: 2 });
    }
    const rows: Row[] = [];
    for (const v of VARIANTS) {
      const row = runVariant(problem, inst, v.id, v.spec, maxSeconds, gradientMs);
      console.error(`  ${v.id.padEnd(14)} ${row.counts.map((c, k) => cell(c, row.seconds[k])).join(' / ')}  ${row.note}`);
      rows.push(row);
    }
    let scipyNote = '';
    if (options.python) {
      const s = scipyRow(problem, inst, options.python, options.here);
      if (typeof s === 'string') scipyNote = s;
      else rows.push(s);
    }
    inst.dispose();
    const source = inst.objective instanceof ModelObjective ? inst.objective.jacobianSource : 'javascript';
    out.push(`### ${problem.id}: ${problem.title}`, '', `One gradient evaluation: ${gradientMs.toFixed(2)} ms; J from ${source === 'engine' ? 'the engine (Gemm for JᵀJ)' : 'the float64 JavaScript products'}.`, '');
    out.push(`| variant | ${problem.targets.map((t) => `to ${t}`).join(' | ')} | final mse | note |`, `|---|${problem.targets.map(() => '---').join('|')}|---|---|`);
    for (const r of rows) out.push(`| ${r.variant} | ${r.counts.map((c, k) => cell(c, r.seconds[k])).join(' | ')} | ${r.finalLoss.toPrecision(4)} | ${r.note} |`);
    const lmRow = rows.find((r) => r.variant === 'lm');
    const lbfgsRow = rows.find((r) => r.variant === 'lbfgs');
    const mid = Math.floor(problem.targets.length / 2);
    if (lmRow && lbfgsRow) {
      const a = lmRow.seconds[mid];
      const b = lbfgsRow.seconds[mid];
      const verdict =
        a === null ? 'LM did not reach the middle target' : b === null ? 'L-BFGS did not reach the middle target; LM did' : a <= b / 5 ? `LM reached it in ${(a / b).toFixed(2)}× L-BFGS's time (≤ 1/5)` : `LM took ${(a / b).toFixed(2)}× L-BFGS's time: NOT ≤ 1/5`;
      out.push('', `Middle target ${problem.targets[mid]}: ${verdict}.`);
    }
    if (scipyNote) out.push('', scipyNote);
    out.push('');
  }
  if (options.crossover) {
    console.error('· LM dense/CG crossover');
    out.push('### Dense Cholesky vs matrix-free CG: seconds per LM iteration (first 10 iterations, μ trials included)', '', ...(await crossover(levenbergMarquardtProblems())), '');
  }
  return out.join('\n');
}
