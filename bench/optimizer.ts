/**
 * `npm run bench -- overhead`: what one L-BFGS iteration costs next to the engine's own
 * forward+backward pass, for every available engine, on the 10-64-64-10 tanh/softmax MLP with 1500
 * synthetic rows. Prints ratios measured in this one run; asserts nothing.
 */
import { median } from '../app/train/stats';
import { availableEngines, formatReport, initEngine } from '../app/engine/choice';
import { resolveModel } from '../app/model/layers';
import { glorotUniform } from '../app/model/params';
import { ModelObjective } from '../app/model/objective';
import { modelSpecSchema } from '../app/model/spec';
import { createOptimizer } from '../app/optim';
import { DEFAULT_STOPPING } from '../app/optim/types';
import { optimizerSpecSchema } from '../app/optim/spec';
import { seededRandom } from '../app/util/random';

const ROWS = 1500;
const INPUTS = 10;
const CLASSES = 10;

function data() {
  const rand = seededRandom(1);
  const x = Float32Array.from({ length: ROWS * INPUTS }, () => rand() * 2 - 1);
  const y = new Float32Array(ROWS * CLASSES);
  for (let r = 0; r < ROWS; r++) {
    let s = 0;
    for (let k = 0; k < INPUTS; k++) s += x[r * INPUTS + k] * (k + 1);
    y[r * CLASSES + (Math.floor(Math.abs(s) * 3) % CLASSES)] = 1;
  }
  return { x, y, rows: ROWS };
}

/** Median ms of fn after `warmUp` untimed calls (kernels compiled, buffers allocated, threads awake). */
function timeMs(repeats: number, fn: () => void, warmUp = 10): number {
  for (let i = 0; i < warmUp; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

const report = await initEngine();
console.log(formatReport(report));
const spec = modelSpecSchema.parse({ layers: [{ units: 64, activation: 'tanh' }, { units: 64, activation: 'tanh' }, { units: CLASSES, activation: 'softmax' }], output: 'last' });
const model = resolveModel(spec, INPUTS, 'multiclass');
const split = data();
const x0 = glorotUniform(model, 1);
console.log(`model 64-64-10 tanh/softmax, ${INPUTS} inputs, ${ROWS} rows, ${model.parameterCount} parameters`);

const row = (k: string, v: string) => console.log(`${k.padEnd(46)} ${v}`);
/** Iterations per round; raw passes are timed between rounds, so load that comes and goes hits both. */
const ROUND = 10;
const ITERATIONS = 100;

for (const engine of await availableEngines()) {
  // 1. Raw: the engine's own value+gradient pass, no objective around it.
  const program = engine.compile(model);
  const dataset = program.upload(split.x, split.y, ROWS);
  const g = new Float64Array(model.parameterCount);
  const rawPass = () => program.valueAndGradient(x0, dataset, g);

  // 2. The optimizer's objective (L2 on the host, bookkeeping).
  const objective = new ModelObjective(model, split, { engine });
  const objectivePass = () => objective.evaluate(x0, g);

  // 3. L-BFGS iterations (line search included), per iteration and per function evaluation.
  let inObjective = 0;
  const timed = {
    dimension: objective.dimension,
    evaluate(x: Float64Array, grad: Float64Array): number {
      const t = performance.now();
      const f = objective.evaluate(x, grad);
      inObjective += performance.now() - t;
      return f;
    },
  };
  const stopping = { ...DEFAULT_STOPPING, gradientTolerance: 0, functionTolerance: 0, maxIterations: ITERATIONS };
  const lbfgsSpec = optimizerSpecSchema.parse({ kind: 'lbfgs' });
  // A first run compiles the optimizer's loops (V8 optimises them after a few dozen iterations); a
  // long training run amortises that, so the figure below is the steady-state cost per iteration.
  const warmUp = createOptimizer(lbfgsSpec, objective, Float64Array.from(x0), { ...stopping, maxIterations: 30 });
  while (warmUp.step()) {
    /* warm-up */
  }
  timeMs(10, rawPass);
  timeMs(10, objectivePass);
  const lbfgs = createOptimizer(lbfgsSpec, timed, Float64Array.from(x0), stopping);
  lbfgs.start();
  inObjective = 0;
  // Rounds of ROUND iterations, each next to a few raw passes timed just before it: the ratio of a
  // round compares two things measured under the same machine load; the median over rounds is printed.
  const ratios: number[] = [];
  const raws: number[] = [];
  const objectiveMs: number[] = [];
  let wall = 0;
  for (;;) {
    const rawMs = timeMs(5, rawPass, 1);
    raws.push(rawMs);
    objectiveMs.push(timeMs(5, objectivePass, 1));
    const t0 = performance.now();
    let steps = 0;
    while (steps < ROUND && lbfgs.step()) steps++;
    const dt = performance.now() - t0;
    wall += dt;
    if (steps > 0) ratios.push(dt / steps / rawMs);
    if (steps < ROUND) break;
  }
  const r = lbfgs.result();
  program.dispose();
  const raw = median(raws);
  const evalMs = median(objectiveMs);
  const perIter = wall / r.iterations;
  const perEval = wall / (r.functionEvaluations - 1);

  console.log('');
  row('engine', engine.label);
  row('raw forward+backward (engine value+gradient)', `${raw.toFixed(3)} ms  (median over the rounds)`);
  row('objective evaluation (θ up, f and ∇f down)', `${evalMs.toFixed(3)} ms  (${(evalMs / raw).toFixed(3)} × raw)`);
  row('time per evaluation inside L-BFGS', `${(inObjective / (r.functionEvaluations - 1)).toFixed(3)} ms  (the engine's caches are colder after host work)`);
  row('L-BFGS iteration', `${perIter.toFixed(3)} ms  over ${r.iterations} iterations, ${r.functionEvaluations} evaluations`);
  row('L-BFGS time per function evaluation', `${perEval.toFixed(3)} ms`);
  row('ratio L-BFGS iteration / raw forward+backward', `${median(ratios).toFixed(3)}  (goal ≤ 1.10; median of ${ratios.length} rounds of ${ROUND}, range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  row('ratio per evaluation / raw forward+backward', `${(perEval / raw).toFixed(3)}`);
  row('share of L-BFGS time inside the objective', `${((100 * inObjective) / wall).toFixed(1)} %  (the rest is host vector work)`);
  row('final loss', `${r.f.toFixed(5)}  (${r.message})`);
  objective.dispose();
}
