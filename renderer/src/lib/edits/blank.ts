/** A fresh experiment with every default from the schemas, and default optimizer settings per kind. */
import { dataSpecSchema, type Experiment, experimentSchema, modelSpecSchema, runSpecSchema, singleOptimizerSpecSchema } from '../../../../app/ui';
import type { SingleOptimizerKind, SingleOptimizerSpec } from '../../../../app/ui';
import { TEMPLATES } from '../model-math';

function defaultsOf<T>(schema: { parse(v: unknown): T }): T {
  return schema.parse(undefined);
}

export function defaultOptimizer(kind: SingleOptimizerKind): SingleOptimizerSpec {
  return singleOptimizerSpecSchema.parse({ kind });
}

/** Data is chosen later: the source path and target start empty. */
export function blankExperiment(): Experiment {
  const shape = dataSpecSchema.shape;
  const template = TEMPLATES[1];
  return {
    version: 1,
    name: 'Untitled experiment',
    data: {
      source: { kind: 'file', path: '' },
      target: '',
      ignore: [],
      task: 'auto',
      preprocessing: defaultsOf(shape.preprocessing),
      split: defaultsOf(shape.split),
      maxFileBytes: defaultsOf(shape.maxFileBytes),
    },
    model: modelSpecSchema.parse({ layers: [...template.hidden, { units: 1 }] }),
    runs: [
      runSpecSchema.parse({ id: 'lbfgs', optimizer: { kind: 'lbfgs' } }),
      runSpecSchema.parse({ id: 'adam', optimizer: { kind: 'adam' } }),
    ],
    seed: experimentSchema.shape.seed.parse(undefined),
    precision: 'float32',
    repeats: 1,
  };
}
