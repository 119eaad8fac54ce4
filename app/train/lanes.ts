/**
 * A lane is everything the runs of one precision share: the engine, the objective (and its dropout
 * twin for first-order runs), and the scorer that uploads validation and test rows to that engine.
 */
import { runPrecision, type Experiment, type RunSpec } from '../schema/experiment';
import type { ComputeEngine, Precision } from '../engine/engine';
import type { EngineReport } from '../engine/types';
import { engineFor } from '../engine/choice';
import { needsDeterministicObjective } from '../optim/spec';
import { hasDropout } from '../model/layers';
import { ModelObjective } from '../model/objective';
import { SubsetScorer } from './scoring';
import type { Problem } from './problem';

export interface Lane {
  precision: Precision;
  engine: ComputeEngine;
  report: EngineReport;
  objective: ModelObjective;
  /** Dropout makes f stochastic: first-order runs get this one, quasi-Newton runs keep a deterministic f. */
  stochastic?: ModelObjective;
  scorer: SubsetScorer;
}

export interface Lanes {
  byPrecision: Map<Precision, Lane>;
  /**
   * Float64 runs report the float32 loss of their exported (rounded) weights: a float32 objective
   * computes it (the float32 runs' own, else one made for it when a float32 engine can run).
   */
  float32Check?: ModelObjective;
  dispose(): void;
}

/** The precisions the runs use, in first-use order. */
export function precisionsOf(experiment: Experiment): Precision[] {
  return [...new Set(experiment.runs.map((r) => runPrecision(experiment, r)))];
}

/** One engine per precision (tfjs has no float64: float64 runs get onnxruntime or js64). */
export async function enginesFor(experiment: Experiment, precisions: Precision[]): Promise<Map<Precision, { engine: ComputeEngine; report: EngineReport }>> {
  const engines = new Map<Precision, { engine: ComputeEngine; report: EngineReport }>();
  for (const p of precisions) engines.set(p, await engineFor(experiment.engine, p));
  return engines;
}

export async function openLanes(
  experiment: Experiment,
  problem: Problem,
  engines: Map<Precision, { engine: ComputeEngine; report: EngineReport }>,
): Promise<Lanes> {
  const { data, model, targetScaling } = problem;
  const byPrecision = new Map<Precision, Lane>();
  const owned: ModelObjective[] = [];
  const lanes: Lanes = {
    byPrecision,
    dispose() {
      for (const lane of byPrecision.values()) {
        lane.scorer.dispose();
        lane.objective.dispose();
        lane.stochastic?.dispose();
      }
      for (const o of owned) o.dispose();
    },
  };
  try {
    for (const [p, { engine, report }] of engines) {
      const objective = new ModelObjective(model, data.train, { engine, precision: p });
      // Validation (every iteration) and test (once, at the end) are scored on this lane's engine.
      const lane: Lane = { precision: p, engine, report, objective, scorer: new SubsetScorer(objective, model, data, targetScaling) };
      byPrecision.set(p, lane);
      const stochastic = hasDropout(model) && experiment.runs.some((r) => runPrecision(experiment, r) === p && !needsDeterministicObjective(r.optimizer));
      if (stochastic) lane.stochastic = new ModelObjective(model, data.train, { dropoutSeed: experiment.seed, engine, precision: p });
    }
    lanes.float32Check = byPrecision.get('float32')?.objective;
    if (!lanes.float32Check && byPrecision.has('float64')) {
      try {
        const { engine } = await engineFor(experiment.engine, 'float32');
        lanes.float32Check = new ModelObjective(model, data.train, { engine, precision: 'float32' });
        owned.push(lanes.float32Check);
      } catch {
        /* no float32 engine under this setting (js64 chosen): the summary records the rounding only */
      }
    }
    return lanes;
  } catch (err) {
    lanes.dispose();
    throw err;
  }
}

/** The objective a run's optimizer steps on: the dropout one for first-order runs when there is one. */
export function objectiveFor(spec: RunSpec, lane: Lane): ModelObjective {
  return lane.stochastic && !needsDeterministicObjective(spec.optimizer) ? lane.stochastic : lane.objective;
}
