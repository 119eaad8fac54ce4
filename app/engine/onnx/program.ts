/**
 * A dense stack compiled for onnxruntime in one precision: lazily created sessions (gradient,
 * gradient with dropout masks, forward), resident datasets, and the host side of every evaluation —
 * θ copied (float32: rounded) into one buffer whose per-parameter views are the graph inputs (no copy
 * per parameter), one flat gradient output copied into the caller's Float64Array. A float64 program
 * keeps data, θ, masks and outputs in Float64Arrays end to end.
 *
 * Data is fed on every run, but as tensors made once per dataset: the binding wraps their memory
 * without copying (a big input costs no more per run than a 1-row one; bench/README.md), and the
 * node API has no I/O binding to make inputs resident.
 */
import { checkWeights, normalizedWeights, type DenseStack, type EngineDataset, type Floats, type GradientOptions, type Precision, type StackProgram } from '../engine';
import { dropoutMask } from '../dropout';
import { buildGraph, dropoutLayers, INPUT_W, INPUT_X, INPUT_Y, maskInput, OUTPUT_GRAD, OUTPUT_LOSS, OUTPUT_PREDICTIONS, parameterBlocks, type GraphKind } from './graph';
import {
  buildJacobianGraph,
  INPUT_ROOT_WEIGHTS,
  jacobianGraphRefusal,
  OUTPUT_JACOBIAN,
  OUTPUT_JTE,
  OUTPUT_JTJ,
  OUTPUT_RESIDUALS,
  ELEMENT_DOUBLE,
  ELEMENT_FLOAT,
  type ElementType,
  type JacobianGraphKind,
} from './jacobianGraph';
import { buildProductGraph, directionInput, INPUT_WEIGHTS as PRODUCT_WEIGHTS, OUTPUT_HV, type ProductKind } from './hvpGraph';
import { onnxRuntime, type OrtTensor, type OrtElement } from './runtime';
import { defaultRowBlocking, rowBlocks, type RowBlocking } from './rowBlocks';

export { dropoutMask } from '../dropout';

/** Typed-array constructor and onnxruntime tensor type of a precision. */
function arrays(precision: Precision): { Array: Float32ArrayConstructor | Float64ArrayConstructor; type: OrtElement } {
  return precision === 'float64' ? { Array: Float64Array, type: 'float64' } : { Array: Float32Array, type: 'float32' };
}
import { OnnxSession, type SessionSettings } from './session';

/** The rows one evaluation covers: a whole dataset (with its resident tensors) or gathered rows. */
interface Batch {
  rows: number;
  x: Floats;
  y: Floats;
  /** Sample weights scaled to mean 1 over the batch (weighted datasets only). */
  w?: Floats;
  /** Feeds of the whole batch, when it is a resident dataset. */
  whole?: Record<string, OrtTensor>;
}

class OnnxDataset implements EngineDataset {
  readonly x: Floats;
  readonly y: Floats;
  readonly xTensor: OrtTensor;
  readonly yTensor: OrtTensor;
  /** Sample weights as given, and scaled to mean 1 over all rows (the full-batch feed). */
  readonly weights?: Float64Array;
  readonly w?: Floats;
  readonly wTensor?: OrtTensor;
  private live = true;

  constructor(
    readonly owner: OnnxStackProgram,
    x: Floats,
    y: Floats,
    readonly rows: number,
    inputDim: number,
    outputDim: number,
    precision: Precision,
    private readonly onDispose: (d: OnnxDataset) => void,
    weights?: Float64Array,
  ) {
    // Arrays already in the program's precision are read in place (StackProgram.upload: callers
    // leave them unchanged): a second host copy of a big training set would only add to the peak.
    // Others are converted once; float64 data is never rounded through float32.
    const { Array, type } = arrays(precision);
    this.x = x instanceof Array ? x : Array.from(x);
    this.y = y instanceof Array ? y : Array.from(y);
    const { Tensor } = onnxRuntime();
    this.xTensor = new Tensor(type, this.x, [rows, inputDim]);
    this.yTensor = new Tensor(type, this.y, [rows, outputDim]);
    if (weights) {
      this.weights = Float64Array.from(weights);
      this.w = normalizedWeights(this.weights, undefined, precision);
      this.wTensor = new Tensor(type, this.w, [rows, 1]);
    }
  }

