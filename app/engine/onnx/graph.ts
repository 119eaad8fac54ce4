/**
 * Builds the ONNX graphs the onnxruntime engine runs for one dense stack:
 *
 * - the gradient graph: forward, mean loss, then the backward pass derived by hand (Gemm with
 *   transA/transB, activation derivatives, loss gradients), emitting the loss and ONE flat gradient
 *   `grad` laid out exactly as θ (kernel fanIn×units row-major, then bias, in offset order), so the
 *   host copies it with a single Float64Array.set;
 * - the forward graph: loss and the outputs after the output activation (predictions, validation).
 *
 * Parameters are graph inputs (θ changes every call; the host feeds zero-copy views of one float32
 * θ buffer), the batch dimension is symbolic so full batch, minibatches and validation share one
 * session. With `dropout`, hidden layers that have a rate get a `mask/i` input (0 or 1/(1−rate),
 * drawn on the host from the seed) multiplied after their activation.
 *
 * Opset 13: Softmax/LogSoftmax over one axis, ReduceSum with axes as an input, no Gelu op (gelu is
 * spelled with Erf), GreaterOrEqual/LessOrEqual for the clip gradient masks.
 *
 * Every graph is built for one element type (the program's precision): float32 (FLOAT) or float64
 * (DOUBLE) inputs, constants, intermediates and outputs. onnxruntime's CPU provider has no double
 * kernel for Elu, Selu, Softplus, LeakyRelu or Erf, so the double graph composes those from ops that
 * have one (Exp, Log, Where, Mul, …; Φ for gelu by the Chebyshev series of ../normalCdf); the float32
 * graph keeps the fused ops.
 */
import type { onnx } from 'onnx-proto';
import { GraphCore, ONNX, SELU_ALPHA, SELU_GAMMA } from './graphCore';
import { huberDeltaOf, LEAKY_RELU_ALPHA, type Activation, type DenseStack, type Precision, type StackLayer } from '../engine';
import { ERF_SMALL, ERF_SPLIT, ERFC_CLAMP, ERFC_LARGE } from '../normalCdf';


const OPSET = 13;
const IR_VERSION = 8;
const FLOAT = ONNX.TensorProto.DataType.FLOAT;
const DOUBLE = ONNX.TensorProto.DataType.DOUBLE;

/** tfjs-core's selu constants. */
/** Keras' backend epsilon, for losses on probabilities. */
export const PROB_EPSILON = 1e-7;
/**
 * The clip bounds as float32 holds them (1 − 1e-7 is 0.99999988), in both precisions: a float64 run
 * then minimises exactly the function its float32 twin does, only with finer arithmetic.
 */
const CLIP_LOW = Math.fround(PROB_EPSILON);
const CLIP_HIGH = Math.fround(1 - PROB_EPSILON);

/** The ONNX element type of a precision. */
export function elementType(precision: Precision): number {
  return precision === 'float64' ? DOUBLE : FLOAT;
}

export const INPUT_X = 'x';
export const INPUT_Y = 'y';
/** Sample weights (batch × 1) scaled to mean 1 over the batch; only in weighted graphs. */
export const INPUT_W = 'w';
export const OUTPUT_LOSS = 'loss';
export const OUTPUT_GRAD = 'grad';
export const OUTPUT_PREDICTIONS = 'outputs';
export const kernelInput = (i: number): string => `kernel/${i}`;
export const biasInput = (i: number): string => `bias/${i}`;
export const maskInput = (i: number): string => `mask/${i}`;

export type GraphKind = 'gradient' | 'gradient-dropout' | 'forward';

/** A parameter block of θ: where it sits and which graph input / gradient it is. */
export interface ParameterBlock {
  input: string;
  offset: number;
  dims: [number] | [number, number];
  size: number;
}

