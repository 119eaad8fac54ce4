/**
 * ONNX graphs for Levenberg–Marquardt's products on the onnxruntime engine: the residuals
 * e = √w (out − y) of a row chunk and their Jacobian J = ∂e/∂θ ((rows·K) × n, columns in θ order),
 * and, in the 'gauss-newton' kind, JᵀJ and Jᵀe of the chunk formed by the engine's Gemm.
 *
 * J is built by one backward pass over "pseudo-rows" (row r, output k): δ_L has shape rows × K × K
 * (the output activation's Jacobian scaled by √w), each layer's δ is a batched MatMul with Wᵀ, and a
 * kernel's block of J is the broadcast outer product h ⊗ δ reshaped to (rows·K) × (fanIn·units).
 * Cost per chunk: rows·K·n to form J, rows·K·n² for JᵀJ (Gemm, transA) — the part that dominates.
 *
 * Element type is a parameter (FLOAT for float32 programs, DOUBLE for float64 ones). Every op used
 * has a double kernel in onnxruntime's CPU provider except Erf, so gelu is refused in DOUBLE;
 * activations are spelled with Exp/Log/Max/Where rather than Elu/Selu/Softplus/LeakyRelu (float-only
 * kernels there). Opset 13, like graph.ts.
 */
import type { onnx } from 'onnx-proto';
import { GraphCore, ONNX, SELU_ALPHA, SELU_GAMMA } from './graphCore';
import { LEAKY_RELU_ALPHA, type Activation, type DenseStack } from '../engine';
import { biasInput, checkStack, INPUT_X, INPUT_Y, kernelInput, parameterBlocks } from './graph';


export const ELEMENT_FLOAT = ONNX.TensorProto.DataType.FLOAT;
export const ELEMENT_DOUBLE = ONNX.TensorProto.DataType.DOUBLE;
export type ElementType = typeof ELEMENT_FLOAT | typeof ELEMENT_DOUBLE;


/** √w per row (rows × 1): ones without sample weights. */
export const INPUT_ROOT_WEIGHTS = 'root_weights';
export const OUTPUT_RESIDUALS = 'residuals';
export const OUTPUT_JACOBIAN = 'jacobian';
export const OUTPUT_JTJ = 'jtj';
export const OUTPUT_JTE = 'jte';

/** 'jacobian': e and J of the chunk. 'gauss-newton': e, JᵀJ and Jᵀe of the chunk (J stays inside). */
export type JacobianGraphKind = 'jacobian' | 'gauss-newton';

class TypedGraph extends GraphCore {

  activation(act: Activation, z: string): string {
    switch (act) {
      case 'linear':
        return z;
      case 'relu':
        return this.op('Max', [z, this.scalar(0)]);
      case 'leakyRelu':
        return this.op('Where', [this.positive(z), z, this.mul(z, this.scalar(LEAKY_RELU_ALPHA))]);
      case 'elu':
        return this.op('Where', [this.positive(z), z, this.sub(this.op('Exp', [z]), this.scalar(1))]);
      case 'selu':
        return this.op('Where', [
          this.positive(z),
          this.mul(z, this.scalar(SELU_GAMMA)),
          this.mul(this.sub(this.op('Exp', [z]), this.scalar(1)), this.scalar(SELU_GAMMA * SELU_ALPHA)),
        ]);
      case 'tanh':
        return this.op('Tanh', [z]);
      case 'sigmoid':
        return this.sigmoid(z);
      case 'softplus': // max(z, 0) + log(1 + e^−|z|)
        return this.add(this.op('Max', [z, this.scalar(0)]), this.op('Log', [this.add(this.op('Exp', [this.op('Neg', [this.op('Abs', [z])])]), this.scalar(1))]));
      case 'softmax':
        return this.op('Softmax', [z], [intAttr('axis', -1)]);
      case 'gelu':
        return this.mul(z, this.normalCdf(z));
    }
  }


  /**
   * g (rows × K × units) ← act'(z)ᵀ g along the last axis, z and a rows × units (broadcast over K).
   * Softmax: a ⊙ (g − Σ g ⊙ a).
   */
  backward(act: Activation, z: string, a: string, g: string): string {
    if (act === 'linear') return g;
    const a3 = this.op('Unsqueeze', [a, this.ints([1])]);
    if (act === 'softmax') return this.mul(a3, this.sub(g, this.op('ReduceSum', [this.mul(g, a3), this.ints([-1])], [intAttr('keepdims', 1)])));
    const d3 = this.op('Unsqueeze', [this.activationSlope(act, z, a)!, this.ints([1])]);
    return this.mul(g, d3);
  }
}

function intAttr(name: string, i: number): onnx.IAttributeProto {
  return { name, type: ONNX.AttributeProto.AttributeType.INT, i };
}

