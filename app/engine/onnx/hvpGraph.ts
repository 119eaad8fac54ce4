/**
 * The ONNX graph of an exact Hessian-vector product (or Gauss–Newton-vector product) of a dense
 * stack's mean data loss: Pearlmutter's R-operator written out as ops — the forward pass and its
 * R-forward (R{z} = R{h}·W + h·V_W + V_b), the loss' gradient and its directional derivative, then
 * the backward pass and its R-backward (R{∂W} = R{h}ᵀδ + hᵀR{δ}, R{δ_prev} = J_σᵀ(R{δ}Wᵀ + δV_Wᵀ) +
 * σ''⊙(δWᵀ)⊙R{z}). The same algorithm as app/engine/js/hessian.ts (which documents the loss split
 * of the Gauss–Newton matrix); the tests hold one against the other and both against differences.
 *
 * Inputs: x, y, the parameter blocks (kernel/i, bias/i, as the gradient graph), the direction's
 * blocks (v/kernel/i, v/bias/i) and, with `weighted`, sample_weights (one per row); outputs: loss and one flat `hv` in θ's layout. The element type is a
 * parameter (FLOAT or DOUBLE), so a float64 program runs the same graph in double.
 */
import type { onnx } from 'onnx-proto';
import { GraphCore, ONNX, SELU_ALPHA, SELU_GAMMA } from './graphCore';
import { LEAKY_RELU_ALPHA, type Activation, type DenseStack } from '../engine';
import { biasInput, checkStack, INPUT_X, INPUT_Y, kernelInput, OUTPUT_LOSS, parameterBlocks, PROB_EPSILON } from './graph';


const OPSET = 13;
const IR_VERSION = 8;
/** The clip bounds as float32 holds them, in either element type: what every engine computes. */
const BCE_LO = Math.fround(PROB_EPSILON);
const BCE_HI = Math.fround(1 - PROB_EPSILON);

export const OUTPUT_HV = 'hv';
/** With `weighted`: one non-negative weight per row (losses become Σw·loss_r / Σw). */
export const INPUT_WEIGHTS = 'sample_weights';
export const directionInput = (parameterInput: string): string => `v/${parameterInput}`;
export type ElementType = 'float' | 'double';
export type ProductKind = 'hessian' | 'gauss-newton';

class Builder extends GraphCore {

  get double(): boolean {
    return this.elem === ONNX.TensorProto.DataType.DOUBLE;
  }

  /** min(z, 0), so that e^z never overflows on the branch Where discards. */
  private negativePart(z: string): string {
    return this.op('Min', [z, this.scalar(0)]);
  }

  /**
   * onnxruntime's CPU provider has no double kernels for LeakyRelu, Elu, Selu, Softplus and Erf, so
   * a DOUBLE graph spells those with Where/Exp/Log; Erf alone has no elementary spelling short of a
   * rational approximation, so it runs in float (gelu in a double graph is float32-accurate in Φ).
   */
  activation(a: Activation, z: string): string {
    const d = this.double;
    switch (a) {
      case 'linear':
        return z;
      case 'relu':
        return this.op('Relu', [z]);
      case 'leakyRelu':
        return d ? this.op('Where', [this.positive(z), z, this.mul(z, this.scalar(LEAKY_RELU_ALPHA))]) : this.op('LeakyRelu', [z], [floatAttr('alpha', LEAKY_RELU_ALPHA)]);
      case 'elu':
        return d ? this.op('Where', [this.positive(z), z, this.sub(this.op('Exp', [this.negativePart(z)]), this.scalar(1))]) : this.op('Elu', [z], [floatAttr('alpha', 1)]);
      case 'selu':
        return d
          ? this.mul(this.op('Where', [this.positive(z), z, this.mul(this.sub(this.op('Exp', [this.negativePart(z)]), this.scalar(1)), this.scalar(SELU_ALPHA))]), this.scalar(SELU_GAMMA))
          : this.op('Selu', [z], [floatAttr('alpha', SELU_ALPHA), floatAttr('gamma', SELU_GAMMA)]);
      case 'tanh':
        return this.op('Tanh', [z]);
      case 'sigmoid':
        return this.sigmoid(z);
      case 'softplus':
        return d ? this.softplusDouble(z) : this.op('Softplus', [z]);
      case 'softmax':
        return this.op('Softmax', [z], [intAttr('axis', -1)]);
      case 'gelu':
        return this.mul(z, this.normalCdf(z));
    }
  }