/** Kernels and biases in θ order; throws unless they tile θ exactly (the flat gradient relies on it). */
export function parameterBlocks(stack: DenseStack): ParameterBlock[] {
  const blocks: ParameterBlock[] = [];
  stack.layers.forEach((l, i) => {
    blocks.push({ input: kernelInput(i), offset: l.kernelOffset, dims: [l.fanIn, l.units], size: l.fanIn * l.units });
    if (l.biasOffset >= 0) blocks.push({ input: biasInput(i), offset: l.biasOffset, dims: [l.units], size: l.units });
  });
  blocks.sort((a, b) => a.offset - b.offset);
  let end = 0;
  for (const b of blocks) {
    if (b.offset !== end) throw new Error(`onnxruntime engine: parameter ${b.input} sits at offset ${b.offset} in θ, expected ${end} (blocks must tile θ)`);
    end += b.size;
  }
  if (end !== stack.parameterCount) throw new Error(`onnxruntime engine: layers hold ${end} parameters but parameterCount is ${stack.parameterCount}`);
  return blocks;
}

export function checkStack(stack: DenseStack): void {
  if (stack.layers.length === 0) throw new Error('onnxruntime engine: the model has no layers');
  let fanIn = stack.inputDim;
  stack.layers.forEach((l, i) => {
    if (!Number.isInteger(l.fanIn) || !Number.isInteger(l.units) || l.units < 1 || l.fanIn < 1) {
      throw new Error(`onnxruntime engine: layer ${i} has shape ${l.fanIn}×${l.units}; both must be positive integers`);
    }
    if (l.fanIn !== fanIn) throw new Error(`onnxruntime engine: layer ${i} expects ${l.fanIn} inputs but receives ${fanIn}`);
    if (!(l.dropout >= 0 && l.dropout < 1)) throw new Error(`onnxruntime engine: layer ${i} dropout ${l.dropout} is outside [0, 1)`);
    fanIn = l.units;
  });
  parameterBlocks(stack);
}

/** Hidden layers whose dropout the gradient-dropout graph applies. */
export function dropoutLayers(stack: DenseStack): number[] {
  return stack.layers.flatMap((l, i) => (i < stack.layers.length - 1 && l.dropout > 0 ? [i] : []));
}

class Graph extends GraphCore {
  readonly double: boolean;

  constructor(precision: Precision) {
    super(elementType(precision));
    this.double = precision === 'float64';
  }

  /** a where cond holds, else b. */
  where(cond: string, a: string, b: string, out?: string): string {
    return this.op('Where', [cond, a, b], [], out);
  }

  /** e^min(z, 0) − 1: the negative branch of elu/selu, finite where the other branch is taken. */
  private expm1Negative(z: string): string {
    return this.sub(this.op('Exp', [this.op('Min', [z, this.scalar(0)])]), this.scalar(1));
  }

  /**
   * log(1 + t) for t ≥ 0 to full relative accuracy in double: t·log(u)/(u − 1) with u = 1 + t
   * corrects the rounding of u (Goldberg's log1p), and u = 1 means log1p(t) = t to double precision.
   */
  private log1p(t: string): string {
    const u = this.add(t, this.scalar(1));
    const corrected = this.op('Div', [this.mul(t, this.op('Log', [u])), this.sub(u, this.scalar(1))]);
    return this.where(this.op('Equal', [u, this.scalar(1)]), t, corrected);
  }

  /** softplus(z) = max(z, 0) + log1p(e^−|z|), in double. */
  private softplus64(z: string, out?: string): string {
    const tail = this.log1p(this.op('Exp', [this.op('Neg', [this.op('Abs', [z])])]));
    return this.op('Add', [this.op('Relu', [z]), tail], [], out);
  }

  /** Σ c_k T_k(t) by Clenshaw's recurrence, as graph ops. */
  private chebyshev(c: readonly number[], t: string): string {
    const t2 = this.mul(t, this.scalar(2));
    let b1: string | null = null;
    let b2: string | null = null;
    for (let k = c.length - 1; k >= 1; k--) {
      // b_k = c_k + 2t·b_{k+1} − b_{k+2}
      let b: string = b1 === null ? this.scalar(c[k]) : this.add(this.mul(t2, b1), this.scalar(c[k]));
      if (b2 !== null) b = this.sub(b, b2);
      b2 = b1;
      b1 = b;
    }
    const head = this.add(this.mul(t, b1!), this.scalar(c[0]));
    return b2 === null ? head : this.sub(head, b2);
  }

