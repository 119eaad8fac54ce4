/** Run-list edits: ids, adding runs and hand-offs, the shared budget. */
import { OPTIMIZER_LABELS, runSpecSchema, type Experiment, type RunSpec, type SingleOptimizerKind, type StoppingSpec } from '../../../../app/ui';
import { defaultOptimizer } from './blank';

/** Runs need stable ids: the race view and stopRun address runs by id. */
export function withRunIds(e: Experiment): Experiment {
  const used = new Set<string>();
  const runs = e.runs.map((r) => {
    let id = r.id ?? r.optimizer.kind;
    for (let i = 2; used.has(id); i++) id = `${r.id ?? r.optimizer.kind}-${i}`;
    used.add(id);
    return { ...r, id };
  });
  return { ...e, runs };
}

function freeId(runs: readonly RunSpec[], base: string): string {
  const ids = new Set(runs.map((r) => r.id));
  let id = base;
  for (let i = 2; ids.has(id); i++) id = `${base}-${i}`;
  return id;
}

/** A new run shares the first run's budget (`stopping` is a plain copy, not a proxy). */
export function newRun(runs: readonly RunSpec[], kind: SingleOptimizerKind, stopping: StoppingSpec | undefined): RunSpec {
  const n = runs.filter((r) => r.optimizer.kind === kind).length;
  return {
    id: freeId(runs, kind),
    label: n > 0 ? `${OPTIMIZER_LABELS[kind]} ${n + 1}` : undefined,
    optimizer: defaultOptimizer(kind),
    stopping: stopping ?? runSpecSchema.shape.stopping.parse(undefined),
  };
}

/** The recipe for smooth scientific models: Adam for 200 iterations, then L-BFGS from there. */
export function newHandOff(runs: readonly RunSpec[], stopping: StoppingSpec | undefined): RunSpec {
  return {
    id: freeId(runs, 'adam-lbfgs'),
    optimizer: {
      kind: 'sequence',
      phases: [
        { optimizer: defaultOptimizer('adam'), until: { iterations: 200 } },
        { optimizer: defaultOptimizer('lbfgs') },
      ],
    },
    stopping: stopping ?? runSpecSchema.shape.stopping.parse(undefined),
  };
}
