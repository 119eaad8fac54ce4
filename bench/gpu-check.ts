/**
 * `npm run gpu-check`: what a person runs to see whether Curvature can train on their GPU, and pastes
 * into an issue. Per compute device (onnxruntime's cpu, webgpu, dml, cuda, and tensorflow-gpu where
 * it loads): the self-test against the float64 reference, ms per evaluation on the bench models
 * against the CPU engine, and one L-BFGS race on the smallest model. Without a GPU it says
 * "no GPU device" with each device's reason and exits 0: that is a result, not a failure.
 * `--quick` times the smallest model only, with short budgets (the unit test's run).
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import { surveyOnnxDevices, formatDevice, formatMs, timeEvaluations } from '../app/engine/deviceChoice';
import { GPU_DEVICES } from '../app/engine/onnx/devices';
import { gpuUnavailableReason, loadTfjs } from '../app/engine/choice';
import { selfTestEngine } from '../app/engine/selfTest';
import type { ComputeEngine } from '../app/engine/engine';
import { minimize } from '../app/optim';
import { optimizerSpecSchema } from '../app/optim/spec';
import { DEFAULT_STOPPING } from '../app/optim/types';
import { benchModels, type BenchModel } from './models';

const nodeRequire = createRequire(import.meta.url);
/** Budget per timing (after a warm-up evaluation): enough for a stable median, short enough for a report. */
const QUICK = process.argv.includes('--quick');
const BUDGET_MS = QUICK ? 200 : 1500;
const RACE_ITERATIONS = QUICK ? 10 : 100;

function version(pkg: string): string {
  try {
    return (nodeRequire(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** tensorflow-gpu where it loads and finds a CUDA device; otherwise why not. */
async function tensorflowGpu(): Promise<{ engine: ComputeEngine } | { reason: string }> {
  if (version('@tensorflow/tfjs-node-gpu') === 'not installed') return { reason: 'not installed' };
  const reason = gpuUnavailableReason();
  if (reason) return { reason };
  try {
    const engine = await loadTfjs('tensorflow-gpu');
    const tf = await import('@tensorflow/tfjs');
    const usesGpu = (tf.findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean } | null)?.isUsingGpuDevice === true;
    return usesGpu ? { engine } : { reason: 'loaded, but TensorFlow found no usable CUDA device (needs CUDA 11.2 and cuDNN 8.1)' };
  } catch (e) {
    return { reason: `failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
}

function msPerEvaluation(engine: ComputeEngine, m: BenchModel): string {
  let program;
  try {
    program = engine.compile(m.stack);
    const data = program.upload(m.x, m.y, m.rows);
    return formatMs(timeEvaluations(program, m.theta, data, { budgetMs: BUDGET_MS, evaluations: 50 }));
  } catch (e) {
    return `failed: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    program?.dispose();
  }
}

function race(engine: ComputeEngine, m: BenchModel): string {
  const program = engine.compile(m.stack);
  try {
    const data = program.upload(m.x, m.y, m.rows);
    const objective = { dimension: m.stack.parameterCount, evaluate: (x: Float64Array, g: Float64Array) => program.valueAndGradient(x, data, g) };
    const t0 = performance.now();
    const r = minimize(optimizerSpecSchema.parse({ kind: 'lbfgs' }), objective, m.theta.slice(), { ...DEFAULT_STOPPING, maxIterations: RACE_ITERATIONS });
    const ms = performance.now() - t0;
    return `f ${r.f.toPrecision(6)} after ${r.iterations} iterations, ${r.functionEvaluations} evaluations, ${(ms / 1000).toFixed(2)} s (${r.status})`;
  } finally {
    program.dispose();
  }
}

async function main(): Promise<void> {
  out('# Curvature GPU check');
  out();
  out(`- machine: ${os.platform()}-${os.arch()}, ${os.cpus()[0]?.model?.trim() ?? 'CPU'} × ${os.cpus().length}, Node ${process.versions.node}`);
  out(`- onnxruntime-node ${version('onnxruntime-node')}, @tensorflow/tfjs-node-gpu ${version('@tensorflow/tfjs-node-gpu')}`);
  out();

  out('## Devices (self-test: largest relative error against float64, limit 1e-4)');
  out();
  const survey = surveyOnnxDevices();
  const candidates: { name: string; engine: ComputeEngine }[] = [];
  for (const [device, report] of survey.reports) {
    out(`- ${formatDevice(report)}`);
    const engine = survey.engines.get(device);
    if (engine) candidates.push({ name: report.name, engine });
  }
  const tf = await tensorflowGpu();
  if ('engine' in tf) {
    const test = selfTestEngine(tf.engine);
    out(`- tensorflow-gpu: ${test.passed ? `passed, self-test error ${test.error.toExponential(1)}` : `refused — ${test.reason}`}`);
    if (test.passed) candidates.push({ name: 'tensorflow-gpu', engine: tf.engine });
  } else {
    out(`- tensorflow-gpu: unavailable — ${tf.reason}`);
  }
  out();

  const gpus = candidates.filter((c) => c.name !== 'onnxruntime cpu');
  if (gpus.length === 0) {
    const none = [...GPU_DEVICES.map((d) => `${d} ${survey.reports.get(d)?.status ?? 'unavailable'}`), `tensorflow-gpu ${'reason' in tf ? 'unavailable' : 'refused'}`];
    out(`no GPU device (${none.join(', ')}: the reasons are above). Training runs on the CPU; docs/gpu.md says how to get each device.`);
    out();
  }

  out(`## ms per evaluation (value and gradient; median after one warm-up, ≤ ${BUDGET_MS} ms each)`);
  out();
  const models = QUICK ? benchModels().slice(0, 1) : benchModels();
  out(`| model | ${candidates.map((c) => c.name).join(' | ')} |`);
  out(`|---|${candidates.map(() => '---:').join('|')}|`);
  for (const m of models) out(`| ${m.name} | ${candidates.map((c) => msPerEvaluation(c.engine, m)).join(' | ')} |`);
  out();

  const small = models[0];
  out(`## L-BFGS race: ${small.name}, ${RACE_ITERATIONS} iterations at most`);
  out();
  for (const c of candidates) {
    try {
      out(`- ${c.name}: ${race(c.engine, small)}`);
    } catch (e) {
      out(`- ${c.name}: failed — ${(e as Error).message.split('\n')[0]}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`gpu-check: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