  /** Φ(z) in double by the series of ../normalCdf (no double Erf kernel in onnxruntime). */
  private normalCdf64(z: string): string {
    const x = this.mul(z, this.scalar(Math.SQRT1_2));
    const ax = this.op('Abs', [x]);
    const x2 = this.mul(ax, ax);
    const small = this.add(this.mul(this.mul(x, this.chebyshev(ERF_SMALL, this.sub(this.mul(x2, this.scalar(0.5)), this.scalar(1)))), this.scalar(0.5)), this.scalar(0.5));
    const tLarge = this.mul(this.sub(this.op('Min', [ax, this.scalar(ERFC_CLAMP)]), this.scalar(4)), this.scalar(0.5));
    const half = this.mul(this.mul(this.op('Exp', [this.op('Neg', [x2])]), this.chebyshev(ERFC_LARGE, tLarge)), this.scalar(0.5));
    const large = this.where(this.positive(x), this.sub(this.scalar(1), half), half);
    return this.where(this.op('LessOrEqual', [ax, this.scalar(ERF_SPLIT)]), small, large);
  }

  activation(a: Activation, z: string, out?: string): string {
    switch (a) {
      case 'linear':
        return out ? this.op('Identity', [z], [], out) : z;
      case 'relu':
        return this.op('Relu', [z], [], out);
      case 'leakyRelu':
        if (this.double) return this.where(this.positive(z), z, this.mul(z, this.scalar(LEAKY_RELU_ALPHA)), out);
        return this.op('LeakyRelu', [z], [floatAttr('alpha', LEAKY_RELU_ALPHA)], out);
      case 'elu':
        if (this.double) return this.where(this.positive(z), z, this.expm1Negative(z), out);
        return this.op('Elu', [z], [floatAttr('alpha', 1)], out);
      case 'selu':
        if (this.double) {
          const negative = this.mul(this.expm1Negative(z), this.scalar(SELU_ALPHA));
          return this.op('Mul', [this.where(this.positive(z), z, negative), this.scalar(SELU_GAMMA)], [], out);
        }
        return this.op('Selu', [z], [floatAttr('alpha', SELU_ALPHA), floatAttr('gamma', SELU_GAMMA)], out);
      case 'tanh':
        return this.op('Tanh', [z], [], out);
      case 'sigmoid':
        return this.sigmoid(z, out);
      case 'softplus':
        return this.double ? this.softplus64(z, out) : this.op('Softplus', [z], [], out);
      case 'softmax':
        return this.op('Softmax', [z], [intAttr('axis', -1)], out);
      case 'gelu': {
        // z · ½ · (1 + erf(z / √2)), the exact form
        const phi = this.normalCdf(z);
        return this.op('Mul', [z, phi], [], out);
      }
    }
  }

  /**
   * σ(z) as 1 / (1 + e^−z). onnxruntime's Sigmoid kernel (MLAS' logistic approximation) is off by
   * 1e-4 relative at z = −9 and 1e-3 at z = −11, which is where saturated outputs live (the seed
   * perceptron's gradient was 1e-4 wrong); Exp and Reciprocal are within a few float32 ulps.
   */
  override sigmoid(z: string, out?: string): string {
    const denominator = this.add(this.op('Exp', [this.op('Neg', [z])]), this.scalar(1));
    return this.op('Reciprocal', [denominator], [], out);
  }

  /** Φ(z) = ½(1 + erf(z/√2)). */
  override normalCdf(z: string): string {
    if (this.double) return this.normalCdf64(z);
    const erf = this.op('Erf', [this.mul(z, this.scalar(Math.SQRT1_2))]);
    return this.mul(this.add(erf, this.scalar(1)), this.scalar(0.5));
  }

  /** softplus(−v) for v ≥ 0, i.e. log1p(e^−v). */
  softplusOfNegative(v: string): string {
    return this.double ? this.log1p(this.op('Exp', [this.op('Neg', [v])])) : this.op('Softplus', [this.op('Neg', [v])]);
  }

