/**
 * `npm run bench -- engines`: for every available engine and the three models of issue 9, ms per
 * forward+backward (value and gradient, θ in and ∇f out), GFLOP/s, the engine's own plain-matmul
 * GFLOP/s as a ceiling, the speed-up over the original tfjs autodiff path on WebAssembly (measured in
 * this run), and the first evaluation (compile + upload + first pass). PyTorch's figures for the same
 * shapes when /usr/bin/python3 has torch. Then float64 beside float32 for every engine that computes
 * float64 (onnxruntime's double graphs, js64), with data handed over as Float64Arrays, and the ratio
 * (docs/float64.md: target ≤ 2.5× on onnxruntime); `--float64` prints that table alone. Prints; asserts
 * nothing (the machine is shared and noisy).
 */
import { median } from '../app/train/stats';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { availableEngines, formatReport, initEngine, loadTfjs } from '../app/engine/choice';
import { tfBackendOf, type TfjsEngineName } from '../app/engine/tfjs';
import type { ComputeEngine, Precision } from '../app/engine/engine';
import { createJsEngine } from '../app/engine/js';
import { buildMatMulGraph } from '../app/engine/onnx/graph';
import { onnxRuntime } from '../app/engine/onnx/runtime';
import { OnnxSession } from '../app/engine/onnx/session';
import { benchModels, flopsPerEvaluation, type BenchModel } from './models';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
/** Wall-time budget per measurement; the big model on the slow paths gets 1–3 repetitions. */
const BUDGET_MS = 1500;

interface Row {
  model: string;
  engine: string;
  ms: number;
  first: number;
  gflops: number;
  ceiling: number | null;
  speedup: number | null;
}

function measure(engine: ComputeEngine, m: BenchModel, precision: Precision = 'float32'): { ms: number; first: number } {
  const t0 = performance.now();
  const program = engine.compile(m.stack, precision);
  const data = precision === 'float64' ? program.upload(Float64Array.from(m.x), Float64Array.from(m.y), m.rows) : program.upload(m.x, m.y, m.rows);
  const g = new Float64Array(m.stack.parameterCount);
  program.valueAndGradient(m.theta, data, g);
  const first = performance.now() - t0;
  const times: number[] = [];
  const start = performance.now();
  // Passes slower than 5 s (plain JavaScript on the big model) are timed once: the ratio is what matters.
  const minimum = first > 5000 ? 1 : 3;
  while (times.length < minimum || (performance.now() - start < BUDGET_MS && times.length < 200)) {
    const t = performance.now();
    program.valueAndGradient(m.theta, data, g);
    times.push(performance.now() - t);
    if (times.length >= 2 && performance.now() - start > 4 * BUDGET_MS) break;
  }
  program.dispose();
  return { ms: median(times), first };
}

/**
 * Median ms of float32 and float64 on one engine, measured in alternating blocks of evaluations: the
 * machine's load drifts within seconds, and a ratio of two medians taken minutes apart measured the
 * drift as much as the precision.
 */
function measurePair(engine: ComputeEngine, m: BenchModel): { f32: number; f64: number; fastRatio: number } {
  const programs = (['float32', 'float64'] as const).map((precision) => {
    const program = engine.compile(m.stack, precision);
    const data = precision === 'float64' ? program.upload(Float64Array.from(m.x), Float64Array.from(m.y), m.rows) : program.upload(m.x, m.y, m.rows);
    const g = new Float64Array(m.stack.parameterCount);
    const run = () => program.valueAndGradient(m.theta, data, g);
    run();
    const t = performance.now();
    run();
    return { program, run, once: performance.now() - t, times: [] as number[] };
  });
  // Blocks of about 20 ms each, at least one evaluation.
  const block = Math.max(1, Math.round(20 / Math.max(...programs.map((p) => p.once))));
  const start = performance.now();
  while (programs[0].times.length < 6 || (performance.now() - start < 4 * BUDGET_MS && programs[0].times.length < 150)) {
    for (const p of programs) {
      const t = performance.now();
      for (let i = 0; i < block; i++) p.run();
      p.times.push((performance.now() - t) / block);
    }
  }
  for (const p of programs) p.program.dispose();
  // Load only ever adds time (preemption, a neighbour's cache traffic), so the fastest blocks are the
  // closest to what the graphs themselves cost.
  const fast = (t: number[]) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 10)];
  return { f32: median(programs[0].times), f64: median(programs[1].times), fastRatio: fast(programs[1].times) / fast(programs[0].times) };
}

