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
 * the output is softmax, else cross-entropy on probabilities (clipped to [1e-7, 1]).
 */
export const LOSSES = ['mse', 'binary-crossentropy', 'softmax-crossentropy'] as const;
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
  parameterCount: number;
}

export type EngineName = 'tensorflow-gpu' | 'onnxruntime' | 'tensorflow' | 'wasm' | 'cpu';
/** Every engine name, in the automatic choice's order (additive: the schema's enum). */
export const ENGINE_NAMES = ['tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly EngineName[];

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

/** A dense stack compiled for one engine (tfjs closures, or ONNX sessions). */
export interface StackProgram {
  /** x: rows × inputDim, y: rows × outputs, both row-major float32. */
  upload(x: Float32Array, y: Float32Array, rows: number): EngineDataset;
  /**
   * Mean data loss at θ (no regularisation: the model layer adds L2 on the host in float64) over the
   * dataset or the given rows; writes ∇θ into grad (length parameterCount). θ is rounded to float32
   * on the way in. May return NaN/±Infinity.
   */
  valueAndGradient(theta: Float64Array, data: EngineDataset, grad: Float64Array, options?: GradientOptions): number;
  /** Mean data loss and the outputs after the output activation (rows × outputs, row-major). */
  predict(theta: Float64Array, data: EngineDataset): { loss: number; outputs: Float32Array };
  /** Engine resources this program and its datasets hold now (tensors, sessions): for leak tests. */
  liveResources(): number;
  dispose(): void;
}

export interface ComputeEngine {
  readonly name: EngineName;
  /** Human label, e.g. "onnxruntime 1.30 (CPU, 2 threads)". */
  readonly label: string;
  /** Intra-op threads, for engines that run a native thread pool (onnxruntime). */
  readonly threads?: number;
  compile(stack: DenseStack): StackProgram;
}
