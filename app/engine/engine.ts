/**
 * One interface for every compute engine (tfjs on tensorflow-gpu / tensorflow / wasm / cpu, and
 * onnxruntime on the CPU): the value and gradient of a dense stack's training loss at θ, and its
 * forward pass. The model layer (objective, metrics, gradient check) and the bench use only this.
 *
 * The engine sits below model/ and optim/, so it describes the network it computes in its own
 * terms (DenseStack); model/layers' ResolvedModel satisfies it structurally.
 *
 * Every method is synchronous. The optimizers are synchronous steppers (a line search calls f and
 * ∇f many times inside one step), and keeping them so costs nothing on tfjs; an engine whose
 * library is asynchronous must offer a synchronous path (see the onnxruntime engine for how).
 */

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softmax', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/**
 * mse on the output activation; binary-crossentropy from logits when the output is sigmoid, else on
 * probabilities (clipped to [1e-7, 1 − 1e-7], Keras' epsilon); softmax-crossentropy from logits when
 * the output is softmax, else cross-entropy on probabilities (clipped to [1e-7, 1]); mae: mean |a − y|
 * (subgradient 0 at a = y); huber: mean of ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond, d = a − y (Keras'
 * Huber), δ the stack's huberDelta. Every loss is a mean over rows (and outputs, except
 * softmax-crossentropy, which sums over a row's classes); with sample weights, a weighted mean.
 */
export const LOSSES = ['mse', 'binary-crossentropy', 'softmax-crossentropy', 'mae', 'huber'] as const;
export type Loss = (typeof LOSSES)[number];

/** Slope of leakyRelu for negative inputs: tfjs-core's default, which exports reproduce. */
export const LEAKY_RELU_ALPHA = 0.2;

export interface StackLayer {
  fanIn: number;
  units: number;
  activation: Activation;
  /** Inverted-dropout rate after this layer's activation; applied only when a dropout seed is given. */
  dropout: number;
  /** Offset of the kernel (fanIn × units, row-major, Keras layout) in θ. */
  kernelOffset: number;
  /** Offset of the bias in θ, or -1 without bias. */
  biasOffset: number;
}

/** The network an engine computes: Dense layers, the last one's activation is the output's. */
export interface DenseStack {
  inputDim: number;
  layers: readonly StackLayer[];
  loss: Loss;
  /** δ of the huber loss (default 1), in the units of y as uploaded. */
  huberDelta?: number;
  parameterCount: number;
}

/** The huber δ a stack uses. */
export const huberDeltaOf = (stack: DenseStack): number => stack.huberDelta ?? 1;

/**
 * Sample weights scaled to mean 1 over the given rows (all of them without `rows`): w_r·n/Σw, so a
 * plain mean of weighted per-row losses is Σw·loss_r/Σw. Engines multiply these into their rows.
 */
export function normalizedWeights(weights: Float64Array, rows?: Int32Array, precision: Precision = 'float32'): Float32Array | Float64Array {
  const n = rows ? rows.length : weights.length;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += weights[rows ? rows[k] : k];
  const out = precision === 'float64' ? new Float64Array(n) : new Float32Array(n);
  // A minibatch of zero-weight rows contributes nothing (loss and gradient 0).
  if (!(sum > 0) || !Number.isFinite(sum)) return out;
  for (let k = 0; k < n; k++) out[k] = (weights[rows ? rows[k] : k] * n) / sum;
  return out;
}

/** Checks an upload's sample weights: one finite, non-negative value per row, not all zero. */
export function checkWeights(weights: Float64Array | undefined, rows: number): void {
  if (weights === undefined) return;
  if (weights.length !== rows) throw new Error(`engine: ${weights.length} sample weights for ${rows} rows`);
  for (let k = 0; k < rows; k++) if (!(weights[k] >= 0) || !Number.isFinite(weights[k])) throw new Error(`engine: sample weight ${k} is ${weights[k]}; weights must be finite and ≥ 0`);
}

export type EngineName = 'tensorflow-gpu' | 'onnxruntime' | 'tensorflow' | 'wasm' | 'cpu' | 'js64';
/**
 * Every engine name, in the automatic choice's order (additive: the schema's enum). js64 (float64
 * plain JavaScript) computes float64 only: the choice takes it for float64 runs when no engine
 * before it can.
 */
export const ENGINE_NAMES = ['tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu', 'js64'] as const satisfies readonly EngineName[];

/**
 * The arithmetic a run's passes use. Optimizer state is float64 on the host either way; a float64
 * program keeps data, parameters and every intermediate in float64 (never a float32 round trip),
 * and an engine that cannot run float64 says so instead of computing float32 silently.
 */
/**
 * Where the onnxruntime engine computes (app/engine/onnx/devices.ts): its CPU provider or a GPU
 * provider. Here, free of Node modules, because the experiment schema (which the renderer reaches)
 * names them.
 */
export const ONNX_DEVICES = ['cpu', 'webgpu', 'dml', 'cuda'] as const;
export type OnnxDevice = (typeof ONNX_DEVICES)[number];

export const PRECISIONS = ['float32', 'float64'] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Row-major numbers handed to an engine: Float32Array for float32 runs, Float64Array for float64. */
export type Floats = Float32Array | Float64Array;

/** The float32 copy a float32 program computes with (the array itself when it already is one). */
export function asFloat32(values: Floats): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** Rows resident on an engine (uploaded once, reused by every evaluation). */
export interface EngineDataset {
  readonly rows: number;
  dispose(): void;
}

export interface GradientOptions {
  /** Evaluate on these rows of the dataset only (minibatches of first-order runs). */
  rows?: Int32Array;
  /** Apply the layers' dropout with masks drawn from this seed (first-order runs only). */
  dropoutSeed?: number;
}

/**
 * Second-order products, all of the *mean data loss* the engine's valueAndGradient computes (no L2:
 * the model layer adds it on the host) and all in float64 on the way out whatever the precision.
 *
 * Residuals (mse only): e[r·K + k] = √w_r · (out_rk − y_rk), so the mean loss is Σe² / (K·Σw) with
 * w_r the sample weights (1 without) and K the outputs. J = ∂e/∂θ is (rows·K) × n, row-major.
 */
export interface SecondOrderProducts {
  /**
   * Accumulate JᵀJ (n × n, row-major, both triangles) and Jᵀe (n) over every row of the dataset,
   * in row chunks holding at most `chunkBytes` of J at once; returns Σe² and Σw. Overwrites jtj, jte.
   */
  gaussNewtonSystem(theta: Float64Array, data: EngineDataset, jtj: Float64Array, jte: Float64Array, options?: { chunkBytes?: number }): { sumSquares: number; weightSum: number };
  /** Residuals and Jacobian of rows [firstRow, firstRow + rows): residuals rows·K, jacobian rows·K × n. */
  residualJacobian(theta: Float64Array, data: EngineDataset, firstRow: number, rows: number, residuals: Float64Array, jacobian: Float64Array): void;
  /** out (rows·K) = J·v over the whole dataset; returns Σe². */
  jacobianVectorProduct(theta: Float64Array, data: EngineDataset, v: Float64Array, out: Float64Array): number;
  /** out (n) = Jᵀ·u over the whole dataset, u of length rows·K. */
  jacobianTransposeProduct(theta: Float64Array, data: EngineDataset, u: Float64Array, out: Float64Array): void;
  /** out = ∇²f(θ)·v, exact (R-operator), f the mean data loss; returns f. Every loss. */
  hessianVectorProduct(theta: Float64Array, data: EngineDataset, v: Float64Array, out: Float64Array): number;
  /** out = G·v, G = JₒᵀΛJₒ the generalized Gauss–Newton matrix of f (Jₒ: outputs' logits, Λ: the loss Hessian in them); returns f. */
  gaussNewtonVectorProduct(theta: Float64Array, data: EngineDataset, v: Float64Array, out: Float64Array): number;
}

/** A dense stack compiled for one engine (tfjs closures, ONNX sessions, or float64 JavaScript). */
export interface StackProgram extends Partial<SecondOrderProducts> {
  /** The arithmetic of every pass of this program. */
  readonly precision: Precision;
  /**
   * x: rows × inputDim, y: rows × outputs, row-major; weights: one non-negative sample weight per
   * row (losses become Σw·loss_r / Σw), omitted for equal weights. A float64 program takes
   * Float64Arrays as they are. x and y may be read in place, not copied, while the dataset lives:
   * the caller must not change them until it disposes of the dataset.
   */
  upload(x: Floats, y: Floats, rows: number, weights?: Float64Array): EngineDataset;
  /**
   * Mean data loss at θ (no regularisation: the model layer adds L2 on the host in float64) over the
   * dataset or the given rows; writes ∇θ into grad (length parameterCount). A float32 program rounds
   * θ to float32 on the way in. May return NaN/±Infinity.
   */
  valueAndGradient(theta: Float64Array, data: EngineDataset, grad: Float64Array, options?: GradientOptions): number;
  /** Mean data loss and the outputs after the output activation (rows × outputs, row-major). */
  predict(theta: Float64Array, data: EngineDataset): { loss: number; outputs: Floats };
  /** Engine resources this program and its datasets hold now (tensors, sessions): for leak tests. */
  liveResources(): number;
  /**
   * Frees what compiled passes keep between runs (onnxruntime: each session's arena holds its largest
   * run's buffers); the next pass rebuilds what it needs. Uploaded datasets stay.
   */
  releaseMemory?(): void;
  dispose(): void;
}

export interface ComputeEngine {
  readonly name: EngineName;
  /** Human label, e.g. "onnxruntime 1.30 (CPU, 2 threads)". */
  readonly label: string;
  /** Intra-op threads, for engines that run a native thread pool (onnxruntime). */
  readonly threads?: number;
  /** Where an engine with devices computes (onnxruntime: cpu, webgpu, dml, cuda). */
  readonly device?: string;
  /** The precisions this engine computes natively; compile refuses the others by name. */
  readonly precisions: readonly Precision[];
  compile(stack: DenseStack, precision?: Precision, hint?: CompileHint): StackProgram;
}

/** What a program will mostly compute on, for engines that choose a device by timing it (deviceChoice.ts). */
export interface CompileHint {
  /** Rows of the training data. */
  rows?: number;
}
