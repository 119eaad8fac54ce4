/** The experiment store's edits as plain functions: column roles, the layer stack, the run list. */
import { describe, expect, it } from 'vitest';
import { blankExperiment } from '../../../renderer/src/lib/edits/blank';
import { addHiddenLayer, applyTemplate, fitOutputLayer, moveLayer, removeLayer } from '../../../renderer/src/lib/edits/layers';
import { roleOf, setRole } from '../../../renderer/src/lib/edits/roles';
import { newHandOff, newRun, withRunIds } from '../../../renderer/src/lib/edits/runs';
import { experimentSchema } from '../../../app/schema/experiment';

describe('experiment edits', () => {
  it('a blank experiment is valid once it has data', () => {
    const e = blankExperiment();
    e.data.source = { kind: 'file', path: 'x.csv' };
    e.data.target = 'y';
    expect(experimentSchema.safeParse(e).success).toBe(true);
  });

  it('column roles: an explicit feature list turns into "all but ignored"; the target leaves the ignore list', () => {
    const data = { ...blankExperiment().data, target: 'y', features: ['a', 'b'] };
    expect(roleOf(data, 'c')).toBe('ignore');
    setRole(data, ['a', 'b', 'c', 'y'], 'a', 'ignore');
    expect(data.features).toBeUndefined();
    expect(data.ignore).toEqual(['c', 'a']);
    setRole(data, ['a', 'b', 'c', 'y'], 'c', 'target');
    expect([data.target, data.ignore]).toEqual(['c', ['a']]);
    setRole(data, null, 'a', 'feature');
    expect(roleOf(data, 'a')).toBe('feature');
  });

  it('column roles: "date" puts a feature in expandDates, any other role takes it out (and the date order with the last one)', () => {
    const data = { ...blankExperiment().data, target: 'y' };
    setRole(data, ['when', 'x', 'y'], 'when', 'date');
    expect([roleOf(data, 'when'), data.expandDates]).toEqual(['date', ['when']]);
    data.dateOrder = 'mdy';
    setRole(data, ['when', 'x', 'y'], 'when', 'ignore');
    expect([roleOf(data, 'when'), data.expandDates, data.dateOrder]).toEqual(['ignore', undefined, undefined]);
    setRole(data, ['when', 'x', 'y'], 'when', 'date');
    expect([roleOf(data, 'when'), data.ignore]).toEqual(['date', []]);
    expect(experimentSchema.shape.data.safeParse({ ...data, source: { kind: 'file', path: 'x.csv' } }).success).toBe(true);
  });

  it('layers: templates keep the output layer, hidden layers move and go but the output stays last', () => {
    const layers = blankExperiment().model.layers;
    const out = layers[layers.length - 1];
    const relu = applyTemplate(layers, '2x32-relu');
    expect(relu.map((l) => [l.units, l.activation])).toEqual([[32, 'relu'], [32, 'relu'], [out.units, out.activation]]);
    addHiddenLayer(relu);
    expect(relu).toHaveLength(4);
    relu[0].units = 7;
    moveLayer(relu, 0, 1);
    expect(relu[1].units).toBe(7);
    moveLayer(relu, 2, 1); // would pass the output layer
    expect(relu[3]).toBe(out);
    removeLayer(relu, 3); // the output layer cannot go
    expect(relu).toHaveLength(4);
    fitOutputLayer(relu, 'multiclass', 5);
    expect([relu[3].units, relu[3].activation]).toEqual([5, 'softmax']);
  });

  it('runs: unique ids, numbered labels, a hand-off with both phases, the shared budget copied', () => {
    const e = withRunIds({ ...blankExperiment(), runs: [...blankExperiment().runs, { ...blankExperiment().runs[1], id: undefined }] });
    expect(e.runs.map((r) => r.id)).toEqual(['lbfgs', 'adam', 'adam-2']);
    const stopping = { ...e.runs[0].stopping, maxIterations: 77 };
    const adam = newRun(e.runs, 'adam', stopping);
    expect([adam.id, adam.label, adam.stopping.maxIterations]).toEqual(['adam-3', 'Adam 3', 77]);
    const handOff = newHandOff(e.runs, undefined);
    expect(handOff.optimizer.kind).toBe('sequence');
    expect(handOff.id).toBe('adam-lbfgs');
  });
});
