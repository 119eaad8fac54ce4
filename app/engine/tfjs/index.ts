/**
 * The tfjs engine: one ComputeEngine per tfjs backend (tensorflow-gpu / tensorflow → tfjs-node's
 * 'tensorflow', wasm, cpu). tfjs has one active backend per process; a program switches to its own
 * backend before each call (synchronous once the backend is initialised, which loadTfjsBackend does),
 * so wasm and cpu programs can live side by side in tests and the bench.
 */
import * as tf from '@tensorflow/tfjs';
import { asFloat32, checkWeights, normalizedWeights, type ComputeEngine, type DenseStack, type EngineDataset, type EngineName, type Floats, type GradientOptions, type StackProgram } from '../engine';
import { autodiffValueAndGradient, applyActivation, lossFromLogits, logits } from './autodiff';
import { fastPredict, fastValueAndGradient, type FastOptions, type LayerParams } from './fast';

export type TfjsEngineName = Exclude<EngineName, 'onnxruntime' | 'js64'>;
/** 'fast': hand-written dense backward (default); 'autodiff': tf.valueAndGrad, the original path. */
export type TfjsPath = 'fast' | 'autodiff';

export interface TfjsEngineOptions {
  path?: TfjsPath;
}

/** The tfjs backend id an engine name runs on. */
export function tfBackendOf(name: TfjsEngineName): string {
  return name === 'tensorflow-gpu' || name === 'tensorflow' ? 'tensorflow' : name;
}

class TfjsDataset implements EngineDataset {
  disposed = false;
  constructor(
    readonly x: tf.Tensor2D,
    readonly y: tf.Tensor2D,
    /** Xᵀ for the first layer's ∂W on full-batch evaluations (fast path only). */
    readonly xT: tf.Tensor2D | null,
    readonly rows: number,
    private readonly owner: TfjsProgram,
    /** Sample weights as given, and scaled to mean 1 over all rows (rows × 1). */
    readonly weights: Float64Array | null = null,
    readonly w: tf.Tensor2D | null = null,
  ) {}
  tensors(): tf.Tensor[] {
    return [this.x, this.y, ...(this.xT ? [this.xT] : []), ...(this.w ? [this.w] : [])];
  }
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.owner.release(this);
  }
}

class TfjsProgram implements StackProgram {
  readonly precision = 'float32' as const;
  private readonly theta32: Float32Array;
  private readonly datasets = new Set<TfjsDataset>();
  private readonly outputs: number;
  /** θ offset of each gradient piece, in the order the tensors concatenate them. */
  private readonly pieces: { offset: number; length: number }[] = [];
  private disposed = false;

  constructor(
    private readonly stack: DenseStack,
    private readonly backend: string,
    private readonly path: TfjsPath,
    private readonly fast: FastOptions,
  ) {
    this.theta32 = new Float32Array(stack.parameterCount);
    this.outputs = stack.layers[stack.layers.length - 1].units;
    for (const l of stack.layers) {
      this.pieces.push({ offset: l.kernelOffset, length: l.fanIn * l.units });
      if (l.biasOffset >= 0) this.pieces.push({ offset: l.biasOffset, length: l.units });
    }
  }

  upload(x: Floats, y: Floats, rows: number, weights?: Float64Array): EngineDataset {
    this.use();
    checkWeights(weights, rows);
    if (x.length !== rows * this.stack.inputDim) throw new Error(`engine: x has ${x.length} values, expected ${rows} × ${this.stack.inputDim}`);
    if (y.length !== rows * this.outputs) throw new Error(`engine: y has ${y.length} values, expected ${rows} × ${this.outputs}`);
    const X = tf.tensor2d(asFloat32(x), [rows, this.stack.inputDim], 'float32');
    const Y = tf.tensor2d(asFloat32(y), [rows, this.outputs], 'float32');
    const XT = this.path === 'fast' && rows > 0 ? tf.transpose(X) : null;
    const kept = weights ? Float64Array.from(weights) : null;
    const W = kept ? tf.tensor2d(asFloat32(normalizedWeights(kept)), [rows, 1], 'float32') : null;
    const d = new TfjsDataset(X, Y, XT, rows, this, kept, W);
    this.datasets.add(d);
    return d;
  }

