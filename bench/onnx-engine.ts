/**
 * onnxruntime engine: ms per full-batch forward+backward (valueAndGradient) at 1 and 2 intra-op
 * threads for the three issue-9 models, the first evaluation (graph build + session create + first
 * run), the synchronous native path against onnxruntime-node's public async run, and — when
 * /usr/bin/python3 has torch — PyTorch's forward+backward for the same shapes, measured in the same
 * run and interleaved with ours so machine load hits both alike.
 *
 *   npx tsx bench/onnx-engine.ts [--quick]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DenseStack } from '../app/engine/engine';
import { createOnnxEngine, onnxUnavailableReason } from '../app/engine/onnx';
import { buildGraph, parameterBlocks } from '../app/engine/onnx/graph';
import { sessionOptions } from '../app/engine/onnx/session';
import { median } from '../app/train/stats';

const quick = process.argv.includes('--quick');

interface Case {
  name: string;
  widths: number[];
  rows: number;
}
const CASES: Case[] = [
  { name: '64-64-10', widths: [64, 64, 10], rows: 1437 },
  { name: '10-64-64-10', widths: [10, 64, 64, 10], rows: 1500 },
  { name: '784-256-256-10', widths: [784, 256, 256, 10], rows: 10_000 },
];

function stackOf(c: Case): DenseStack {
  let offset = 0;
  const layers = c.widths.slice(1).map((units, i) => {
    const fanIn = c.widths[i];
    const kernelOffset = offset;
    offset += fanIn * units;
    const biasOffset = offset;
    offset += units;
    return { fanIn, units, activation: i === c.widths.length - 2 ? ('softmax' as const) : ('tanh' as const), dropout: 0, kernelOffset, biasOffset };
  });
  return { inputDim: c.widths[0], layers, loss: 'softmax-crossentropy', parameterCount: offset };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

function problem(stack: DenseStack, rows: number) {
  const rand = rng(1);
  const K = stack.layers[stack.layers.length - 1].units;
  const x = Float32Array.from({ length: rows * stack.inputDim }, () => rand() * 2 - 1);
  const y = new Float32Array(rows * K);
  for (let r = 0; r < rows; r++) y[r * K + Math.floor(rand() * K)] = 1;
  const theta = new Float64Array(stack.parameterCount);
  for (const l of stack.layers) {
    const lim = Math.sqrt(6 / (l.fanIn + l.units));
    for (let k = 0; k < l.fanIn * l.units; k++) theta[l.kernelOffset + k] = (rand() * 2 - 1) * lim;
  }
  return { x, y, theta };
}

/** Wall-clock and CPU (all threads of the process) ms per call. */
interface Timing {
  ms: number;
  cpu: number;
}

function timeBlock(fn: () => void, reps: number): Timing {
  const c = process.cpuUsage();
  const t = performance.now();
  for (let k = 0; k < reps; k++) fn();
  const ms = (performance.now() - t) / reps;
  const used = process.cpuUsage(c);
  return { ms, cpu: (used.user + used.system) / 1000 / reps };
}

/** Median of `blocks` timings of `reps` calls each, in ms per call. */
function timeIt(fn: () => void, reps: number, blocks: number): number {
  fn();
  const per: number[] = [];
  for (let b = 0; b < blocks; b++) {
    const t = performance.now();
    for (let k = 0; k < reps; k++) fn();
    per.push((performance.now() - t) / reps);
  }
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}

function repsFor(rows: number, width: number): number {
  const scale = rows * width;
  return quick ? Math.max(2, Math.round(4e5 / scale)) : Math.max(3, Math.round(2e6 / scale));
}

/** A PyTorch process that runs one timed block of `reps` forward+backward passes per stdin line. */
const TORCH = String.raw`
import json, sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
widths = [int(w) for w in sys.argv[2].split('-')]
rows = int(sys.argv[3])
g = torch.Generator().manual_seed(1)
x = torch.rand(rows, widths[0], generator=g) * 2 - 1
y = torch.randint(0, widths[-1], (rows,), generator=g)
params = []
for a, b in zip(widths[:-1], widths[1:]):
    lim = (6 / (a + b)) ** 0.5
    params += [((torch.rand(a, b, generator=g) * 2 - 1) * lim).requires_grad_(), torch.zeros(b, requires_grad=True)]
def step():
    h = x
    n = len(params) // 2
    for i in range(n):
        z = torch.addmm(params[2 * i + 1], h, params[2 * i])
        h = torch.tanh(z) if i < n - 1 else z
    loss = torch.nn.functional.cross_entropy(h, y)
    grads = torch.autograd.grad(loss, params)
    return loss.item(), torch.cat([g_.reshape(-1) for g_ in grads]).numpy()
step()
print(json.dumps({"ready": torch.__version__}), flush=True)
for line in sys.stdin:
    reps = int(line)
    t, c = time.perf_counter(), time.process_time()
    for _ in range(reps): step()
    print(json.dumps({"ms": (time.perf_counter() - t) / reps * 1000, "cpu": (time.process_time() - c) / reps * 1000}), flush=True)
`;