  /** max(z, 0) + log(1 + e^−|z|). */
  softplusDouble(z: string): string {
    return this.add(this.op('Relu', [z]), this.op('Log', [this.add(this.op('Exp', [this.op('Neg', [this.op('Abs', [z])])]), this.scalar(1))]));
  }

  /** onnxruntime's CPU provider has no double Erf: a double graph takes it in float (gelu is float32-accurate there). */
  override erf(t: string): string {
    if (!this.double) return this.op('Erf', [t]);
    const asFloat = this.op('Cast', [t], [intAttr('to', ONNX.TensorProto.DataType.FLOAT)]);
    return this.op('Cast', [this.op('Erf', [asFloat])], [intAttr('to', this.elem)]);
  }


  /** σ''(z); undefined where it is zero (linear, relu, leakyRelu) or not elementwise (softmax). */
  secondDerivative(act: Activation, z: string, a: string): string | undefined {
    switch (act) {
      case 'elu':
        return this.op('Where', [this.positive(z), this.scalar(0), this.add(a, this.scalar(1))]);
      case 'selu':
        return this.op('Where', [this.positive(z), this.scalar(0), this.add(a, this.scalar(SELU_GAMMA * SELU_ALPHA))]);
      case 'tanh':
        return this.mul(this.mul(a, this.scalar(-2)), this.sub(this.scalar(1), this.mul(a, a)));
      case 'sigmoid':
        return this.mul(this.mul(a, this.sub(this.scalar(1), a)), this.sub(this.scalar(1), this.mul(a, this.scalar(2))));
      case 'softplus': {
        const s = this.sigmoid(z);
        return this.mul(s, this.sub(this.scalar(1), s));
      }
      case 'gelu':
        return this.mul(this.normalPdf(z), this.sub(this.scalar(2), this.mul(z, z)));
      default:
        return undefined;
    }
  }
}

function floatAttr(name: string, f: number): onnx.IAttributeProto {
  return { name, type: ONNX.AttributeProto.AttributeType.FLOAT, f };
}

function intAttr(name: string, i: number): onnx.IAttributeProto {
  return { name, type: ONNX.AttributeProto.AttributeType.INT, i };
}

/** The activation's Jacobian (symmetric) times d; derivative tensors cached per layer. */
interface ActivationAt {
  act: Activation;
  z: string;
  a: string;
  first?: string;
  second?: string;
}

function activationAt(b: Builder, act: Activation, z: string, a: string, withSecond: boolean): ActivationAt {
  return { act, z, a, first: b.activationSlope(act, z, a), second: withSecond ? b.secondDerivative(act, z, a) : undefined };
}

function jacobianProduct(b: Builder, s: ActivationAt, d: string): string {
  if (s.act === 'linear') return d;
  if (s.act === 'softmax') return b.mul(s.a, b.sub(d, b.rowSum(b.mul(s.a, d))));
  return b.mul(s.first!, d);
}

/** R{J_σᵀ}·g along Rz (g held): σ''⊙g⊙Rz, or softmax's Ra⊙(g − a·g) − a·(Ra·g). Undefined when zero. */
function secondTerm(b: Builder, s: ActivationAt, g: string, Rz: string): string | undefined {
  if (s.act === 'softmax') {
    const Ra = jacobianProduct(b, s, Rz);
    return b.sub(b.mul(Ra, b.sub(g, b.rowSum(b.mul(s.a, g)))), b.mul(s.a, b.rowSum(b.mul(Ra, g))));
  }
  return s.second ? b.mul(b.mul(s.second, g), Rz) : undefined;
}

function addMaybe(b: Builder, a: string, c: string | undefined): string {
  return c ? b.add(a, c) : a;
}

function clipPass(b: Builder, a: string, lo: number, hi: number): string {
  return b.indicator(b.op('And', [b.op('GreaterOrEqual', [a, b.scalar(lo)]), b.op('LessOrEqual', [a, b.scalar(hi)])]));
}

