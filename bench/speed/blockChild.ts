/**
 * One measurement for `npm run bench -- load`'s block rows, in its own process so its peak RSS is
 * its own: a 10⁶ × 10 float32 dataset through the onnxruntime program of the bench's 10-16-1 tanh
 * model (1 thread), evaluated whole or in row blocks. Prints JSON: ms per value+gradient, peak RSS.
 */
import type { DenseStack } from '../../app/engine/engine';
import { OnnxStackProgram } from '../../app/engine/onnx/program';
import { defaultRowBlocking, UNBLOCKED } from '../../app/engine/onnx/rowBlocks';
import { seededRandom } from '../../app/util/random';

const [mode, rowsArg, evalsArg, blockArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 1_000_000);
const evals = Number(evalsArg ?? 10);
const inputs = 10;
const hidden = 16;
const stack: DenseStack = {
  inputDim: inputs,
  layers: [
    { fanIn: inputs, units: hidden, activation: 'tanh', dropout: 0, kernelOffset: 0, biasOffset: inputs * hidden },
    { fanIn: hidden, units: 1, activation: 'linear', dropout: 0, kernelOffset: inputs * hidden + hidden, biasOffset: inputs * hidden + 2 * hidden },
  ],
  loss: 'mse',
  parameterCount: inputs * hidden + 2 * hidden + 1,
};
const rand = seededRandom(5);
const x = new Float32Array(rows * inputs).map(() => 2 * rand() - 1);
const y = new Float32Array(rows).map((_, r) => Math.sin(3 * x[r * inputs]) + x[r * inputs + 1] * x[r * inputs + 2]);
const theta = new Float64Array(stack.parameterCount).map(() => 0.3 * (rand() - 0.5));
const defaults = defaultRowBlocking(stack, 'float32');
const blocking = mode === 'whole' ? UNBLOCKED : { ...defaults, ...(blockArg ? { blockRows: Number(blockArg) } : {}) };
const program = new OnnxStackProgram(stack, { threads: 1 }, 'float32', blocking);
const data = program.upload(x, y, rows);
const grad = new Float64Array(stack.parameterCount);
program.valueAndGradient(theta, data, grad);
const t0 = performance.now();
let loss = 0;
for (let e = 0; e < evals; e++) {
  theta[e % theta.length] += 1e-3;
  loss = program.valueAndGradient(theta, data, grad);
}
const ms = (performance.now() - t0) / evals;
console.log(JSON.stringify({ mode, blockRows: mode === 'whole' ? rows : blocking.blockRows, ms, loss, peakMb: process.resourceUsage().maxRSS / 1024 }));
program.dispose();