  valueAndGradient(theta: Float64Array, data: EngineDataset, grad: Float64Array, options: GradientOptions = {}): number {
    const d = this.check(data);
    this.theta32.set(theta);
    const out = tf.tidy(() => {
      let x = d.x;
      let y = d.y;
      let xT = d.xT ?? undefined;
      let w = d.w;
      if (options.rows) {
        const idx = tf.tensor1d(options.rows, 'int32');
        x = tf.gather(x, idx);
        y = tf.gather(y, idx);
        xT = undefined;
        // A minibatch's weights are rescaled to mean 1 over its own rows.
        if (d.weights) w = tf.tensor2d(asFloat32(normalizedWeights(d.weights, options.rows)), [options.rows.length, 1], 'float32');
      }
      if (this.path === 'autodiff') {
        return autodiffValueAndGradient(this.stack, tf.tensor1d(this.theta32, 'float32'), x, y, options.dropoutSeed, w);
      }
      return fastValueAndGradient(this.stack, this.params(), x, y, this.fast, xT, options.dropoutSeed, w);
    });
    const values = out.dataSync() as Float32Array;
    out.dispose();
    if (this.path === 'autodiff') {
      for (let i = 0; i < grad.length; i++) grad[i] = values[i + 1];
    } else {
      let at = 1;
      for (const p of this.pieces) {
        for (let k = 0; k < p.length; k++) grad[p.offset + k] = values[at + k];
        at += p.length;
      }
    }
    return values[0];
  }

  predict(theta: Float64Array, data: EngineDataset): { loss: number; outputs: Float32Array } {
    const d = this.check(data);
    this.theta32.set(theta);
    const out = tf.tidy(() => {
      if (this.path === 'fast') return fastPredict(this.stack, this.params(), d.x, d.y, this.fast, d.w);
      const z = logits(this.stack, tf.tensor1d(this.theta32, 'float32'), d.x);
      const act = this.stack.layers[this.stack.layers.length - 1].activation;
      const loss = lossFromLogits(z, d.y, this.stack.loss, act, { w: d.w, huberDelta: this.stack.huberDelta });
      return tf.concat([tf.reshape(loss, [1]), tf.reshape(applyActivation(z, act), [-1])]) as tf.Tensor1D;
    });
    const values = out.dataSync() as Float32Array;
    out.dispose();
    return { loss: values[0], outputs: values.slice(1) };
  }

  liveResources(): number {
    let n = 0;
    for (const d of this.datasets) n += d.tensors().length;
    return n;
  }

  release(d: TfjsDataset): void {
    if (this.datasets.delete(d)) tf.dispose(d.tensors());
  }

  dispose(): void {
    if (this.disposed) return;
    for (const d of [...this.datasets]) d.dispose();
    this.disposed = true;
  }

  /** Per-layer tensors straight from the float32 copy of θ (no slice kernels). Inside tf.tidy. */
  private params(): LayerParams[] {
    return this.stack.layers.map((l) => ({
      W: tf.tensor2d(this.theta32.subarray(l.kernelOffset, l.kernelOffset + l.fanIn * l.units), [l.fanIn, l.units], 'float32'),
      b: l.biasOffset >= 0 ? tf.tensor1d(this.theta32.subarray(l.biasOffset, l.biasOffset + l.units), 'float32') : null,
    }));
  }

  private check(data: EngineDataset): TfjsDataset {
    if (this.disposed) throw new Error('engine: program used after dispose()');
    if (!(data instanceof TfjsDataset) || !this.datasets.has(data)) throw new Error('engine: dataset was not uploaded by this program, or is disposed');
    this.use();
    return data;
  }

  /** Make this program's backend the active one (synchronous: it is already initialised). */
  private use(): void {
    if (tf.getBackend() !== this.backend) void tf.setBackend(this.backend);
    if (tf.getBackend() !== this.backend) throw new Error(`engine: tfjs backend ${this.backend} is not initialised`);
  }
}

export function tfjsEngine(name: TfjsEngineName, label: string, options: TfjsEngineOptions = {}): ComputeEngine {
  const backend = tfBackendOf(name);
  const path = options.path ?? 'fast';
  // Only WebAssembly's Tanh is the slow scalar loop; elsewhere the native kernel is as fast and exact.
  const fast: FastOptions = { tanhViaSigmoid: backend === 'wasm' };
  return {
    name,
    label: path === 'autodiff' ? `${label}, autodiff path` : label,
    // tfjs has no float64 kernels: a float64 run is refused here, never computed in float32.
    precisions: ['float32'],
    compile: (stack, precision = 'float32') => {
      if (precision !== 'float32') throw new Error(`tfjs (${name}) computes float32 only; float64 runs need onnxruntime or the float64 JavaScript engine`);
      return new TfjsProgram(stack, backend, path, fast);
    },
  };
}