/** Starts PyTorch for one shape and thread count; OpenBLAS reads its thread count from the env at load. */
async function startTorch(c: Case, threads: number): Promise<{ block: (reps: number) => Promise<Timing>; close: () => void } | null> {
  const child = spawn('/usr/bin/python3', ['-c', TORCH, String(threads), c.widths.join('-'), String(c.rows)], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number | string> | null> => {
    const r = await lines.next();
    return r.done ? null : (JSON.parse(r.value) as Record<string, number | string>);
  };
  if (!(await next())) return null;
  return {
    block: async (reps) => {
      child.stdin.write(`${reps}\n`);
      const r = await next();
      return { ms: Number(r?.ms), cpu: Number(r?.cpu) };
    },
    close: () => child.stdin.end(),
  };
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(3) : ms.toFixed(1));

async function main(): Promise<void> {
  const loadStart = performance.now();
  const reason = onnxUnavailableReason(); // loads onnxruntime-node's native library, once per process
  const loadMs = performance.now() - loadStart;
  if (reason) {
    console.log(`onnxruntime engine unavailable: ${reason}`);
    return;
  }
  const engine1 = createOnnxEngine({ threads: 1 });
  const engine2 = createOnnxEngine({ threads: 2 });
  const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  const blocks = quick ? 3 : 7;
  console.log(`${engine1.label}; onnxruntime-node load (once per process) ${loadMs.toFixed(0)} ms; torch: ${hasTorch ? 'yes' : 'no'}`);
  console.log('Wall ms are medians of blocks alternated with PyTorch\'s; CPU ms (all threads) are steadier on a busy machine.');
  console.log('model (rows) | threads | onnx ms/eval | torch ms/eval | onnx/torch | onnx CPU ms | torch CPU ms | CPU ratio | first eval ms (build+session+run)');
  for (const c of CASES) {
    const stack = stackOf(c);
    const { x, y, theta } = problem(stack, c.rows);
    const grad = new Float64Array(stack.parameterCount);
    for (const [threads, engine] of [[1, engine1], [2, engine2]] as const) {
      const t0 = performance.now();
      const program = engine.compile(stack);
      const data = program.upload(x, y, c.rows);
      program.valueAndGradient(theta, data, grad);
      const first = performance.now() - t0;
      const reps = repsFor(c.rows, Math.max(...c.widths));
      // Alternate one block of ours with one of PyTorch's, so load changes hit both alike.
      const torch = hasTorch ? await startTorch(c, threads) : null;
      const ours: Timing[] = [];
      const theirs: Timing[] = [];
      program.valueAndGradient(theta, data, grad);
      for (let b = 0; b < blocks; b++) {
        ours.push(timeBlock(() => program.valueAndGradient(theta, data, grad), reps));
        if (torch) theirs.push(await torch.block(reps));
      }
      torch?.close();
      program.dispose();
      const ms = median(ours.map((t) => t.ms));
      const cpu = median(ours.map((t) => t.cpu));
      const torchMs = theirs.length ? median(theirs.map((t) => t.ms)) : NaN;
      const torchCpu = theirs.length ? median(theirs.map((t) => t.cpu)) : NaN;
      const ratio = theirs.length ? (ms / torchMs).toFixed(2) : '—';
      const cpuRatio = theirs.length ? (cpu / torchCpu).toFixed(2) : '—';
      console.log(
        `${c.name} (${c.rows}) | ${threads} | ${fmt(ms)} | ${theirs.length ? fmt(torchMs) : '—'} | ${ratio} | ` +
          `${fmt(cpu)} | ${theirs.length ? fmt(torchCpu) : '—'} | ${cpuRatio} | ${first.toFixed(0)}`,
      );
    }
  }
  await syncPathCost();
}

/**
 * The same gradient graph through onnxruntime-node's public API (await session.run per call) next
 * to the engine's synchronous native path: the price of the async wrapper per evaluation.
 */
async function syncPathCost(): Promise<void> {
  const ort = (await import('onnxruntime-node')) as typeof import('onnxruntime-node');
  const c = CASES[0];
  const stack = stackOf(c);
  const { x, y, theta } = problem(stack, c.rows);
  const bytes = buildGraph(stack, 'gradient');
  const session = await ort.InferenceSession.create(bytes, sessionOptions({ threads: 1 }) as import('onnxruntime-node').InferenceSession.SessionOptions);
  const theta32 = Float32Array.from(theta);
  const feeds: Record<string, import('onnxruntime-node').Tensor> = {
    x: new ort.Tensor('float32', x, [c.rows, stack.inputDim]),
    y: new ort.Tensor('float32', y, [c.rows, 10]),
  };
  for (const b of parameterBlocks(stack)) feeds[b.input] = new ort.Tensor('float32', theta32.subarray(b.offset, b.offset + b.size), b.dims);
  const program = createOnnxEngine({ threads: 1 }).compile(stack);
  const data = program.upload(x, y, c.rows);
  const grad = new Float64Array(stack.parameterCount);
  const reps = quick ? 100 : 300;
  await session.run(feeds);
  program.valueAndGradient(theta, data, grad);
  const sync: Timing[] = [];
  const async: Timing[] = [];
  // Alternate blocks so load changes hit both paths alike.
  for (let b = 0; b < (quick ? 3 : 7); b++) {
    sync.push(timeBlock(() => program.valueAndGradient(theta, data, grad), reps));
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    for (let k = 0; k < reps; k++) await session.run(feeds);
    const used = process.cpuUsage(cpu0);
    async.push({ ms: (performance.now() - t) / reps, cpu: (used.user + used.system) / 1000 / reps });
  }
  await session.release();
  program.dispose();
  const m = (v: Timing[], k: keyof Timing): string => fmt(median(v.map((t) => t[k])));
  console.log(
    `sync path, ${c.name} (${c.rows} rows), 1 thread, wall (CPU) ms per evaluation: engine valueAndGradient on the native binding, ` +
      `incl. θ→float32 and the ∇ copy, ${m(sync, 'ms')} (${m(sync, 'cpu')}); public async InferenceSession.run, awaited, ` +
      `no θ/∇ copies, ${m(async, 'ms')} (${m(async, 'cpu')})`,
  );
}

await main();
