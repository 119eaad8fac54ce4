import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../../../app/engine/choice';
import { resolveModel } from '../../../app/model/layers';
import { glorotUniform, toLayerWeights, fromLayerArrays } from '../../../app/model/params';
import { ModelObjective } from '../../../app/model/objective';
import { modelSpecSchema } from '../../../app/model/spec';
import { checkGradient } from '../../../app/model/gradientCheck';
import { seededRandom } from '../../../app/util/random';
import { seedObjective } from '../../helpers/seed';

beforeAll(async () => {
  await initEngine();
});

function randomSplit(rows: number, inDim: number, outDim: number, seed: number, oneHot: boolean) {
  const rand = seededRandom(seed);
  const x = Float32Array.from({ length: rows * inDim }, () => rand() * 2 - 1);
  const y = new Float32Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    if (oneHot) y[r * outDim + Math.floor(rand() * outDim)] = 1;
    else for (let k = 0; k < outDim; k++) y[r * outDim + k] = rand() < 0.5 ? 0 : 1;
  }
  return { x, y, rows };
}

describe('seed perceptron objective', () => {
  it('reproduces the loss scipy reports at the start point (2.49977) and a small exact gradient', () => {
    const { objective, x0 } = seedObjective();
    const g = new Float64Array(5);
    const f = objective.evaluate(x0, g);
    expect(f).toBeCloseTo(2.49977, 5);
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1e-4);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-3);
    objective.dispose();
  });

  it('finite differences at eps = 1.49e-8 see a zero gradient in float32, and the check says so', () => {
    const { objective, x0 } = seedObjective();
    const check = checkGradient(objective, x0, { eps: 1.49e-8 });
    expect(Array.from(check.numeric)).toEqual([0, 0, 0, 0, 0]);
    expect(check.zeroDifferences).toBe(5);
    expect(check.relativeError).toBe(1);
    expect(check.warning).toMatch(/lost in float32/);
    objective.dispose();
  });

  it('autodiff matches the float64 gradient by hand, and finite differences with a float32-sized eps', () => {
    const { objective, x0 } = seedObjective();
    const X = [[-1, 2, -3, -1], [3, 2, -1, -4]];
    const Y = [2, -1];
    const exact = new Float64Array(5);
    X.forEach((row, r) => {
      const z = row.reduce((s, v, k) => s + v * x0[k], x0[4]);
      const p = 1 / (1 + Math.exp(-z));
      const dz = (p - Y[r]) * p * (1 - p); // d/dz of (p − y)² / 2, averaged over 2 rows below
      row.forEach((v, k) => (exact[k] += dz * v));
      exact[4] += dz;
    });
    const g = new Float64Array(5);
    objective.evaluate(x0, g);
    for (let k = 0; k < 5; k++) expect(g[k]).toBeCloseTo(exact[k], 9);
    const check = checkGradient(objective, x0, { eps: 0.05 });
    expect(check.warning).toBeUndefined();
    expect(check.relativeError).toBeLessThan(2e-2);
    objective.dispose();
  });
});