function valueInfo(name: string, elem: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: elem, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

/** Serialized ONNX model computing loss and hv = H·v (or G·v) for one stack. */
export function buildProductGraph(stack: DenseStack, kind: ProductKind, element: ElementType = 'float', options: { weighted?: boolean } = {}): Uint8Array {
  checkStack(stack);
  const elem = element === 'double' ? ONNX.TensorProto.DataType.DOUBLE : ONNX.TensorProto.DataType.FLOAT;
  const b = new Builder(elem);
  const hessian = kind === 'hessian';
  const layers = stack.layers;
  const last = layers.length - 1;
  const rows = b.op('Gather', [b.op('Shape', [INPUT_X]), b.ints([0], true)], [intAttr('axis', 0)]);
  const invRows = b.op('Reciprocal', [b.op('Cast', [rows], [intAttr('to', elem)])]);

  // Forward and R-forward.
  const hs: string[] = [];
  const Rhs: (string | undefined)[] = [];
  const zs: string[] = [];
  const Rzs: string[] = [];
  const acts: ActivationAt[] = [];
  let h = INPUT_X;
  let Rh: string | undefined;
  layers.forEach((l, i) => {
    hs.push(h);
    Rhs.push(Rh);
    const withBias = l.biasOffset >= 0;
    const z = withBias ? b.op('Gemm', [h, kernelInput(i), biasInput(i)]) : b.op('MatMul', [h, kernelInput(i)]);
    let Rz = withBias ? b.op('Gemm', [h, directionInput(kernelInput(i)), directionInput(biasInput(i))]) : b.op('MatMul', [h, directionInput(kernelInput(i))]);
    if (Rh) Rz = b.add(Rz, b.op('MatMul', [Rh, kernelInput(i)]));
    zs.push(z);
    Rzs.push(Rz);
    if (i === last) return;
    const a = b.activation(l.activation, z);
    const at = activationAt(b, l.activation, z, a, hessian);
    acts.push(at);
    h = a;
    Rh = jacobianProduct(b, at, Rz);
  });

  // The loss, ∂ℓ/∂z and R{∂ℓ/∂z}.
  const out = layers[last];
  const z = zs[last];
  const Rz = Rzs[last];
  const y = INPUT_Y;
  // Per row: 1/rows, or w_r/Σw with sample weights (rows × 1, broadcast over the outputs); mse and
  // binary cross-entropy also average over the K outputs.
  const perElement = stack.loss === 'softmax-crossentropy' ? 1 : 1 / out.units;
  let scale: string;
  if (options.weighted) {
    const w = b.op('Unsqueeze', [INPUT_WEIGHTS, b.ints([1])]);
    scale = b.mul(b.op('Div', [w, b.total(w)]), b.scalar(perElement));
  } else {
    scale = perElement === 1 ? invRows : b.mul(invRows, b.scalar(perElement));
  }
  const lossOut = (elementwise: string): void =>
    void (options.weighted ? b.op('ReduceSum', [b.mul(elementwise, scale)], [intAttr('keepdims', 0)], OUTPUT_LOSS) : b.op('Mul', [b.total(elementwise), scale], [], OUTPUT_LOSS));
  let dz: string;
  let Rdz: string;
  if (stack.loss === 'binary-crossentropy' && out.activation === 'sigmoid') {
    const tail = b.double ? b.op('Log', [b.add(b.op('Exp', [b.op('Neg', [b.op('Abs', [z])])]), b.scalar(1))]) : b.op('Softplus', [b.op('Neg', [b.op('Abs', [z])])]);
    lossOut(b.add(b.sub(b.op('Relu', [z]), b.mul(z, y)), tail));
    const p = b.sigmoid(z);
    dz = b.mul(b.sub(p, y), scale);
    Rdz = b.mul(b.mul(b.mul(p, b.sub(b.scalar(1), p)), Rz), scale);
  } else if (stack.loss === 'softmax-crossentropy' && out.activation === 'softmax') {
    const logp = b.op('LogSoftmax', [z], [intAttr('axis', -1)]);
    lossOut(b.op('Neg', [b.mul(y, logp)]));
    const p = b.op('Exp', [logp]);
    const ysum = b.rowSum(y);
    dz = b.mul(b.sub(b.mul(p, ysum), y), scale);
    Rdz = b.mul(b.mul(b.mul(p, b.sub(Rz, b.rowSum(b.mul(p, Rz)))), ysum), scale);
  } else {
    const p = b.activation(out.activation, z);
    const at = activationAt(b, out.activation, z, p, hessian);
    let gp: string;
    let lam: string;
    if (stack.loss === 'mse') {
      const d = b.sub(p, y);
      lossOut(b.mul(d, d));
      gp = b.mul(d, b.mul(scale, b.scalar(2)));
      lam = b.mul(scale, b.scalar(2));
    } else if (stack.loss === 'binary-crossentropy') {
      const pc = b.op('Clip', [p, b.scalar(BCE_LO), b.scalar(BCE_HI)]);
      const qc = b.sub(b.scalar(1), pc);
      const oneMinusY = b.sub(b.scalar(1), y);
      lossOut(b.op('Neg', [b.add(b.mul(y, b.op('Log', [pc])), b.mul(oneMinusY, b.op('Log', [qc])))]));
      const pass = b.mul(clipPass(b, p, BCE_LO, BCE_HI), scale);
      gp = b.mul(b.sub(b.op('Div', [oneMinusY, qc]), b.op('Div', [y, pc])), pass);
      lam = b.mul(b.add(b.op('Div', [y, b.mul(pc, pc)]), b.op('Div', [oneMinusY, b.mul(qc, qc)])), pass);
    } else {
      const pc = b.op('Clip', [p, b.scalar(PROB_EPSILON), b.scalar(1)]);
      lossOut(b.op('Neg', [b.mul(y, b.op('Log', [pc]))]));
      const pass = b.mul(clipPass(b, p, PROB_EPSILON, 1), scale);
      gp = b.mul(b.op('Neg', [b.op('Div', [y, pc])]), pass);
      lam = b.mul(b.op('Div', [y, b.mul(pc, pc)]), pass);
    }
    dz = jacobianProduct(b, at, gp);
    Rdz = jacobianProduct(b, at, b.mul(lam, jacobianProduct(b, at, Rz)));
    if (hessian) Rdz = addMaybe(b, Rdz, secondTerm(b, at, gp, Rz));
  }

  // Backward, R-backward; only the R-parts are outputs.
  const products = new Map<string, string>();
  for (let i = last; i >= 0; i--) {
    const l = layers[i];
    let RgW = b.op('Gemm', [hs[i], Rdz], [intAttr('transA', 1)]);
    const RhIn = Rhs[i];
    if (hessian && RhIn) RgW = b.add(RgW, b.op('Gemm', [RhIn, dz], [intAttr('transA', 1)]));
    products.set(kernelInput(i), b.op('Reshape', [RgW, b.ints([-1])]));
    if (l.biasOffset >= 0) products.set(biasInput(i), b.op('ReduceSum', [Rdz, b.ints([0])], [intAttr('keepdims', 0)]));
    if (i === 0) break;
    const below = acts[i - 1];
    const dh = b.op('Gemm', [dz, kernelInput(i)], [intAttr('transB', 1)]);
    let Rdh = b.op('Gemm', [Rdz, kernelInput(i)], [intAttr('transB', 1)]);
    if (hessian) Rdh = b.add(Rdh, b.op('Gemm', [dz, directionInput(kernelInput(i))], [intAttr('transB', 1)]));
    Rdz = jacobianProduct(b, below, Rdh);
    if (hessian) Rdz = addMaybe(b, Rdz, secondTerm(b, below, dh, Rzs[i - 1]));
    dz = jacobianProduct(b, below, dh);
  }
  const blocks = parameterBlocks(stack);
  b.op('Concat', blocks.map((blk) => products.get(blk.input)!), [intAttr('axis', 0)], OUTPUT_HV);

  const inputs = [valueInfo(INPUT_X, elem, ['batch', stack.inputDim]), valueInfo(INPUT_Y, elem, ['batch', out.units])];
  for (const blk of blocks) inputs.push(valueInfo(blk.input, elem, blk.dims));
  for (const blk of blocks) inputs.push(valueInfo(directionInput(blk.input), elem, blk.dims));
  if (options.weighted) inputs.push(valueInfo(INPUT_WEIGHTS, elem, ['batch']));
  const model = ONNX.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'curvature-engine',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: `curvature_${kind}_vector_product`,
      node: b.nodes,
      initializer: b.initializers,
      input: inputs,
      output: [valueInfo(OUTPUT_LOSS, elem, []), valueInfo(OUTPUT_HV, elem, [stack.parameterCount])],
    },
  });
  return ONNX.ModelProto.encode(model).finish();
}