/** The backend's plain matMul (no transposes) on the model's largest layer shape, in GFLOP/s. */
function tfjsMatMulCeiling(engineName: TfjsEngineName, m: BenchModel): number {
  const previous = tf.getBackend();
  void tf.setBackend(tfBackendOf(engineName));
  const big = largestLayer(m);
  const a = tf.randomUniform([m.rows, big.fanIn]);
  const b = tf.randomUniform([big.fanIn, big.units]);
  const run = () => {
    // Not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element.
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  const ms = timeRepeated(run);
  tf.dispose([a, b]);
  void tf.setBackend(previous);
  return (2 * m.rows * big.fanIn * big.units) / (ms * 1e6);
}

/** onnxruntime's MatMul on the model's largest layer shape, with the engine's threads, in GFLOP/s. */
function onnxMatMulCeiling(engine: ComputeEngine, m: BenchModel): number {
  const big = largestLayer(m);
  const { Tensor } = onnxRuntime();
  const session = new OnnxSession(buildMatMulGraph(m.rows, big.fanIn, big.units), { threads: engine.threads ?? 1 }, () => {});
  const a = new Tensor('float32', Float32Array.from({ length: m.rows * big.fanIn }, () => Math.random()), [m.rows, big.fanIn]);
  const b = new Tensor('float32', Float32Array.from({ length: big.fanIn * big.units }, () => Math.random()), [big.fanIn, big.units]);
  const ms = timeRepeated(() => session.run({ a, b }, { c: null }));
  session.dispose();
  return (2 * m.rows * big.fanIn * big.units) / (ms * 1e6);
}

function largestLayer(m: BenchModel) {
  return [...m.stack.layers].sort((a, b) => b.fanIn * b.units - a.fanIn * a.units)[0];
}

/** Median ms of fn after one warm-up call, within half the measurement budget. */
function timeRepeated(fn: () => void): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < BUDGET_MS / 2 && times.length < 200)) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

function torchFigures(models: BenchModel[]): { version: string; results: { name: string; threads: number; ms: number; first: number }[] } | null {
  if (!fs.existsSync(PYTHON)) return null;
  const arg = JSON.stringify(models.map((m) => ({ name: m.name, widths: m.widths, rows: m.rows })));
  const r = spawnSync(PYTHON, [path.join(here, 'torch_bench.py'), arg], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return null; // no torch: skipped silently
  try {
    const parsed = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { torch: string; results: { name: string; threads: number; ms: number; first: number }[] };
    return { version: parsed.torch, results: parsed.results };
  } catch {
    return null;
  }
}

const report = await initEngine();
console.log(formatReport(report));
const engines = await availableEngines();
const models = benchModels();
const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
// `--float64`: only the float64 vs float32 table (docs/float64.md), without the slow tfjs baselines.
if (!process.argv.includes('--float64')) {
  const baseline = await loadTfjs('wasm', 'autodiff');
  const rows: Row[] = [];
  for (const m of models) {
    const flops = flopsPerEvaluation(m.stack, m.rows);
    const base = measure(baseline, m);
    rows.push({ model: m.name, engine: 'wasm, autodiff (before issue 9)', ms: base.ms, first: base.first, gflops: flops / (base.ms * 1e6), ceiling: null, speedup: 1 });
    for (const engine of engines) {
      const r = measure(engine, m);
      const ceiling = engine.name === 'onnxruntime' ? onnxMatMulCeiling(engine, m) : engine.name === 'js64' ? null : tfjsMatMulCeiling(engine.name, m);
      rows.push({ model: m.name, engine: engine.label, ms: r.ms, first: r.first, gflops: flops / (r.ms * 1e6), ceiling, speedup: base.ms / r.ms });
    }
  }
  const torch = torchFigures(models);
  if (torch) {
    for (const t of torch.results) {
      const m = models.find((x) => x.name === t.name)!;
      const base = rows.find((r) => r.model === t.name && r.speedup === 1)!;
      const flops = flopsPerEvaluation(m.stack, m.rows);
      rows.push({ model: t.name, engine: `PyTorch ${torch.version} CPU, ${t.threads} thread${t.threads > 1 ? 's' : ''} (reference)`, ms: t.ms, first: t.first, gflops: flops / (t.ms * 1e6), ceiling: null, speedup: base.ms / t.ms });
    }
  }

  console.log('\nms per evaluation = one forward+backward (value and gradient of the training loss) on the full batch, median.');
  console.log('ceiling = the engine\'s own plain matMul on the largest layer shape; speed-up = over the autodiff wasm path in this run.\n');
  console.log('| model | engine | ms / evaluation | GFLOP/s | matmul ceiling GFLOP/s | speed-up | first evaluation ms |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.engine} | ${fmt(r.ms)} | ${fmt(r.gflops)} | ${fmt(r.ceiling)} | ${r.speedup === null ? '—' : r.speedup.toFixed(1) + '×'} | ${fmt(r.first, 1)} |`);
  }
}

// Float64 beside float32: each engine that computes float64, on the same models and θ.
const float64Engines = [...engines.filter((e) => e.precisions.includes('float64')), createJsEngine()];
console.log('\nfloat64 vs float32: ms per evaluation (median of alternating blocks where the engine has both), data uploaded as Float64Array for float64. Target on onnxruntime: ratio ≤ 2.5×.\n');
console.log('fastest = the ratio of the fastest tenth of the blocks (what the graphs cost, without the machine\'s load).\n');
console.log('| model | engine | float32 ms | float64 ms | float64 / float32 | fastest |');
console.log('|---|---|---:|---:|---:|---:|');
for (const m of models) {
  for (const engine of float64Engines) {
    const pair = engine.precisions.includes('float32') ? measurePair(engine, m) : null;
    const f64 = pair ? pair.f64 : measure(engine, m, 'float64').ms;
    const f32 = pair ? pair.f32 : null;
    console.log(`| ${m.name} | ${engine.label} | ${fmt(f32)} | ${fmt(f64)} | ${f32 === null ? '—' : (f64 / f32).toFixed(2) + '×'} | ${pair ? pair.fastRatio.toFixed(2) + '×' : '—'} |`);
  }
}