  get isLive(): boolean {
    return this.live;
  }

  dispose(): void {
    if (!this.live) return;
    this.live = false;
    this.onDispose(this);
  }
}

export class OnnxStackProgram implements StackProgram {
  private readonly thetaBuffer: Floats;
  private readonly parameterFeeds: Record<string, OrtTensor> = {};
  /**
   * Preallocated outputs of the gradient graphs: onnxruntime writes into them, so an evaluation
   * allocates no gradient buffer for the garbage collector to chase (one per line-search trial).
   */
  private readonly gradientFetches: Record<string, OrtTensor>;
  private readonly sessions = new Map<string, OnnxSession>();
  private readonly jacobianSessions = new Map<JacobianGraphKind, OnnxSession>();
  /** Hv / Gv graphs (app/engine/onnx/hvpGraph.ts), built on first use. */
  private readonly productSessions = new Map<string, OnnxSession>();
  /** The direction v in the program's precision, with per-block views fed like θ's. */
  private readonly vBuffer: Floats;
  private readonly directionFeeds: Record<string, OrtTensor> = {};
  private readonly datasets = new Set<OnnxDataset>();
  private readonly masked: number[];
  private readonly outputDim: number;
  private disposed = false;

  /**
   * `blocking` says which batches run in row blocks (rowBlocks.ts): by default those over 2¹⁶ rows,
   * in blocks sized to the device's memory budget; tests pass small blocks to compare with one run.
   */
  constructor(
    private readonly stack: DenseStack,
    private readonly settings: SessionSettings,
    readonly precision: Precision = 'float32',
    private readonly blocking: RowBlocking = defaultRowBlocking(stack, precision, settings.device),
  ) {
    if (!(blocking.blockRows >= 1 && blocking.thresholdRows >= 0) || !(Number.isInteger(blocking.blockRows) || blocking.blockRows === Infinity)) {
      throw new Error(`onnxruntime engine: row blocks need a whole number of rows ≥ 1, got ${blocking.blockRows}`);
    }
    const blocks = parameterBlocks(stack); // also validates the stack's layout
    const { Array, type } = arrays(precision);
    this.thetaBuffer = new Array(stack.parameterCount);
    const { Tensor } = onnxRuntime();
    for (const b of blocks) this.parameterFeeds[b.input] = new Tensor(type, this.thetaBuffer.subarray(b.offset, b.offset + b.size), b.dims);
    this.vBuffer = new Array(stack.parameterCount);
    for (const b of blocks) this.directionFeeds[directionInput(b.input)] = new Tensor(type, this.vBuffer.subarray(b.offset, b.offset + b.size), b.dims);
    this.gradientFetches = {
      [OUTPUT_LOSS]: new Tensor(type, new Array(1), []),
      [OUTPUT_GRAD]: new Tensor(type, new Array(stack.parameterCount), [stack.parameterCount]),
    };
    this.masked = dropoutLayers(stack);
    this.outputDim = stack.layers[stack.layers.length - 1].units;
  }