function valueInfo(name: string, elem: ElementType, dims: (number | string)[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: elem, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

/** Why this stack has no Jacobian graph in this element type, or null. */
export function jacobianGraphRefusal(stack: DenseStack, elem: ElementType): string | null {
  if (stack.loss !== 'mse') return `the Jacobian graph is for the mse loss; this model's loss is ${stack.loss}`;
  if (elem === ELEMENT_DOUBLE && stack.layers.some((l) => l.activation === 'gelu')) return "onnxruntime's CPU provider has no double Erf kernel, which gelu needs";
  return null;
}

/** Serialized ONNX model: residuals and J (or JᵀJ and Jᵀe) of a chunk of rows. */
export function buildJacobianGraph(stack: DenseStack, kind: JacobianGraphKind, elem: ElementType = ELEMENT_FLOAT): Uint8Array {
  checkStack(stack);
  const refusal = jacobianGraphRefusal(stack, elem);
  if (refusal) throw new Error(`onnxruntime engine: ${refusal}`);
  const g = new TypedGraph(elem);
  const layers = stack.layers;
  const L = layers.length;
  const K = layers[L - 1].units;
  const n = stack.parameterCount;

  const hs: string[] = [];
  const zs: string[] = [];
  const as: string[] = [];
  let h = INPUT_X;
  layers.forEach((l, i) => {
    hs.push(h);
    const z = l.biasOffset >= 0 ? g.op('Gemm', [h, kernelInput(i), biasInput(i)]) : g.op('MatMul', [h, kernelInput(i)]);
    zs.push(z);
    const a = g.activation(l.activation, z);
    as.push(a);
    h = a;
  });
  const out = as[L - 1];
  // e (rows·K), row-major over (row, output).
  const e = g.op('Reshape', [g.mul(g.sub(out, INPUT_Y), INPUT_ROOT_WEIGHTS), g.ints([-1, 1])]);

  // δ_L[r, k, j] = √w_r · ∂out_k/∂z_j
  const eye = g.constant(
    Array.from({ length: K * K }, (_, i) => (Math.floor(i / K) === i % K ? 1 : 0)),
    [K, K],
  );
  const sw3 = g.op('Unsqueeze', [INPUT_ROOT_WEIGHTS, g.ints([2])]); // rows × 1 × 1
  let delta: string;
  const outAct = layers[L - 1].activation;
  if (outAct === 'softmax') {
    // a_k (I_kj − a_j)
    delta = g.mul(g.op('Unsqueeze', [out, g.ints([2])]), g.sub(eye, g.op('Unsqueeze', [out, g.ints([1])])));
  } else if (outAct === 'linear') {
    delta = eye; // broadcast to rows × K × K by the √w product below
  } else {
    delta = g.mul(eye, g.op('Unsqueeze', [g.activationSlope(outAct, zs[L - 1], out)!, g.ints([1])]));
  }
  delta = g.mul(delta, sw3);

  const blocks = new Map<string, string>();
  for (let i = L - 1; i >= 0; i--) {
    const l = layers[i];
    // J block of the kernel: h[r, a] · δ[r, k, b] → (rows·K) × (fanIn·units)
    const outer = g.mul(g.op('Unsqueeze', [hs[i], g.ints([1, 3])]), g.op('Unsqueeze', [delta, g.ints([2])]));
    blocks.set(kernelInput(i), g.op('Reshape', [outer, g.ints([-1, l.fanIn * l.units])]));
    if (l.biasOffset >= 0) blocks.set(biasInput(i), g.op('Reshape', [delta, g.ints([-1, l.units])]));
    if (i === 0) break;
    const back = g.op('MatMul', [delta, g.op('Transpose', [kernelInput(i)], [{ name: 'perm', type: ONNX.AttributeProto.AttributeType.INTS, ints: [1, 0] }])]);
    delta = g.backward(layers[i - 1].activation, zs[i - 1], as[i - 1], back);
  }
  const J = g.op('Concat', parameterBlocks(stack).map((b) => blocks.get(b.input)!), [intAttr('axis', 1)]);

  const outputs: onnx.IValueInfoProto[] = [];
  if (kind === 'jacobian') {
    g.op('Identity', [J], [], OUTPUT_JACOBIAN);
    g.op('Reshape', [e, g.ints([-1])], [], OUTPUT_RESIDUALS);
    outputs.push(valueInfo(OUTPUT_RESIDUALS, elem, ['pseudo_rows']), valueInfo(OUTPUT_JACOBIAN, elem, ['pseudo_rows', n]));
  } else {
    g.op('Gemm', [J, J], [intAttr('transA', 1)], OUTPUT_JTJ);
    g.op('Reshape', [g.op('Gemm', [J, e], [intAttr('transA', 1)]), g.ints([-1])], [], OUTPUT_JTE);
    g.op('Reshape', [e, g.ints([-1])], [], OUTPUT_RESIDUALS);
    outputs.push(valueInfo(OUTPUT_RESIDUALS, elem, ['pseudo_rows']), valueInfo(OUTPUT_JTJ, elem, [n, n]), valueInfo(OUTPUT_JTE, elem, [n]));
  }

  const inputs = [valueInfo(INPUT_X, elem, ['batch', stack.inputDim]), valueInfo(INPUT_Y, elem, ['batch', K]), valueInfo(INPUT_ROOT_WEIGHTS, elem, ['batch', 1])];
  for (const b of parameterBlocks(stack)) inputs.push(valueInfo(b.input, elem, b.dims));
  const model = ONNX.ModelProto.create({
    irVersion: 8,
    producerName: 'curvature-engine',
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: `curvature_${kind}`, node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
  });
  return ONNX.ModelProto.encode(model).finish();
}