  /** g · act'(z), given a = act(z) already computed. */
  activationBackward(act: Activation, z: string, a: string, g: string): string {
    switch (act) {
      case 'linear':
        return g;
      case 'relu':
        return this.mul(g, this.indicator(this.op('Greater', [z, this.scalar(0)])));
      case 'leakyRelu':
        return this.mul(g, this.op('Where', [this.op('Greater', [z, this.scalar(0)]), this.scalar(1), this.scalar(LEAKY_RELU_ALPHA)]));
      case 'elu': // z ≤ 0: a = e^z − 1, a' = a + 1
        return this.mul(g, this.op('Where', [this.op('Greater', [z, this.scalar(0)]), this.scalar(1), this.add(a, this.scalar(1))]));
      case 'selu': // z ≤ 0: a = γα(e^z − 1), a' = a + γα
        return this.mul(
          g,
          this.op('Where', [this.op('Greater', [z, this.scalar(0)]), this.scalar(SELU_GAMMA), this.add(a, this.scalar(SELU_GAMMA * SELU_ALPHA))]),
        );
      case 'tanh':
        return this.mul(g, this.sub(this.scalar(1), this.mul(a, a)));
      case 'sigmoid':
        return this.mul(g, this.mul(a, this.sub(this.scalar(1), a)));
      case 'softplus':
        return this.mul(g, this.sigmoid(z));
      case 'softmax': // a ⊙ (g − Σ g⊙a)
        return this.mul(a, this.sub(g, this.rowSum(this.mul(g, a))));
      case 'gelu': {
        // Φ(z) + z·φ(z), φ(z) = e^{−z²/2}/√(2π)
        const pdf = this.mul(this.op('Exp', [this.mul(this.mul(z, z), this.scalar(-0.5))]), this.scalar(1 / Math.sqrt(2 * Math.PI)));
        return this.mul(g, this.add(this.normalCdf(z), this.mul(z, pdf)));
      }
    }
  }
}

function floatAttr(name: string, f: number): onnx.IAttributeProto {
  return { name, type: ONNX.AttributeProto.AttributeType.FLOAT, f };
}

function intAttr(name: string, i: number): onnx.IAttributeProto {
  return { name, type: ONNX.AttributeProto.AttributeType.INT, i };
}

function intsAttr(name: string, ints: number[]): onnx.IAttributeProto {
  return { name, type: ONNX.AttributeProto.AttributeType.INTS, ints };
}

function valueInfo(name: string, dims: (number | string)[], elemType: number = FLOAT): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
    },
  };
}

/**
 * Mean loss from the output pre-activation z and, when `withGradient`, dLoss/dz. `invRows` is 1/rows
 * (a graph scalar computed from x's shape).
 */
function lossAndGradient(
  g: Graph,
  stack: DenseStack,
  z: string,
  invRows: string,
  withGradient: boolean,
  weighted = false,
): { loss: string; outputs: string; dz?: string } {
  const r = lossTerms(g, stack, z, invRows, withGradient, weighted);
  if (!weighted) return r;
  // Each row's terms times its weight (mean 1 over the batch): the plain mean becomes Σw·l/Σw, and
  // dz, linear in a row's own loss, takes the same factor.
  return { ...r, dz: r.dz === undefined ? undefined : g.mul(r.dz, INPUT_W) };
}

