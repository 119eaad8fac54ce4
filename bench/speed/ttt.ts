/**
 * `npm run bench -- ttt`: in-run time for L-BFGS (Curvature's defaults, engine on 1 thread) to reach
 * each loss target on the suite's digits problem (64-16-10 tanh/softmax, 1400 rows), next to
 * PyTorch's LBFGS (1 thread, strong Wolfe, history 10) from the same start weights, in interleaved
 * rounds. Time starts at the first evaluation; set-up (data, model, engine, one warm-up evaluation
 * on each side: onnxruntime's first run allocates its buffers, PyTorch's its autograd graph) is not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatReport, initEngine } from '../../app/engine/choice';
import { minimize } from '../../app/optim';
import { optimizerSpecSchema } from '../../app/optim/spec';
import type { Objective } from '../../app/optim/types';
import { SUITE } from '../optimizers/problems';
import { budgetStopping } from '../optimizers/suite';
import { fmt, mid, python, pythonMissing, ratio, ROUNDS, table } from './common';

const TARGETS = [1e-2, 1e-4];

/** Wraps the objective: seconds from the first evaluation to the first f ≤ each target. */
class Clock implements Objective {
  readonly dimension: number;
  private start = 0;
  evaluations = 0;
  readonly hits: ({ s: number; evals: number } | null)[] = TARGETS.map(() => null);
  constructor(private readonly inner: Objective) {
    this.dimension = inner.dimension;
  }
  evaluate(x: Float64Array, g: Float64Array): number {
    if (this.evaluations === 0) this.start = performance.now();
    const f = this.inner.evaluate(x, g);
    this.evaluations++;
    const now = (performance.now() - this.start) / 1000;
    TARGETS.forEach((t, k) => {
      if (this.hits[k] === null && f <= t) this.hits[k] = { s: now, evals: this.evaluations };
    });
    return f;
  }
}

const report = await initEngine({ threads: 1 });
console.log(formatReport(report));
const problem = SUITE.find((p) => p.id === 'digits')!;
const instance = await problem.create();
const problemFile = path.join(os.tmpdir(), 'curvature-bench-ttt-digits.json');
fs.writeFileSync(problemFile, JSON.stringify({ ...instance.python, w0: Array.from(instance.x0) }));
const missing = pythonMissing(['torch', 'numpy']);
if (missing) console.log(`PyTorch side skipped: ${missing}`);

const spec = optimizerSpecSchema.parse({ kind: 'lbfgs' });
const ours: { s: number; evals: number }[][] = TARGETS.map(() => []);
const torch: { s: number; evals: number }[][] = TARGETS.map(() => []);
instance.objective.evaluate(instance.x0, new Float64Array(instance.x0.length));
for (let round = 0; round < ROUNDS; round++) {
  const clock = new Clock(instance.objective);
  minimize(spec, clock, instance.x0.slice(), { ...budgetStopping(problem.budget), maxEvaluations: problem.budget });
  clock.hits.forEach((h, k) => h && ours[k].push(h));
  if (!missing) {
    const r = python<{ reached: Record<string, { s: number; evals: number }> }>(['ttt', problemFile, TARGETS.join(',')]);
    TARGETS.forEach((t, k) => {
      const hit = r.reached[String(t)];
      if (hit) torch[k].push(hit);
    });
  }
}
instance.dispose();
console.log(`digits L-BFGS, in-run seconds to each target, median of ${ROUNDS} interleaved rounds (both 1 thread)`);
table(
  ['ratio', 'target', 'Curvature', 'PyTorch', 'evals (Curvature / PyTorch)', 'rounds (Curvature)', 'rounds (PyTorch)', 'goal'],
  TARGETS.map((t, k) => {
    const a = mid(ours[k].map((h) => h.s));
    const b = mid(torch[k].map((h) => h.s));
    return [
      ratio(a, b),
      String(t),
      fmt(a, ' s'),
      fmt(b, ' s'),
      `${mid(ours[k].map((h) => h.evals)) ?? '—'} / ${mid(torch[k].map((h) => h.evals)) ?? '—'}`,
      ours[k].map((h) => fmt(h.s)).join(' / '),
      torch[k].map((h) => fmt(h.s)).join(' / '),
      '≤ 0.75×',
    ];
  }),
);
