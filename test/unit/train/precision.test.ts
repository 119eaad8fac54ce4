/**
 * Precision as a choice per run: float64 data from the loader to the engine with no Float32Array on
 * the way, one optimizer racing itself in both precisions from one start (float64 goes below the
 * float32 floor on the shipped tanh regression), summaries that name their precision, the float32
 * precision-loss message that points at float64, and the float64 gradient check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { prepareData } from '../../../app/data/prepare';
import { ModelObjective } from '../../../app/model/objective';
import { resolveModel } from '../../../app/model/layers';
import { modelSpecSchema } from '../../../app/model/spec';
import { glorotUniform } from '../../../app/model/params';
import { checkGradient } from '../../../app/model/gradientCheck';
import { createJsEngine } from '../../../app/engine/js';
import { createOnnxEngine, onnxUnavailableReason } from '../../../app/engine/onnx';
import type { ComputeEngine } from '../../../app/engine/engine';
import { startExperiment } from '../../../app/train/runner';
import { EXAMPLES_DIR, loadExample } from '../../../app/examples';
import { parseExperiment } from '../../../app/schema/experiment';
import { reference } from '../../../support/denseReference';
import { exportFinishedRun } from '../../../app/export';
import { unzipSync } from 'fflate';

const root = path.resolve(__dirname, '../../..');
const engines: ComputeEngine[] = [createJsEngine(), ...(onnxUnavailableReason() ? [] : [createOnnxEngine({ threads: 1 })])];

const RealFloat32Array = globalThis.Float32Array;
afterEach(() => {
  globalThis.Float32Array = RealFloat32Array;
});

/** Counts every Float32Array made (new, from, of) until afterEach puts the real one back. */
function countFloat32Arrays(): { made: number[] } {
  const log = { made: [] as number[] };
  const note = (a: Float32Array) => (log.made.push(a.length), a);
  globalThis.Float32Array = new Proxy(RealFloat32Array, {
    construct: (target, args) => note(Reflect.construct(target, args) as Float32Array),
    get: (target, key, receiver) => {
      if (key === 'from') return (...args: Parameters<typeof RealFloat32Array.from>) => note(RealFloat32Array.from(...args));
      if (key === 'of') return (...args: number[]) => note(RealFloat32Array.of(...args));
      return Reflect.get(target, key, receiver);
    },
  });
  return log;
}