  upload(x: Floats, y: Floats, rows: number, weights?: Float64Array): EngineDataset {
    this.assertLive();
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`onnxruntime engine: a dataset needs a positive whole number of rows, got ${rows}`);
    if (x.length !== rows * this.stack.inputDim) {
      throw new Error(`onnxruntime engine: x has ${x.length} values; ${rows} rows × ${this.stack.inputDim} inputs need ${rows * this.stack.inputDim}`);
    }
    if (y.length !== rows * this.outputDim) {
      throw new Error(`onnxruntime engine: y has ${y.length} values; ${rows} rows × ${this.outputDim} outputs need ${rows * this.outputDim}`);
    }
    checkWeights(weights, rows);
    const d = new OnnxDataset(this, x, y, rows, this.stack.inputDim, this.outputDim, this.precision, (gone) => this.datasets.delete(gone), weights);
    this.datasets.add(d);
    return d;
  }

  valueAndGradient(theta: Float64Array, data: EngineDataset, grad: Float64Array, options: GradientOptions = {}): number {
    const d = this.checkCall(theta, data);
    if (grad.length !== this.stack.parameterCount) {
      throw new Error(`onnxruntime engine: grad has length ${grad.length}, the model has ${this.stack.parameterCount} parameters`);
    }
    const batch = this.batch(d, options.rows);
    let kind: GraphKind = 'gradient';
    const masks: Array<{ input: string; units: number; mask: Floats }> = [];
    if (options.dropoutSeed !== undefined && this.masked.length > 0) {
      if (!Number.isFinite(options.dropoutSeed)) throw new Error(`onnxruntime engine: dropoutSeed must be a finite number, got ${options.dropoutSeed}`);
      kind = 'gradient-dropout';
      // Drawn for the whole batch, then sliced: a block drops the units the whole batch would.
      for (const i of this.masked) {
        const l = this.stack.layers[i];
        masks.push({ input: maskInput(i), units: l.units, mask: dropoutMask(options.dropoutSeed, i, batch.rows, l.units, l.dropout, this.precision) });
      }
    }
    const session = this.session(kind, d.weights !== undefined);
    const lossOut = this.gradientFetches[OUTPUT_LOSS].data as Floats;
    const gradOut = this.gradientFetches[OUTPUT_GRAD].data as Floats;
    const blocks = rowBlocks(batch.rows, this.blocking);
    if (blocks.length > 1) grad.fill(0);
    const { Tensor } = onnxRuntime();
    const { type } = arrays(this.precision);
    let loss = 0;
    for (const [first, count] of blocks) {
      const feeds = { ...this.parameterFeeds, ...this.batchFeeds(batch, first, count) };
      for (const m of masks) feeds[m.input] = new Tensor(type, m.mask.subarray(first * m.units, (first + count) * m.units), [count, m.units]);
      session.run(feeds, this.gradientFetches);
      if (blocks.length === 1) {
        grad.set(gradOut);
        return lossOut[0];
      }
      // Each block's graph averages over its own rows (weights already scaled over the batch):
      // its share of the batch mean is count/rows, summed in float64.
      const share = count / batch.rows;
      loss += share * lossOut[0];
      for (let k = 0; k < gradOut.length; k++) grad[k] += share * gradOut[k];
    }
    return loss;
  }

  predict(theta: Float64Array, data: EngineDataset): { loss: number; outputs: Floats } {
    const d = this.checkCall(theta, data);
    const batch = this.batch(d, undefined);
    const session = this.session('forward', d.wTensor !== undefined);
    const blocks = rowBlocks(batch.rows, this.blocking);
    const K = this.outputDim;
    const outputs = blocks.length > 1 ? new (arrays(this.precision).Array)(batch.rows * K) : undefined;
    let loss = 0;
    for (const [first, count] of blocks) {
      const out = session.run({ ...this.parameterFeeds, ...this.batchFeeds(batch, first, count) }, { [OUTPUT_LOSS]: null, [OUTPUT_PREDICTIONS]: null });
      const blockLoss = (out[OUTPUT_LOSS].data as Floats)[0];
      if (!outputs) return { loss: blockLoss, outputs: out[OUTPUT_PREDICTIONS].data as Floats };
      outputs.set(out[OUTPUT_PREDICTIONS].data as Floats, first * K);
      loss += (count / batch.rows) * blockLoss;
    }
    return { loss, outputs: outputs! };
  }

  /** out = ∇²f(θ)·v of the mean data loss, exact (R-operator graph), in the program's precision; returns f. */
  hessianVectorProduct(theta: Float64Array, data: EngineDataset, v: Float64Array, out: Float64Array): number {
    return this.product('hessian', theta, data, v, out);
  }

  /** out = G·v (generalized Gauss–Newton, positive semi-definite), in the program's precision; returns f. */
  gaussNewtonVectorProduct(theta: Float64Array, data: EngineDataset, v: Float64Array, out: Float64Array): number {
    return this.product('gauss-newton', theta, data, v, out);
  }

  private product(kind: ProductKind, theta: Float64Array, data: EngineDataset, v: Float64Array, out: Float64Array): number {
    const d = this.checkCall(theta, data);
    const n = this.stack.parameterCount;
    if (v.length !== n || out.length !== n) throw new Error(`onnxruntime engine: v and out need length ${n}, got ${v.length} and ${out.length}`);
    this.vBuffer.set(v);
    const weighted = d.weights !== undefined;
    const key = `${kind}${weighted ? '+weights' : ''}`;
    let session = this.productSessions.get(key);
    if (!session) {
      const element = this.precision === 'float64' ? 'double' : 'float';
      session = new OnnxSession(buildProductGraph(this.stack, kind, element, { weighted }), this.settings, () => this.productSessions.delete(key));
      this.productSessions.set(key, session);
    }
    const { Tensor } = onnxRuntime();
    const { Array, type } = arrays(this.precision);
    // This graph takes the weights as given and divides by their sum over its own rows.
    const weights = d.weights ? Array.from(d.weights) : undefined;
    const batch = this.batch(d, undefined);
    const blocks = rowBlocks(d.rows, this.blocking);
    let total = d.rows;
    if (d.weights && blocks.length > 1) {
      total = 0;
      for (const w of d.weights) total += w;
    }
    if (blocks.length > 1) out.fill(0);
    let loss = 0;
    for (const [first, count] of blocks) {
      let share = count / total;
      if (d.weights && blocks.length > 1) {
        let sum = 0;
        for (let k = first; k < first + count; k++) sum += d.weights[k];
        // A block of zero-weight rows adds nothing (its graph would divide 0 by 0).
        if (sum === 0) continue;
        share = sum / total;
      }
      const feeds: Record<string, OrtTensor> = { ...this.parameterFeeds, ...this.directionFeeds, ...this.batchFeeds(batch, first, count, false) };
      if (weights) feeds[PRODUCT_WEIGHTS] = new Tensor(type, weights.subarray(first, first + count), [count]);
      const result = session.run(feeds, { [OUTPUT_LOSS]: null, [OUTPUT_HV]: null });
      const hv = result[OUTPUT_HV].data as Floats;
      const blockLoss = (result[OUTPUT_LOSS].data as Floats)[0];
      if (blocks.length === 1) {
        out.set(hv);
        return blockLoss;
      }
      loss += share * blockLoss;
      for (let k = 0; k < n; k++) out[k] += share * hv[k];
    }
    return loss;
  }

  liveResources(): number {
    let live = this.datasets.size;
    for (const s of this.sessions.values()) if (s.live) live++;
    for (const s of this.jacobianSessions.values()) if (s.live) live++;
    for (const s of this.productSessions.values()) if (s.live) live++;
    return live;
  }

  releaseMemory(): void {
    // Each session's onDispose removes it from its map; the next pass of its kind creates it anew.
    for (const s of [...this.sessions.values(), ...this.jacobianSessions.values(), ...this.productSessions.values()]) s.dispose();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    for (const s of this.jacobianSessions.values()) s.dispose();
    this.jacobianSessions.clear();
    for (const s of [...this.productSessions.values()]) s.dispose();
    this.productSessions.clear();
    for (const d of [...this.datasets]) d.dispose();
  }

  /**
   * JᵀJ and Jᵀe over every row, accumulated in float64 from per-chunk float32 Gemm results (the
   * 'gauss-newton' graph: J of the chunk stays inside onnxruntime, JᵀJ is its Gemm with transA).
   * Chunks hold at most `chunkBytes` of float32 J. Σe² and Σw come back alongside.
   */
  gaussNewtonSystem(theta: Float64Array, data: EngineDataset, jtj: Float64Array, jte: Float64Array, options: { chunkBytes?: number } = {}): { sumSquares: number; weightSum: number } {
    const d = this.checkJacobianCall(theta, data);
    const n = this.stack.parameterCount;
    if (jtj.length !== n * n || jte.length !== n) throw new Error(`onnxruntime engine: jtj needs ${n * n} and jte ${n} entries`);
    jtj.fill(0);
    jte.fill(0);
    let sumSquares = 0;
    const chunk = this.chunkRows(options.chunkBytes);
    for (let first = 0; first < d.rows; first += chunk) {
      const count = Math.min(chunk, d.rows - first);
      const out = this.jacobianSession('gauss-newton').run(this.chunkFeeds(d, first, count), { [OUTPUT_RESIDUALS]: null, [OUTPUT_JTJ]: null, [OUTPUT_JTE]: null });
      const a = out[OUTPUT_JTJ].data as Float32Array;
      const b = out[OUTPUT_JTE].data as Float32Array;
      for (let k = 0; k < a.length; k++) jtj[k] += a[k];
      for (let k = 0; k < n; k++) jte[k] += b[k];
      for (const v of out[OUTPUT_RESIDUALS].data as Float32Array) sumSquares += v * v;
    }
    return { sumSquares, weightSum: d.rows };
  }

  residualJacobian(theta: Float64Array, data: EngineDataset, firstRow: number, rows: number, residuals: Float64Array, jacobian: Float64Array): void {
    const d = this.checkJacobianCall(theta, data);
    if (!(Number.isInteger(firstRow) && Number.isInteger(rows) && firstRow >= 0 && rows >= 1 && firstRow + rows <= d.rows)) {
      throw new Error(`onnxruntime engine: rows [${firstRow}, ${firstRow + rows}) are outside the dataset's ${d.rows} rows`);
    }
    const out = this.jacobianSession('jacobian').run(this.chunkFeeds(d, firstRow, rows), { [OUTPUT_RESIDUALS]: null, [OUTPUT_JACOBIAN]: null });
    residuals.set(out[OUTPUT_RESIDUALS].data as Float32Array);
    jacobian.set(out[OUTPUT_JACOBIAN].data as Float32Array);
  }

  /** J·v chunk by chunk: the engine forms J of the chunk, the host multiplies in float64. */
  jacobianVectorProduct(theta: Float64Array, data: EngineDataset, v: Float64Array, out: Float64Array): number {
    const d = this.checkJacobianCall(theta, data);
    const n = this.stack.parameterCount;
    let sumSquares = 0;
    const chunk = this.chunkRows();
    for (let first = 0; first < d.rows; first += chunk) {
      const count = Math.min(chunk, d.rows - first);
      const res = this.jacobianSession('jacobian').run(this.chunkFeeds(d, first, count), { [OUTPUT_RESIDUALS]: null, [OUTPUT_JACOBIAN]: null });
      const J = res[OUTPUT_JACOBIAN].data as Float32Array;
      const e = res[OUTPUT_RESIDUALS].data as Float32Array;
      const base = first * this.outputDim;
      for (let p = 0; p < e.length; p++) {
        sumSquares += e[p] * e[p];
        let s = 0;
        const row = p * n;
        for (let j = 0; j < n; j++) s += J[row + j] * v[j];
        out[base + p] = s;
      }
    }
    return sumSquares;
  }

  /** Jᵀ·u chunk by chunk, as jacobianVectorProduct. */
  jacobianTransposeProduct(theta: Float64Array, data: EngineDataset, u: Float64Array, out: Float64Array): void {
    const d = this.checkJacobianCall(theta, data);
    const n = this.stack.parameterCount;
    out.fill(0);
    const chunk = this.chunkRows();
    for (let first = 0; first < d.rows; first += chunk) {
      const count = Math.min(chunk, d.rows - first);
      const res = this.jacobianSession('jacobian').run(this.chunkFeeds(d, first, count), { [OUTPUT_JACOBIAN]: null });
      const J = res[OUTPUT_JACOBIAN].data as Float32Array;
      const base = first * this.outputDim;
      const m = count * this.outputDim;
      for (let p = 0; p < m; p++) {
        const up = u[base + p];
        if (up === 0) continue;
        const row = p * n;
        for (let j = 0; j < n; j++) out[j] += J[row + j] * up;
      }
    }
  }

  /** Rows per Jacobian chunk: float32 J of at most `chunkBytes` (16 MB by default), at least one row. */
  private chunkRows(chunkBytes = 16 * 1024 * 1024): number {
    return Math.max(1, Math.floor(chunkBytes / (4 * this.outputDim * this.stack.parameterCount)));
  }

  private chunkFeeds(d: OnnxDataset, first: number, count: number): Record<string, OrtTensor> {
    const { Tensor } = onnxRuntime();
    const { Array, type } = arrays(this.precision);
    const inDim = this.stack.inputDim;
    const K = this.outputDim;
    return {
      ...this.parameterFeeds,
      [INPUT_X]: new Tensor(type, d.x.slice(first * inDim, (first + count) * inDim), [count, inDim]),
      [INPUT_Y]: new Tensor(type, d.y.slice(first * K, (first + count) * K), [count, K]),
      // This engine's datasets carry no sample weights yet: √w = 1.
      [INPUT_ROOT_WEIGHTS]: new Tensor(type, new Array(count).fill(1), [count, 1]),
    };
  }

  private get jacobianElement(): ElementType {
    return this.precision === 'float64' ? ELEMENT_DOUBLE : ELEMENT_FLOAT;
  }

  private checkJacobianCall(theta: Float64Array, data: EngineDataset): OnnxDataset {
    const refusal = jacobianGraphRefusal(this.stack, this.jacobianElement);
    if (refusal) throw new Error(`onnxruntime engine: ${refusal}`);
    return this.checkCall(theta, data);
  }

  private jacobianSession(kind: JacobianGraphKind): OnnxSession {
    let s = this.jacobianSessions.get(kind);
    if (!s) {
      s = new OnnxSession(buildJacobianGraph(this.stack, kind, this.jacobianElement), this.settings, () => this.jacobianSessions.delete(kind));
      this.jacobianSessions.set(kind, s);
    }
    return s;
  }

  /** Sessions are built on first use: a BFGS run never pays for the dropout or forward graphs. */
  private session(kind: GraphKind, weighted = false): OnnxSession {
    const key = weighted ? `${kind}+weights` : kind;
    let s = this.sessions.get(key);
    if (!s) {
      s = new OnnxSession(buildGraph(this.stack, kind, this.precision, weighted), this.settings, () => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
  }

  private checkCall(theta: Float64Array, data: EngineDataset): OnnxDataset {
    this.assertLive();
    if (!(data instanceof OnnxDataset) || data.owner !== this) throw new Error('onnxruntime engine: the dataset was not uploaded by this program');
    if (!data.isLive) throw new Error('onnxruntime engine: the dataset was disposed');
    if (theta.length !== this.stack.parameterCount) {
      throw new Error(`onnxruntime engine: θ has length ${theta.length}, the model has ${this.stack.parameterCount} parameters`);
    }
    this.thetaBuffer.set(theta);
    return data;
  }

  /** x, y and scaled weights of the whole dataset (resident tensors) or of the given rows (gathered on the host). */
  private batch(d: OnnxDataset, rows: Int32Array | undefined): Batch {
    if (!rows) {
      return { rows: d.rows, x: d.x, y: d.y, w: d.w, whole: { [INPUT_X]: d.xTensor, [INPUT_Y]: d.yTensor, ...(d.wTensor && { [INPUT_W]: d.wTensor }) } };
    }
    if (rows.length === 0) throw new Error('onnxruntime engine: options.rows is empty');
    const n = this.stack.inputDim;
    const k = this.outputDim;
    const { Array } = arrays(this.precision);
    const bx = new Array(rows.length * n);
    const by = new Array(rows.length * k);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (!(row >= 0 && row < d.rows)) throw new Error(`onnxruntime engine: options.rows[${r}] = ${row} is outside the dataset's ${d.rows} rows`);
      bx.set(d.x.subarray(row * n, row * n + n), r * n);
      by.set(d.y.subarray(row * k, row * k + k), r * k);
    }
    return { rows: rows.length, x: bx, y: by, w: d.weights && normalizedWeights(d.weights, rows, this.precision) };
  }

  /**
   * Feeds of rows [first, first + count) of a batch: views of its arrays (no copy), or its resident
   * tensors when that is the whole batch. `withWeights` false leaves the scaled weights out.
   */
  private batchFeeds(b: Batch, first: number, count: number, withWeights = true): Record<string, OrtTensor> {
    if (b.whole && first === 0 && count === b.rows) {
      if (withWeights || !b.whole[INPUT_W]) return b.whole;
      return { [INPUT_X]: b.whole[INPUT_X], [INPUT_Y]: b.whole[INPUT_Y] };
    }
    const { Tensor } = onnxRuntime();
    const { type } = arrays(this.precision);
    const n = this.stack.inputDim;
    const k = this.outputDim;
    const feeds: Record<string, OrtTensor> = {
      [INPUT_X]: new Tensor(type, b.x.subarray(first * n, (first + count) * n), [count, n]),
      [INPUT_Y]: new Tensor(type, b.y.subarray(first * k, (first + count) * k), [count, k]),
    };
    if (withWeights && b.w) feeds[INPUT_W] = new Tensor(type, b.w.subarray(first, first + count), [count, 1]);
    return feeds;
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('onnxruntime engine: the program was disposed');
  }
}