/** Mean loss (weighted sums when `weighted`) and dL/dz before the weights multiply it. */
function lossTerms(
  g: Graph,
  stack: DenseStack,
  z: string,
  invRows: string,
  withGradient: boolean,
  weighted: boolean,
): { loss: string; outputs: string; dz?: string } {
  const out = stack.layers[stack.layers.length - 1];
  const act = out.activation;
  const y = INPUT_Y;
  // mse and binary cross-entropy average over every element, cross-entropy over rows.
  const scale = stack.loss === 'softmax-crossentropy' ? invRows : g.mul(invRows, g.scalar(1 / out.units));
  const lossOut = (sum: string): string => g.op('Mul', [sum, scale], [], OUTPUT_LOSS);
  // A weighted graph sums w·(per-element loss) (w broadcast over a row's outputs).
  const total = (a: string): string => g.total(weighted ? g.mul(a, INPUT_W) : a);

  if (stack.loss === 'mae' || stack.loss === 'huber') {
    const a = g.activation(act, z);
    const d = g.sub(a, y);
    const ad = g.op('Abs', [d]);
    if (stack.loss === 'mae') {
      const loss = lossOut(total(ad));
      const dz = withGradient ? g.activationBackward(act, z, a, g.mul(g.op('Sign', [d]), scale)) : undefined;
      return { loss, outputs: a, dz };
    }
    // q = min(|d|, δ): ½q² + δ(|d| − q) is ½d² inside δ and δ(|d| − ½δ) beyond; its slope clip(d, ±δ).
    const delta = huberDeltaOf(stack);
    const q = g.op('Min', [ad, g.scalar(delta)]);
    const per = g.add(g.mul(g.mul(q, q), g.scalar(0.5)), g.mul(g.sub(ad, q), g.scalar(delta)));
    const loss = lossOut(total(per));
    const dz = withGradient ? g.activationBackward(act, z, a, g.mul(g.op('Clip', [d, g.scalar(-delta), g.scalar(delta)]), scale)) : undefined;
    return { loss, outputs: a, dz };
  }

  if (stack.loss === 'mse') {
    const a = g.activation(act, z);
    const d = g.sub(a, y);
    const loss = lossOut(total(g.mul(d, d)));
    const dz = withGradient ? g.activationBackward(act, z, a, g.mul(d, g.mul(scale, g.scalar(2)))) : undefined;
    return { loss, outputs: a, dz };
  }

  if (stack.loss === 'binary-crossentropy') {
    if (act === 'sigmoid') {
      // max(z,0) − z·y + log(1 + e^−|z|); softplus(−|z|) is log1p(e^−|z|) with an argument ≤ 0.
      const perElement = g.add(g.sub(g.op('Relu', [z]), g.mul(z, y)), g.softplusOfNegative(g.op('Abs', [z])));
      const loss = lossOut(total(perElement));
      const p = g.sigmoid(z);
      const dz = withGradient ? g.mul(g.sub(p, y), scale) : undefined;
      return { loss, outputs: p, dz };
    }
    // As the contract says (and the tfjs engine does): clip p to [ε, 1 − ε] in float32, then 1 − p.
    // 1 − fround(1 − 1e-7) is 1.19e-7; every engine computes that same value, so races agree.
    const a = g.activation(act, z);
    const pc = g.op('Clip', [a, g.scalar(CLIP_LOW), g.scalar(CLIP_HIGH)]);
    const qc = g.sub(g.scalar(1), pc);
    const oneMinusY = g.sub(g.scalar(1), y);
    const ll = g.add(g.mul(y, g.op('Log', [pc])), g.mul(oneMinusY, g.op('Log', [qc])));
    const loss = lossOut(g.op('Neg', [total(ll)]));
    let dz: string | undefined;
    if (withGradient) {
      // d/dp of −[y log p + (1−y) log(1−p)] = (1−y)/(1−p) − y/p, passed where the clip is inactive.
      const dp = g.sub(g.op('Div', [oneMinusY, qc]), g.op('Div', [y, pc]));
      dz = g.activationBackward(act, z, a, g.mul(g.mul(dp, clipPass(g, a, CLIP_LOW, CLIP_HIGH)), scale));
    }
    return { loss, outputs: a, dz };
  }

  // softmax-crossentropy
  if (act === 'softmax' && g.double) return softmaxCrossEntropy64(g, z, out.units, total, lossOut, scale, withGradient);
  if (act === 'softmax') {
    const logp = g.op('LogSoftmax', [z], [intAttr('axis', -1)]);
    const loss = lossOut(g.op('Neg', [total(g.mul(y, logp))]));
    const p = g.op('Exp', [logp]);
    // d/dz of −Σ y·log softmax(z) = softmax(z)·Σy − y
    const dz = withGradient ? g.mul(g.sub(g.mul(p, g.rowSum(y)), y), scale) : undefined;
    return { loss, outputs: p, dz };
  }
  const a = g.activation(act, z);
  const pc = g.op('Clip', [a, g.scalar(CLIP_LOW), g.scalar(1)]);
  const loss = lossOut(g.op('Neg', [total(g.mul(y, g.op('Log', [pc])))]));
  let dz: string | undefined;
  if (withGradient) {
    const dp = g.op('Neg', [g.op('Div', [y, pc])]);
    dz = g.activationBackward(act, z, a, g.mul(g.mul(dp, clipPass(g, a, CLIP_LOW, 1)), scale));
  }
  return { loss, outputs: a, dz };
}

