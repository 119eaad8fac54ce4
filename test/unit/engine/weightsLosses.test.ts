/**
 * Sample weights and the robust losses (mae, huber) on every engine against the float64 reference:
 * weighted loss and gradient, integer weights equal to duplicated rows, minibatches weighted over
 * their own rows, and the reference's own gradient against central differences.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { availableEngines, initEngine } from '../../../app/engine/choice';
import type { ComputeEngine, DenseStack, Loss } from '../../../app/engine/engine';
import { seededRandom } from '../../../app/util/random';
import { denseStack, referenceLossAndGradient, relativeError } from '../../../support/denseReference';

let engines: ComputeEngine[] = [];
beforeAll(async () => {
  await initEngine();
  engines = await availableEngines();
});

function problem(stack: DenseStack, rows: number, seed: number) {
  const rand = seededRandom(seed);
  const K = stack.layers[stack.layers.length - 1].units;
  const x = Float32Array.from({ length: rows * stack.inputDim }, () => rand() * 2 - 1);
  const y = Float32Array.from({ length: rows * K }, () => {
    if (stack.loss === 'binary-crossentropy') return rand() < 0.5 ? 0 : 1;
    return (rand() * 2 - 1) * 3;
  });
  const theta = Float64Array.from({ length: stack.parameterCount }, () => Math.fround((rand() * 2 - 1) * 0.7));
  const weights = Float64Array.from({ length: rows }, () => Math.floor(rand() * 4)); // 0…3, some zero
  weights[0] = 2;
  return { x, y, theta, weights };
}

const stackFor = (loss: Loss, delta?: number): DenseStack => ({
  ...denseStack(4, [{ units: 6, activation: 'tanh' }, { units: loss === 'binary-crossentropy' ? 1 : 3, activation: loss === 'binary-crossentropy' ? 'sigmoid' : 'linear' }], loss),
  ...(delta !== undefined && { huberDelta: delta }),
});
const STACKS: [string, DenseStack][] = [
  ['mse', stackFor('mse')],
  ['mae', stackFor('mae')],
  ['huber δ=1', stackFor('huber')],
  ['huber δ=0.3', stackFor('huber', 0.3)],
  ['binary-crossentropy', stackFor('binary-crossentropy')],
];

describe('robust losses in the float64 reference', () => {
  it('mae and huber gradients agree with central differences (weighted)', () => {
    for (const [, stack] of STACKS) {
      const { x, y, theta, weights } = problem(stack, 9, 5);
      const { g } = referenceLossAndGradient(stack, theta, x, y, 9, weights);
      const h = 1e-6;
      for (let i = 0; i < stack.parameterCount; i += 3) {
        const p = Float64Array.from(theta);
        p[i] += h;
        const fp = referenceLossAndGradient(stack, p, x, y, 9, weights).f;
        p[i] -= 2 * h;
        const fm = referenceLossAndGradient(stack, p, x, y, 9, weights).f;
        expect(Math.abs((fp - fm) / (2 * h) - g[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(g[i])));
      }
    }
  });

  it('huber is ½d² inside δ and δ(|d| − ½δ) beyond; mae is |d|', () => {
    const stack: DenseStack = { ...denseStack(1, [{ units: 1, activation: 'linear', bias: false }], 'huber'), huberDelta: 1 };
    const theta = Float64Array.of(1);
    const x = Float32Array.of(0.5, 3);
    const y = Float32Array.of(0, 0);
    expect(referenceLossAndGradient(stack, theta, x, y, 2).f).toBeCloseTo((0.125 + 2.5) / 2, 12);
    expect(referenceLossAndGradient({ ...stack, loss: 'mae' }, theta, x, y, 2).f).toBeCloseTo(1.75, 12);
  });
});

describe('every engine: sample weights and robust losses', () => {
  it('weighted loss, gradient and predict loss match the float64 reference to 1e-6', () => {
    const failures: string[] = [];
    for (const engine of engines) {
      for (const [name, stack] of STACKS) {
        for (const weighted of [false, true]) {
          const { x, y, theta, weights } = problem(stack, 20, 11);
          const ref = referenceLossAndGradient(stack, theta, x, y, 20, weighted ? weights : undefined);
          const program = engine.compile(stack);
          try {
            const data = program.upload(x, y, 20, weighted ? weights : undefined);
            const g = new Float64Array(stack.parameterCount);
            const f = program.valueAndGradient(theta, data, g);
            const p = program.predict(theta, data).loss;
            const fErr = Math.abs(f - ref.f) / Math.abs(ref.f);
            const pErr = Math.abs(p - ref.f) / Math.abs(ref.f);
            const gErr = relativeError(g, ref.g);
            if (!(fErr <= 1e-6 && pErr <= 1e-6 && gErr <= 1e-6)) failures.push(`${engine.name} ${name} weighted=${weighted}: f ${fErr} predict ${pErr} g ${gErr}`);
          } finally {
            program.dispose();
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('integer weights give the loss and gradient of the rows duplicated that many times', () => {
    for (const engine of engines) {
      const stack = stackFor('mse');
      const { x, y, theta, weights } = problem(stack, 12, 3);
      const K = 3;
      const dx: number[] = [];
      const dy: number[] = [];
      let rows = 0;
      weights.forEach((w, r) => {
        for (let k = 0; k < w; k++) {
          dx.push(...x.subarray(r * 4, r * 4 + 4));
          dy.push(...y.subarray(r * K, r * K + K));
          rows++;
        }
      });
      const program = engine.compile(stack);
      try {
        const gw = new Float64Array(stack.parameterCount);
        const gd = new Float64Array(stack.parameterCount);
        const fw = program.valueAndGradient(theta, program.upload(x, y, 12, weights), gw);
        const fd = program.valueAndGradient(theta, program.upload(Float32Array.from(dx), Float32Array.from(dy), rows), gd);
        expect(Math.abs(fw - fd) / fd, engine.name).toBeLessThan(1e-6);
        expect(relativeError(gw, gd), engine.name).toBeLessThan(1e-6);
      } finally {
        program.dispose();
      }
    }
  });

  it('a weighted minibatch is the weighted mean over its own rows', () => {
    for (const engine of engines) {
      const stack = stackFor('huber');
      const { x, y, theta, weights } = problem(stack, 16, 7);
      const rows = Int32Array.of(3, 0, 9, 12, 5);
      const sub = (a: Float32Array, width: number) => Float32Array.from([...rows].flatMap((r) => [...a.subarray(r * width, r * width + width)]));
      const ref = referenceLossAndGradient(stack, theta, sub(x, 4), sub(y, 3), rows.length, [...rows].map((r) => weights[r]));
      const program = engine.compile(stack);
      try {
        const g = new Float64Array(stack.parameterCount);
        const f = program.valueAndGradient(theta, program.upload(x, y, 16, weights), g, { rows });
        expect(Math.abs(f - ref.f) / ref.f, engine.name).toBeLessThan(1e-6);
        expect(relativeError(g, ref.g), engine.name).toBeLessThan(1e-6);
      } finally {
        program.dispose();
      }
    }
  });

  it('refuses negative weights by name', () => {
    for (const engine of engines) {
      const program = engine.compile(stackFor('mse'));
      try {
        expect(() => program.upload(new Float32Array(8), new Float32Array(6), 2, Float64Array.of(1, -1))).toThrow(/weight 1 is -1/);
      } finally {
        program.dispose();
      }
    }
  });
});