describe('MLP objective', () => {
  const cases = [
    { loss: 'softmax-crossentropy', out: 3, act: 'softmax', oneHot: true },
    { loss: 'binary-crossentropy', out: 1, act: 'sigmoid', oneHot: false },
    { loss: 'mse', out: 2, act: 'linear', oneHot: false },
  ] as const;
  for (const c of cases) {
    it(`${c.loss}: autodiff gradient matches central differences`, () => {
      const spec = modelSpecSchema.parse({
        layers: [
          { units: 6, activation: 'tanh' },
          { units: 5, activation: 'gelu' },
          { units: c.out, activation: c.act },
        ],
        loss: c.loss,
        output: 'last',
      });
      const model = resolveModel(spec, 4, c.out === 3 ? 'multiclass' : 'regression');
      const obj = new ModelObjective(model, randomSplit(30, 4, c.out, 5, c.oneHot));
      const x = glorotUniform(model, 3);
      const check = checkGradient(obj, x, { eps: 3e-3, maxCoordinates: 40 });
      expect(check.relativeError).toBeLessThan(1e-2);
      obj.dispose();
    });
  }

  it('cross-entropy from logits equals the loss computed on probabilities', () => {
    const spec = modelSpecSchema.parse({ layers: [{ units: 3, activation: 'softmax' }], loss: 'softmax-crossentropy', output: 'last' });
    const model = resolveModel(spec, 4, 'multiclass');
    const data = randomSplit(20, 4, 3, 9, true);
    const obj = new ModelObjective(model, data);
    const x = glorotUniform(model, 4);
    const { loss, predictions } = obj.lossAndPredictions(x, data);
    let manual = 0;
    for (let r = 0; r < 20; r++) for (let k = 0; k < 3; k++) manual -= data.y[r * 3 + k] * Math.log(predictions[r * 3 + k]);
    expect(loss).toBeCloseTo(manual / 20, 5);
    obj.dispose();
  });

  it('adds the L2 penalty on kernels (not biases) in float64 on the host', () => {
    const base = { layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'linear' }], loss: 'mse', output: 'last' } as const;
    const data = randomSplit(10, 2, 1, 2, false);
    const plain = resolveModel(modelSpecSchema.parse(base), 2, 'regression');
    const reg = resolveModel(modelSpecSchema.parse({ ...base, l2: 0.1 }), 2, 'regression');
    const a = new ModelObjective(plain, data);
    const b = new ModelObjective(reg, data);
    const x = glorotUniform(plain, 1);
    x[plain.layers[0].biasOffset] = 5; // a bias: not penalised
    const ga = new Float64Array(x.length);
    const gb = new Float64Array(x.length);
    const fa = a.evaluate(x, ga);
    const fb = b.evaluate(x, gb);
    let sq = 0;
    for (const l of plain.layers) for (let k = 0; k < l.fanIn * l.units; k++) sq += x[l.kernelOffset + k] ** 2;
    expect(fb - fa).toBeCloseTo(0.1 * sq, 12);
    expect(gb[0] - ga[0]).toBeCloseTo(0.2 * x[0], 12);
    expect(gb[plain.layers[0].biasOffset]).toBe(ga[plain.layers[0].biasOffset]);
    a.dispose();
    b.dispose();
  });

  it('leaks no tensors across 100 evaluations, minibatches and metric passes', () => {
    const spec = modelSpecSchema.parse({ layers: [{ units: 8, activation: 'relu' }, { units: 3, activation: 'softmax' }], output: 'last' });
    const model = resolveModel(spec, 4, 'multiclass');
    const data = randomSplit(50, 4, 3, 1, true);
    const obj = new ModelObjective(model, data);
    const val = obj.uploadSplit(data);
    const x = glorotUniform(model, 2);
    const g = new Float64Array(x.length);
    obj.evaluate(x, g);
    const before = tf.memory().numTensors;
    const buffers = (tf.memory() as { numDataBuffers: number }).numDataBuffers;
    for (let i = 0; i < 100; i++) {
      x[i % x.length] += 1e-3;
      obj.evaluate(x, g);
      obj.evaluateBatch(x, g, Int32Array.from([1, 4, 9, 16]));
      obj.lossAndPredictions(x, val.split);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.memory() as { numDataBuffers: number }).numDataBuffers).toBe(buffers);
    val.dispose();
    obj.dispose();
  });

  it('round-trips the flat vector through per-layer weights and names layers like Keras', () => {
    const spec = modelSpecSchema.parse({ layers: [{ units: 4, activation: 'tanh' }, { units: 2, useBias: false }], output: 'last' });
    const model = resolveModel(spec, 3, 'regression');
    expect(model.layers.map((l) => l.name)).toEqual(['dense', 'dense_1']);
    expect(model.parameterCount).toBe(3 * 4 + 4 + 4 * 2);
    const x = glorotUniform(model, 8);
    const layers = toLayerWeights(model, x);
    const back = fromLayerArrays(model, layers.map((l) => ({ kernel: l.kernel, kernelShape: [l.fanIn, l.units] as [number, number], bias: l.bias })));
    expect(Array.from(back)).toEqual(Array.from(x));
    expect(() =>
      fromLayerArrays(model, [
        { kernel: new Float32Array(12), kernelShape: [3, 4], bias: new Float32Array(4) },
        { kernel: new Float32Array(6), kernelShape: [3, 2] },
      ]),
    ).toThrow(/layer 1 \("dense_1"\) kernel is 3×2, the model needs 4×2/);
  });

  it('appends the output layer the task needs when output is auto', () => {
    const spec = modelSpecSchema.parse({ layers: [{ units: 16, activation: 'tanh' }] });
    const m = resolveModel(spec, 5, 'multiclass', 3);
    expect(m.layers.map((l) => [l.units, l.activation])).toEqual([[16, 'tanh'], [3, 'softmax']]);
    expect(m.loss).toBe('softmax-crossentropy');
    const explicit = resolveModel(modelSpecSchema.parse({ layers: [{ units: 16, activation: 'tanh' }, { units: 3, activation: 'softmax' }] }), 5, 'multiclass', 3);
    expect(explicit.layers).toHaveLength(2);
  });

  it('Glorot-uniform initialisation is reproducible for a seed and within the limit', () => {
    const model = resolveModel(modelSpecSchema.parse({ layers: [{ units: 64, activation: 'tanh' }, { units: 10, activation: 'softmax' }], output: 'last' }), 64, 'multiclass');
    const a = glorotUniform(model, 42);
    expect(Array.from(glorotUniform(model, 42))).toEqual(Array.from(a));
    expect(Array.from(glorotUniform(model, 43))).not.toEqual(Array.from(a));
    const limit = Math.sqrt(6 / (64 + 64));
    const k = a.subarray(0, 64 * 64);
    expect(Math.max(...k)).toBeLessThanOrEqual(limit);
    expect(Math.min(...k)).toBeGreaterThanOrEqual(-limit);
    expect(Math.max(...k)).toBeGreaterThan(0.9 * limit);
    expect(a[model.layers[0].biasOffset]).toBe(0);
  });
});