/**
 * Softmax cross-entropy in a double graph, with one Exp over the outputs instead of LogSoftmax then
 * Exp (onnxruntime's double Exp, LogSoftmax and Softmax kernels are scalar, so each pass over the
 * outputs is costly), and row quantities spread across a row by a rank-1 Gemm rather than a
 * broadcast Sub/Mul (onnxruntime broadcasts a rows×1 operand one short row at a time).
 * With s = z − max z ≤ 0 and S = Σ e^s ≥ 1, a row's loss is Σy·log S − Σ y·s: two sums of
 * non-negative terms for y ≥ 0, so nothing cancels; dL/dz = e^s·(Σy / S) − y, then the scale.
 */
function softmaxCrossEntropy64(
  g: Graph,
  z: string,
  units: number,
  total: (a: string) => string,
  lossOut: (sum: string) => string,
  scale: string,
  withGradient: boolean,
): { loss: string; outputs: string; dz?: string } {
  const spread = g.constant(new Array<number>(units).fill(1), [1, units]);
  const max = g.op('ReduceMax', [z], [intsAttr('axes', [1]), intAttr('keepdims', 1)]);
  const s = g.op('Gemm', [max, spread, z], [floatAttr('alpha', -1)]);
  const e = g.op('Exp', [s]);
  const sum = g.rowSum(e);
  const ySum = g.rowSum(INPUT_Y);
  const loss = lossOut(g.sub(total(g.mul(ySum, g.op('Log', [sum]))), total(g.mul(INPUT_Y, s))));
  if (!withGradient) return { loss, outputs: g.op('Div', [e, g.op('Gemm', [sum, spread])]) };
  const share = g.op('Gemm', [g.op('Div', [ySum, sum]), spread]);
  // A gradient graph never reads `outputs` (only the forward graph emits them).
  return { loss, outputs: e, dz: g.mul(g.sub(g.mul(e, share), INPUT_Y), scale) };
}

/** 1 where lo ≤ a ≤ hi (the clip passes its gradient, as tfjs' clipByValue does), else 0. */
function clipPass(g: Graph, a: string, lo: number, hi: number): string {
  return g.indicator(g.op('And', [g.op('GreaterOrEqual', [a, g.scalar(lo)]), g.op('LessOrEqual', [a, g.scalar(hi)])]));
}

/**
 * z = h·W (+ b). The double graph spells a bias-free layer as Gemm too: onnxruntime's MatMulScaleFusion
 * folds a Mul by a constant next to a MatMul into FusedMatMul's float `alpha` attribute, which rounds
 * the constant (selu's γ) to float32 in a double graph.
 */
function dense(g: Graph, h: string, l: StackLayer, i: number): string {
  if (l.biasOffset >= 0) return g.op('Gemm', [h, kernelInput(i), biasInput(i)]);
  return g.double ? g.op('Gemm', [h, kernelInput(i)]) : g.op('MatMul', [h, kernelInput(i)]);
}

