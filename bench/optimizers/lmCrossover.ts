/**
 * The dense/CG crossover of Levenberg–Marquardt: seconds per iteration of each solver over the first
 * iterations of a run — μ rejections included, since each rejected μ costs dense one more Cholesky
 * and CG a fresh solve — on 1-h-h-1 tanh nets of growing n, on the LM bench problems, and on a
 * 10-input 64-unit tanh net (sklearn's diabetes shape, and with 1000 rows). Beside each pair: μ trials
 * per iteration, CG passes per trial, and which path `auto` picks. Prints, never asserts.
 */
import { resolveModel } from '../../app/model/layers';
import { ModelObjective } from '../../app/model/objective';
import { glorotUniform } from '../../app/model/params';
import { modelSpecSchema } from '../../app/model/spec';
import { lmSolverPath, minimize } from '../../app/optim';
import { lmSpecSchema, optimizerSpecSchema } from '../../app/optim/spec';
import { DEFAULT_STOPPING, type Objective } from '../../app/optim/types';
import { seededRandom } from '../../app/util/random';
import type { BenchProblem } from './problems';

type Layers = { units: number; activation: 'tanh' }[];

interface Case {
  label: string;
  rows: number;
  create(): Promise<{ objective: Objective; x0: Float64Array; dispose(): void }>;
}

/** A regression net on `inputs` uniform inputs with a smooth target. */
function synthetic(label: string, inputs: number, rows: number, layers: Layers): Case {
  return {
    label,
    rows,
    async create() {
      const rand = seededRandom(3);
      const x = Float32Array.from({ length: rows * inputs }, () => 2 * rand() - 1);
      const y = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let k = 0; k < inputs; k++) s += Math.sin((k + 3) * x[r * inputs + k]) / (k + 1);
        y[r] = s;
      }
      const model = resolveModel(modelSpecSchema.parse({ layers }), inputs, 'regression', 1);
      const objective = new ModelObjective(model, { x, y, rows });
      return { objective, x0: glorotUniform(model, 5), dispose: () => objective.dispose() };
    },
  };
}

function fromProblem(problem: BenchProblem, rows: number): Case {
  return { label: problem.id, rows, create: () => problem.create() };
}

export function crossoverCases(problems: BenchProblem[]): Case[] {
  const tanh2 = (h: number): Layers => [
    { units: h, activation: 'tanh' },
    { units: h, activation: 'tanh' },
  ];
  const problemRows: Record<string, number> = { smooth2d: 400, friedman: 640, 'reg1d-200': 200, relu: 500 };
  return [
    ...[10, 20, 30, 45].map((h) => synthetic(`1-${h}-${h}-1`, 1, 100, tanh2(h))),
    ...[10, 20, 30].map((h) => synthetic(`1-${h}-${h}-1`, 1, 1000, tanh2(h))),
    ...problems.filter((p) => p.id in problemRows).map((p) => fromProblem(p, problemRows[p.id])),
    synthetic('10-64-1 (diabetes shape)', 10, 353, [{ units: 64, activation: 'tanh' }]),
    synthetic('10-64-1', 10, 1000, [{ units: 64, activation: 'tanh' }]),
  ];
}

interface Measured {
  seconds: number;
  trials: number;
  passes: number;
}

/** Seconds per iteration, μ trials per iteration and CG passes per trial of one solver. */
async function measure(c: Case, solver: 'dense' | 'matrix-free', iterations: number): Promise<Measured> {
  const inst = await c.create();
  let passes = 0;
  const objective = new Proxy(inst.objective, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (key === 'gaussNewtonProduct' && typeof value === 'function') {
        return (...args: unknown[]) => {
          passes++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  // One untimed iteration builds the engine's sessions and lets the JIT see LM's loops.
  minimize(optimizerSpecSchema.parse({ kind: 'lm', solver }), inst.objective, inst.x0, { ...DEFAULT_STOPPING, maxIterations: 1 });
  passes = 0;
  const res = minimize(optimizerSpecSchema.parse({ kind: 'lm', solver }), objective, inst.x0, { ...DEFAULT_STOPPING, maxIterations: iterations, gradientTolerance: 0, functionTolerance: 0 });
  inst.dispose();
  const its = Math.max(1, res.iterations);
  const trials = res.history.reduce((s, r) => s + (r.lineSearchEvaluations ?? 0), 0);
  return { seconds: res.elapsedMs / 1000 / its, trials: trials / its, passes: trials > 0 ? passes / trials : 0 };
}

/** The crossover table: each case's solvers interleaved, `repeats` times, the median per solver. */
export async function crossover(problems: BenchProblem[], options: { iterations?: number; repeats?: number; only?: string[] } = {}): Promise<string[]> {
  const iterations = options.iterations ?? 10;
  const repeats = options.repeats ?? 3;
  const lines = [
    `| net | rows | n | dense s/iteration | CG s/iteration | μ trials/iteration (dense, CG) | CG passes/trial | faster | auto picks |`,
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const auto = lmSpecSchema.parse({ kind: 'lm' });
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const cases = crossoverCases(problems).filter((c) => !options.only || options.only.includes(`${c.label}/${c.rows}`));
  for (const c of cases) {
    const dense: Measured[] = [];
    const cg: Measured[] = [];
    let n = 0;
    for (let k = 0; k < repeats; k++) {
      dense.push(await measure(c, 'dense', iterations));
      cg.push(await measure(c, 'matrix-free', iterations));
    }
    {
      const inst = await c.create();
      n = inst.x0.length;
      inst.dispose();
    }
    const d = median(dense.map((m) => m.seconds));
    const g = median(cg.map((m) => m.seconds));
    const picks = lmSolverPath(n, c.rows, auto) === 'dense' ? 'dense' : 'CG';
    const line = `| ${c.label} | ${c.rows} | ${n} | ${d.toFixed(3)} | ${g.toFixed(3)} | ${dense[0].trials.toFixed(1)}, ${cg[0].trials.toFixed(1)} | ${cg[0].passes.toFixed(0)} | ${d < g ? 'dense' : 'CG'} (${(Math.max(d, g) / Math.min(d, g)).toFixed(1)}×) | ${picks} |`;
    lines.push(line);
    console.error(`  ${line}`);
  }
  return lines;
}
