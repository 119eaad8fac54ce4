/** A valid experiment like the GUI's blank one, with data chosen (no Svelte runes needed). */
import { experimentSchema, type Experiment } from '../../../app/schema/experiment';

export function blankExperimentForTests(): Experiment {
  return experimentSchema.parse({
    name: 'Test',
    data: { source: { kind: 'file', path: 'x.csv' }, target: 'y' },
    model: { layers: [{ units: 32, activation: 'tanh' }, { units: 1 }] },
    runs: [
      { id: 'lbfgs', optimizer: { kind: 'lbfgs' } },
      { id: 'adam', optimizer: { kind: 'adam' } },
    ],
  });
}