/** Serialized ONNX model for one stack, graph kind and element type; `weighted` adds the sample-weight input. */
export function buildGraph(stack: DenseStack, kind: GraphKind, precision: Precision = 'float32', weighted = false): Uint8Array {
  checkStack(stack);
  const g = new Graph(precision);
  const layers = stack.layers;
  const last = layers.length - 1;
  const masked = new Set(kind === 'gradient-dropout' ? dropoutLayers(stack) : []);
  const withGradient = kind !== 'forward';

  // 1/rows as Σ(0·x₀ + 1) over x's first column, so one graph serves every batch size. Not from
  // Shape: GPU providers put shape arithmetic on the CPU provider, which a GPU session forbids
  // (devices.ts). A non-finite x₀ makes this NaN, but then every loss of that batch is already.
  // The scalar index makes x₀ a vector: onnxruntime's Mul and Add walk a rows×1 column one row at a
  // time, a vector in one pass.
  const ones = g.add(g.mul(g.op('Gather', [INPUT_X, g.ints([0], true)], [intAttr('axis', 1)]), g.scalar(0)), g.scalar(1));
  const invRows = g.op('Reciprocal', [g.total(ones)]);

  // Forward, keeping what the backward pass needs.
  const inputsOf: string[] = []; // h_{i-1}
  const zs: string[] = [];
  const acts: string[] = [];
  let h = INPUT_X;
  layers.forEach((l, i) => {
    inputsOf.push(h);
    const z = dense(g, h, l, i);
    zs.push(z);
    if (i === last) return;
    const a = g.activation(l.activation, z);
    acts.push(a);
    h = masked.has(i) ? g.mul(a, maskInput(i)) : a;
  });

  const { outputs, dz: dzLast } = lossAndGradient(g, stack, zs[last], invRows, withGradient, weighted);
  const graphOutputs = [valueInfo(OUTPUT_LOSS, [], g.elem)];
  if (withGradient) {
    const grads = new Map<string, string>();
    let dz = dzLast!;
    for (let i = last; i >= 0; i--) {
      const l = layers[i];
      grads.set(kernelInput(i), g.op('Reshape', [g.op('Gemm', [inputsOf[i], dz], [intAttr('transA', 1)]), g.ints([-1])]));
      if (l.biasOffset >= 0) grads.set(biasInput(i), g.op('ReduceSum', [dz, g.ints([0])], [intAttr('keepdims', 0)]));
      if (i === 0) break;
      let dh = g.op('Gemm', [dz, kernelInput(i)], [intAttr('transB', 1)]);
      if (masked.has(i - 1)) dh = g.mul(dh, maskInput(i - 1));
      dz = g.activationBackward(layers[i - 1].activation, zs[i - 1], acts[i - 1], dh);
    }
    const ordered = parameterBlocks(stack).map((b) => grads.get(b.input)!);
    g.op('Concat', ordered, [intAttr('axis', 0)], OUTPUT_GRAD);
    graphOutputs.push(valueInfo(OUTPUT_GRAD, [stack.parameterCount], g.elem));
  } else {
    g.op('Identity', [outputs], [], OUTPUT_PREDICTIONS);
    graphOutputs.push(valueInfo(OUTPUT_PREDICTIONS, ['batch', layers[last].units], g.elem));
  }

  const outputDim = layers[last].units;
  const inputs = [valueInfo(INPUT_X, ['batch', stack.inputDim], g.elem), valueInfo(INPUT_Y, ['batch', outputDim], g.elem)];
  for (const b of parameterBlocks(stack)) inputs.push(valueInfo(b.input, b.dims, g.elem));
  for (const i of masked) inputs.push(valueInfo(maskInput(i), ['batch', layers[i].units], g.elem));
  if (weighted) inputs.push(valueInfo(INPUT_W, ['batch', 1], g.elem));

  const model = ONNX.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'curvature-engine',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: { name: `curvature_${kind}`, node: g.nodes, initializer: g.initializers, input: inputs, output: graphOutputs },
  });
  return ONNX.ModelProto.encode(model).finish();
}

/**
 * c = a·b for a (rows × inner) and b (inner × units), nothing else: the engine's plain-matmul speed
 * on a layer's shape, which the bench prints as the ceiling a dense pass can approach.
 */
export function buildMatMulGraph(rows: number, inner: number, units: number, precision: Precision = 'float32'): Uint8Array {
  const elem = elementType(precision);
  const model = ONNX.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'curvature-engine',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'curvature_matmul',
      node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'], name: 'c' }],
      input: [valueInfo('a', [rows, inner], elem), valueInfo('b', [inner, units], elem)],
      output: [valueInfo('c', [rows, units], elem)],
    },
  });
  return ONNX.ModelProto.encode(model).finish();
}
