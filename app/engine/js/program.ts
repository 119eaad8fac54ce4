/**
 * A dense stack compiled for the float64 JavaScript engine: forward and backward passes in flat
 * Float64Array loops (kernels.ts), a chunk of rows at a time so intermediates stay small and in
 * cache. Data is kept as Float64Arrays; float32 data handed to it widens exactly.
 */
import { huberDeltaOf, type DenseStack, type EngineDataset, type Floats, type GradientOptions, type StackProgram } from '../engine';
import { dropoutMask } from '../dropout';
import { activate, activationBackward, denseBackwardInput, denseBackwardParams, denseForward, outputLoss } from './kernels';

/** Rows per chunk: intermediates of a 256-unit layer stay within a few hundred kB. */
const CHUNK_ROWS = 256;

class JsDataset implements EngineDataset {
  live = true;
  constructor(
    readonly owner: JsStackProgram,
    readonly x: Float64Array,
    readonly y: Float64Array,
    readonly rows: number,
    /** Sample weights, or null for equal weights. */
    readonly weights: Float64Array | null,
    private readonly onDispose: (d: JsDataset) => void,
  ) {}

  dispose(): void {
    if (!this.live) return;
    this.live = false;
    this.onDispose(this);
  }
}

export class JsStackProgram implements StackProgram {
  readonly precision = 'float64' as const;
  private readonly datasets = new Set<JsDataset>();
  private readonly outputDim: number;
  private readonly maxUnits: number;
  /** Per layer: pre-activation z and activation a of one chunk (rows × units). */
  private readonly zs: Float64Array[];
  private readonly as: Float64Array[];
  /** Masked activations of hidden layers with dropout (the next layer's input). */
  private readonly hs: Float64Array[];
  private readonly g1: Float64Array;
  private readonly g2: Float64Array;
  private readonly rowLoss = new Float64Array(CHUNK_ROWS);
  private readonly xChunk: Float64Array;
  private readonly yChunk: Float64Array;
  private disposed = false;

  constructor(private readonly stack: DenseStack) {
    const L = stack.layers;
    this.outputDim = L[L.length - 1].units;
    this.maxUnits = Math.max(stack.inputDim, ...L.map((l) => l.units));
    this.zs = L.map((l) => new Float64Array(CHUNK_ROWS * l.units));
    this.as = L.map((l) => new Float64Array(CHUNK_ROWS * l.units));
    this.hs = L.map((l) => new Float64Array(l.dropout > 0 ? CHUNK_ROWS * l.units : 0));
    this.g1 = new Float64Array(CHUNK_ROWS * this.maxUnits);
    this.g2 = new Float64Array(CHUNK_ROWS * this.maxUnits);
    this.xChunk = new Float64Array(CHUNK_ROWS * stack.inputDim);
    this.yChunk = new Float64Array(CHUNK_ROWS * this.outputDim);
  }

