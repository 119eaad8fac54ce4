/**
 * The output layer a user means: `--layers 20:tanh,1` is a linear output (Keras's Dense default),
 * classification gives a linear last layer its sigmoid/softmax, a bounded output that cannot reach
 * a regression target is named in the notes, and a float64 run's multi-target scaling is folded
 * per output.
 */
import { describe, expect, it } from 'vitest';
import { parseLayers } from '../../../app/cli/trainOptions';
import { resolveModel, withOutputLayer } from '../../../app/model/layers';
import { foldTargetScaling, foldTargetScaling64, outputRangeProblem } from '../../../app/model/outputScaling';
import { buildProblem } from '../../../app/train/problem';
import { parseExperiment } from '../../../app/schema/experiment';
import type { ModelSpec } from '../../../app/model/spec';

const spec = (layers: ModelSpec['layers']): ModelSpec => ({ layers, output: 'auto', loss: 'auto', l2: 0 }) as unknown as ModelSpec;

describe('the output layer', () => {
  it('a last --layers entry without an activation is linear; hidden ones stay tanh', () => {
    expect(parseLayers('20:tanh,1').map((l) => l.activation)).toEqual(['tanh', 'linear']);
    expect(parseLayers('20,8,3').map((l) => l.activation)).toEqual(['tanh', 'tanh', 'linear']);
    expect(parseLayers('64').map((l) => l.activation)).toEqual(['tanh']);
    expect(parseLayers('20:relu,1:sigmoid').map((l) => l.activation)).toEqual(['relu', 'sigmoid']);
  });

  it('classification turns a linear last layer of the right width into its sigmoid or softmax, not a second layer', () => {
    const layers = parseLayers('16,3');
    expect(withOutputLayer(spec(layers), 'multiclass', 3).map((l) => [l.units, l.activation])).toEqual([[16, 'tanh'], [3, 'softmax']]);
    expect(withOutputLayer(spec(parseLayers('16,1')), 'binary', 2).map((l) => [l.units, l.activation])).toEqual([[16, 'tanh'], [1, 'sigmoid']]);
    // A width that does not fit still gets the task's layer appended.
    expect(withOutputLayer(spec(parseLayers('16,4')), 'multiclass', 3).map((l) => [l.units, l.activation])).toEqual([[16, 'tanh'], [4, 'linear'], [3, 'softmax']]);
    expect(withOutputLayer(spec(layers), 'regression', 3).map((l) => l.activation)).toEqual(['tanh', 'linear']);
  });

  it('names a bounded output that cannot reach the regression target, per output', () => {
    const model = resolveModel(spec(parseLayers('4:tanh,2:tanh')), 3, 'regression', 2);
    expect(outputRangeProblem(model, Float64Array.of(0.5, -0.2, 0.9, 0.1), ['a', 'b'])).toBeNull();
    const problem = outputRangeProblem(model, Float64Array.of(0.5, 3, 0.9, 14), ['a', 'b']);
    expect(problem).toMatch(/tanh gives values in \(−1, 1\), but target "b" spans 3\.000 … 14\.00/);
    const linear = resolveModel(spec(parseLayers('4:tanh,2')), 3, 'regression', 2);
    expect(outputRangeProblem(linear, Float64Array.of(0.5, 3, 0.9, 14), ['a', 'b'])).toBeNull();
  });

  it('a tanh output on the seed-style raw target gets the note; a linear one gets standardisation instead', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [i / 10, Math.sin(i), 10 + i]);
    const experiment = (activation: 'tanh' | 'linear') =>
      parseExperiment(
        {
          name: 't',
          data: { source: { kind: 'inline', columns: ['a', 'b', 'y'], rows }, target: 'y', task: 'regression', split: { validation: 0 } },
          model: { layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation }] },
          runs: [{ optimizer: { kind: 'lbfgs' } }],
        },
        'test',
      );
    const tanh = await buildProblem(experiment('tanh'), process.cwd());
    expect(tanh.data.notes.join('\n')).toMatch(/output cannot reach the target: .*tanh.*target "y" spans/);
    const linear = await buildProblem(experiment('linear'), process.cwd());
    expect(linear.data.notes.join('\n')).not.toMatch(/cannot reach/);
    expect(linear.targetScaling).toBeDefined();
  });

  it("a float64 run's export folds each target's own mean and scale, as the float32 one does", () => {
    const scaling = { mean: 5, scale: 2, columns: [{ mean: 5, scale: 2 }, { mean: -100, scale: 30 }] };
    const kernel = Float64Array.of(1, 2, 3, 4, 5, 6); // fanIn 3 × units 2
    const bias = Float64Array.of(0.5, -0.5);
    const f64 = foldTargetScaling64([{ kernel, bias, units: 2 } as never], scaling)[0] as unknown as { kernel: Float64Array; bias: Float64Array };
    const f32 = foldTargetScaling([{ kernel: Float32Array.from(kernel), bias: Float32Array.from(bias), units: 2 } as never], scaling)[0] as unknown as { kernel: Float32Array; bias: Float32Array };
    expect(Array.from(f64.kernel)).toEqual(Array.from(f32.kernel));
    expect(Array.from(f64.bias)).toEqual([0.5 * 2 + 5, -0.5 * 30 - 100]);
  });
});