describe('float64 data', () => {
  // Values float32 cannot hold: 1/3 + k·1e-10 differ from each other only below float32's resolution.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-f64-'));
  const file = path.join(dir, 'tiny.csv');
  const rows = Array.from({ length: 12 }, (_, k) => [k / 7 + 1e-10 * k, 1 / 3 + 1e-10 * k]);
  fs.writeFileSync(file, 'x,y\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  const spec = { source: { kind: 'file' as const, path: file }, target: 'y', preprocessing: { standardize: false }, split: { validation: 0 } };

  it('the counter sees the Float32Arrays a float32 preparation makes (the instrument works)', async () => {
    const log = countFloat32Arrays();
    await prepareData(spec, { precision: 'float32' });
    expect(log.made.length).toBeGreaterThan(0);
  });

  for (const engine of engines) {
    it(`reaches the ${engine.name} engine as parsed, through no Float32Array`, async () => {
      const log = countFloat32Arrays();
      const data = await prepareData(spec, { precision: 'float64' });
      expect(data.train.y).toBeInstanceOf(Float64Array);
      const model = resolveModel(modelSpecSchema.parse({ layers: [{ units: 3, activation: 'tanh' }] }), 1, 'regression', 1);
      const objective = new ModelObjective(model, data.train, { engine, precision: 'float64' });
      const theta = glorotUniform(model, 3);
      const grad = new Float64Array(model.parameterCount);
      const f = objective.evaluate(theta, grad);
      const { predictions } = objective.lossAndPredictions(theta, data.train);
      objective.dispose();
      expect(log.made).toEqual([]);
      expect(predictions).toBeInstanceOf(Float64Array);
      globalThis.Float32Array = RealFloat32Array;

      // The rows' order is the split's; the set of targets is exactly what the file holds.
      expect([...data.train.y].sort()).toEqual(rows.map((r) => r[1]).sort());
      const ref = reference(model, theta, Float64Array.from(data.train.x), Float64Array.from(data.train.y), data.train.rows, [], false);
      expect(Math.abs(f - ref.loss) / ref.loss).toBeLessThan(1e-13);
      // The float32 view of the same file is a different function: the 1e-10 steps are gone.
      const ref32 = reference(model, theta, Float32Array.from(data.train.x), Float32Array.from(data.train.y), data.train.rows, [], false);
      expect(Math.abs(ref32.loss - ref.loss) / ref.loss).toBeGreaterThan(1e-9);
    });
  }

  it('gradient check in float64: central differences agree to ~1e-8', async () => {
    const data = await prepareData(spec, { precision: 'float64' });
    const model = resolveModel(modelSpecSchema.parse({ layers: [{ units: 4, activation: 'tanh' }] }), 1, 'regression', 1);
    const objective = new ModelObjective(model, data.train, { engine: engines[engines.length - 1], precision: 'float64' });
    const c = checkGradient(objective, glorotUniform(model, 5));
    objective.dispose();
    expect(c.eps).toBeLessThan(1e-4);
    expect(c.relativeError).toBeLessThan(1e-8);
    expect(c.warning).toBeUndefined();
  });
});

describe('one optimizer in both precisions', () => {
  it('L-BFGS on the shipped tanh regression: float64 ends clearly below float32 from the same start', async () => {
    const experiment = loadExample('tanh-regression');
    expect(experiment.runs.map((r) => r.precision)).toEqual(['float32', 'float64']);
    const outcome = await startExperiment(experiment, { baseDir: EXAMPLES_DIR, onEvent: () => {}, keepHistory: true }).done;
    const [f32, f64] = outcome.runs.map((r) => r.summary);
    expect(f32.precision).toBe('float32');
    expect(f64.precision).toBe('float64');
    // Same start: the first recorded loss agrees to float32's resolution.
    const start32 = outcome.runs[0].history[0].trainLoss;
    const start64 = outcome.runs[1].history[0].trainLoss;
    expect(Math.abs(start32 - start64) / start64).toBeLessThan(1e-5);
    // float32 stops at its floor and says float64 goes further; float64 goes well below it.
    expect(f32.status).toBe('precision-loss');
    expect(f32.message).toMatch(/float64/);
    expect(f64.trainLoss).toBeLessThan(f32.trainLoss / 3);
    expect(f64.engine?.name === 'onnxruntime' || f64.engine?.name === 'js64').toBe(true);
  }, 120_000);

  it('an explicitly chosen engine without float64 is refused by name, never run as float32', async () => {
    const experiment = parseExperiment({ ...loadExample('seed'), precision: 'float64', engine: { backend: 'cpu' } });
    await expect(startExperiment(experiment, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done).rejects.toThrow(/computes float32 only, not float64/);
  });

  it('js64 named as the engine runs float64 runs, and refuses float32 ones by name', async () => {
    const base = loadExample('tanh-regression');
    const only64 = parseExperiment({ ...base, engine: { backend: 'js64' }, runs: [{ ...base.runs[1], stopping: { maxIterations: 5 } }] });
    const outcome = await startExperiment(only64, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;
    expect(outcome.runs[0].summary).toMatchObject({ precision: 'float64', engine: { name: 'js64' } });
    const both = parseExperiment({ ...only64, runs: [{ ...base.runs[0], stopping: { maxIterations: 5 } }] });
    await expect(startExperiment(both, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done).rejects.toThrow(/js64 computes float64 only, not float32/);
  });

  it('curvature train --precision float32,float64 --json: every run names its precision', () => {
    const out = execFileSync(
      process.execPath,
      ['bin/curvature.mjs', 'train', path.join(EXAMPLES_DIR, 'data/tanh1d.csv'), '--target', 'y', '--layers', '8:tanh', '--optimizer', 'lbfgs,adam', '--precision', 'float32,float64', '--max-iter', '5', '--json', '--no-progress'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const report = JSON.parse(out) as { runs: { optimizer: string; precision: string }[] };
    expect(report.runs.map((r) => `${r.optimizer}/${r.precision}`)).toEqual(['lbfgs/float32', 'lbfgs/float64', 'adam/float32', 'adam/float64']);
  }, 180_000);
});

describe('exports of a float64 run', () => {
  it('.npz and JSON keep float64; summary.json records the precision, the rounding and the float32 loss', async () => {
    const base = loadExample('tanh-regression');
    const experiment = parseExperiment({ ...base, runs: [{ ...base.runs[1], stopping: { maxIterations: 40 } }] });
    const outcome = await startExperiment(experiment, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;
    const run = outcome.runs[0];
    expect(run.layers64).toBeDefined();
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-f64-export-')), 'out');
    await exportFinishedRun(experiment, outcome, run, { directory: dir, formats: ['npz', 'json', 'onnx'] });

    const members = unzipSync(fs.readFileSync(path.join(dir, 'weights.npz')));
    const kernel = members[`${run.layers64![0].name}/kernel.npy`];
    const headerLength = new DataView(kernel.buffer, kernel.byteOffset).getUint16(8, true);
    expect(new TextDecoder().decode(kernel.subarray(10, 10 + headerLength))).toContain("'<f8'");
    const values = new Float64Array(kernel.slice(10 + headerLength).buffer);
    expect(Array.from(values)).toEqual(Array.from(run.layers64![0].kernel));
    // Values a float32 could not hold are there as trained.
    expect(Array.from(values).some((v) => Math.fround(v) !== v)).toBe(true);

    const json = JSON.parse(fs.readFileSync(path.join(dir, 'weights.json'), 'utf8')) as { layers: { W: number[][] }[] };
    expect(json.layers[0].W.flat()).toEqual(Array.from(run.layers64![0].kernel));

    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { precision: string; float32Export: { maxRelativeRounding: number; float32TrainLoss: number } };
    expect(summary.precision).toBe('float64');
    expect(summary.float32Export.maxRelativeRounding).toBeGreaterThan(0);
    expect(summary.float32Export.maxRelativeRounding).toBeLessThanOrEqual(2 ** -24);
    expect(Math.abs(summary.float32Export.float32TrainLoss - run.summary.trainLoss) / run.summary.trainLoss).toBeLessThan(1e-3);
  }, 120_000);
});