  upload(x: Floats, y: Floats, rows: number, weights?: Float64Array): EngineDataset {
    this.assertLive();
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`js64 engine: a dataset needs a positive whole number of rows, got ${rows}`);
    if (x.length !== rows * this.stack.inputDim) throw new Error(`js64 engine: x has ${x.length} values; ${rows} rows × ${this.stack.inputDim} inputs need ${rows * this.stack.inputDim}`);
    if (y.length !== rows * this.outputDim) throw new Error(`js64 engine: y has ${y.length} values; ${rows} rows × ${this.outputDim} outputs need ${rows * this.outputDim}`);
    if (weights) {
      if (weights.length !== rows) throw new Error(`js64 engine: ${weights.length} sample weights for ${rows} rows`);
      for (let r = 0; r < rows; r++) if (!(weights[r] >= 0 && Number.isFinite(weights[r]))) throw new Error(`js64 engine: sample weight ${r} is ${weights[r]}; weights must be finite and non-negative`);
    }
    // Own copies (the caller may reuse its buffers); Float64Array.from widens float32 exactly.
    const d = new JsDataset(this, Float64Array.from(x), Float64Array.from(y), rows, weights ? Float64Array.from(weights) : null, (gone) => this.datasets.delete(gone));
    this.datasets.add(d);
    return d;
  }

  valueAndGradient(theta: Float64Array, data: EngineDataset, grad: Float64Array, options: GradientOptions = {}): number {
    const d = this.checkCall(theta, data);
    if (grad.length !== this.stack.parameterCount) throw new Error(`js64 engine: grad has length ${grad.length}, the model has ${this.stack.parameterCount} parameters`);
    if (options.rows && options.rows.length === 0) throw new Error('js64 engine: options.rows is empty');
    if (options.dropoutSeed !== undefined && !Number.isFinite(options.dropoutSeed)) throw new Error(`js64 engine: dropoutSeed must be a finite number, got ${options.dropoutSeed}`);
    grad.fill(0);
    return this.pass(theta, d, options.rows, options.dropoutSeed, grad, null);
  }

  predict(theta: Float64Array, data: EngineDataset): { loss: number; outputs: Float64Array } {
    const d = this.checkCall(theta, data);
    const outputs = new Float64Array(d.rows * this.outputDim);
    const loss = this.pass(theta, d, undefined, undefined, null, outputs);
    return { loss, outputs };
  }

  liveResources(): number {
    return this.datasets.size;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of [...this.datasets]) d.dispose();
  }

  /** One forward (and, with grad, backward) pass over the batch; returns the weighted mean loss. */
  private pass(theta: Float64Array, d: JsDataset, rows: Int32Array | undefined, dropoutSeed: number | undefined, grad: Float64Array | null, outputs: Float64Array | null): number {
    const { stack } = this;
    const layers = stack.layers;
    const last = layers.length - 1;
    const K = this.outputDim;
    const n = stack.inputDim;
    const batch = rows ? rows.length : d.rows;
    if (rows) for (let r = 0; r < rows.length; r++) if (!(rows[r] >= 0 && rows[r] < d.rows)) throw new Error(`js64 engine: options.rows[${r}] = ${rows[r]} is outside the dataset's ${d.rows} rows`);
    const masks = dropoutSeed === undefined || !grad ? [] : layers.map((l, i) => (i < last && l.dropout > 0 ? dropoutMask(dropoutSeed, i, batch, l.units, l.dropout, 'float64') : null));

    let weightSum = 0;
    const w = d.weights;
    for (let r = 0; r < batch; r++) weightSum += w ? w[rows ? rows[r] : r] : 1;
    // mse and binary cross-entropy average over every element, cross-entropy over rows.
    const scale = (stack.loss === 'softmax-crossentropy' ? 1 : 1 / K) / weightSum;

    let total = 0;
    for (let start = 0; start < batch; start += CHUNK_ROWS) {
      const m = Math.min(CHUNK_ROWS, batch - start);
      let x: Float64Array = d.x;
      let y: Float64Array = d.y;
      let xOff = start * n;
      let yOff = start * K;
      if (rows) {
        for (let r = 0; r < m; r++) {
          const row = rows[start + r];
          this.xChunk.set(d.x.subarray(row * n, row * n + n), r * n);
          this.yChunk.set(d.y.subarray(row * K, row * K + K), r * K);
        }
        x = this.xChunk;
        y = this.yChunk;
        xOff = 0;
        yOff = 0;
      }
      // Forward; inputs[i] is layer i's input (x, an activation, or a masked activation).
      const inputs: Float64Array[] = [];
      const inputOffsets: number[] = [];
      let h = x;
      let hOff = xOff;
      layers.forEach((l, i) => {
        inputs.push(h);
        inputOffsets.push(hOff);
        denseForward(h, hOff, m, l.fanIn, l.units, theta, l.kernelOffset, l.biasOffset, this.zs[i]);
        activate(l.activation, this.zs[i], this.as[i], m, l.units);
        h = this.as[i];
        hOff = 0;
        const mask = masks[i];
        if (mask) {
          const hm = this.hs[i];
          const base = start * l.units;
          for (let k = 0; k < m * l.units; k++) hm[k] = this.as[i][k] * mask[base + k];
          h = hm;
        }
      });
      const out = layers[last];
      outputLoss(stack.loss, out.activation, this.zs[last], this.as[last], y, yOff, m, K, this.rowLoss, grad ? this.g1 : null, huberDeltaOf(stack));
      for (let r = 0; r < m; r++) total += (w ? w[rows ? rows[start + r] : start + r] : 1) * this.rowLoss[r];
      if (outputs) outputs.set(this.as[last].subarray(0, m * K), start * K);
      if (!grad) continue;
      let dz: Float64Array = this.g1;

      for (let r = 0; r < m; r++) {
        const f = scale * (w ? w[rows ? rows[start + r] : start + r] : 1);
        for (let j = 0; j < K; j++) dz[r * K + j] *= f;
      }
      for (let i = last; i >= 0; i--) {
        const l = layers[i];
        denseBackwardParams(inputs[i], inputOffsets[i], m, l.fanIn, l.units, dz, grad, l.kernelOffset, l.biasOffset);
        if (i === 0) break;
        const dh: Float64Array = dz === this.g1 ? this.g2 : this.g1;
        denseBackwardInput(dz, m, l.fanIn, l.units, theta, l.kernelOffset, dh);
        const prev = layers[i - 1];
        const mask = masks[i - 1];
        if (mask) {
          const base = start * prev.units;
          for (let k = 0; k < m * prev.units; k++) dh[k] *= mask[base + k];
        }
        activationBackward(prev.activation, this.zs[i - 1], this.as[i - 1], dh, m, prev.units);
        dz = dh;
      }
    }
    return total * scale;
  }

  private checkCall(theta: Float64Array, data: EngineDataset): JsDataset {
    this.assertLive();
    if (!(data instanceof JsDataset) || data.owner !== this) throw new Error('js64 engine: the dataset was not uploaded by this program');
    if (!data.live) throw new Error('js64 engine: the dataset was disposed');
    if (theta.length !== this.stack.parameterCount) throw new Error(`js64 engine: θ has length ${theta.length}, the model has ${this.stack.parameterCount} parameters`);
    return data;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('js64 engine: the program was disposed');
  }
}
