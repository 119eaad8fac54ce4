/**
 * The node and constant bookkeeping every ONNX graph builder here shares (training graphs, the
 * Jacobian graph, the R-operator graph): nodes with fresh names, constants of the graph's element
 * type shared by value, int64 shapes and axes, and the elementwise basics.
 */
import * as onnxModule from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { LEAKY_RELU_ALPHA, type Activation } from '../engine';

/** onnx-proto is CommonJS (`module.exports = root`): Node ESM exposes it as `default`, bundlers as named exports. */
export const ONNX: typeof onnx =
  (onnxModule as unknown as { onnx?: typeof onnx }).onnx ?? (onnxModule as unknown as { default: { onnx: typeof onnx } }).default.onnx;
const INT64 = ONNX.TensorProto.DataType.INT64;
const DOUBLE = ONNX.TensorProto.DataType.DOUBLE;
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_GAMMA = 1.0507009873554805;

export function intAttribute(name: string, i: number): onnx.IAttributeProto {
  return { name, type: ONNX.AttributeProto.AttributeType.INT, i };
}

export class GraphCore {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly constants = new Map<string, string>();
  private counter = 0;

  /** `elem`: the ONNX element type of every float tensor in the graph (FLOAT or DOUBLE). */
  constructor(readonly elem: number) {}

  /** Adds a node with a fresh output name (or `out`) and returns that name. */
  op(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = [], out?: string): string {
    const output = out ?? `${opType}_${this.counter++}`;
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute: attrs });
    return output;
  }

  /** A tensor initializer of the graph's element type (a scalar without dims), shared by value. */
  constant(values: number[], dims: number[] = []): string {
    const key = `f:${dims.join('x')}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = `const/${this.constants.size}`;
      this.constants.set(key, name);
      const size = this.elem === DOUBLE ? 8 : 4;
      const bytes = new Uint8Array(size * values.length);
      const view = new DataView(bytes.buffer);
      values.forEach((v, k) => (size === 8 ? view.setFloat64(8 * k, v, true) : view.setFloat32(4 * k, v, true)));
      this.initializers.push({ name, dims, dataType: this.elem, rawData: bytes });
    }
    return name;
  }

  scalar(value: number): string {
    return this.constant([value]);
  }

  /** An int64 vector initializer (shapes, axes), or a scalar with `scalar`. */
  ints(values: number[], scalar = false): string {
    const key = `i${scalar ? 's' : ''}:${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = `const/${this.constants.size}`;
      this.constants.set(key, name);
      const bytes = new Uint8Array(8 * values.length);
      const view = new DataView(bytes.buffer);
      values.forEach((v, k) => view.setBigInt64(8 * k, BigInt(v), true));
      this.initializers.push({ name, dims: scalar ? [] : [values.length], dataType: INT64, rawData: bytes });
    }
    return name;
  }

  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  /** Sum over the last axis, keeping it (rows × 1). */
  rowSum(a: string): string {
    return this.op('ReduceSum', [a, this.ints([1])], [intAttribute('keepdims', 1)]);
  }
  /** Sum of every element (a scalar). */
  total(a: string): string {
    return this.op('ReduceSum', [a], [intAttribute('keepdims', 0)]);
  }
  /** 1.0 where cond holds, else 0.0. */
  indicator(cond: string): string {
    return this.op('Cast', [cond], [intAttribute('to', this.elem)]);
  }
  positive(z: string): string {
    return this.op('Greater', [z, this.scalar(0)]);
  }
  sigmoid(z: string): string {
    return this.op('Reciprocal', [this.add(this.op('Exp', [this.op('Neg', [z])]), this.scalar(1))]);
  }
  /** The Erf op; a builder whose element type lacks a kernel for it overrides this. */
  erf(t: string): string {
    return this.op('Erf', [t]);
  }
  /** Φ(z) = ½(1 + erf(z/√2)). */
  normalCdf(z: string): string {
    return this.mul(this.add(this.erf(this.mul(z, this.scalar(Math.SQRT1_2))), this.scalar(1)), this.scalar(0.5));
  }
  normalPdf(z: string): string {
    return this.mul(this.op('Exp', [this.mul(this.mul(z, z), this.scalar(-0.5))]), this.scalar(1 / Math.sqrt(2 * Math.PI)));
  }

  /** act'(z) for an elementwise activation, given a = act(z); undefined for linear and softmax. */
  activationSlope(act: Activation, z: string, a: string): string | undefined {
    switch (act) {
      case 'linear':
      case 'softmax':
        return undefined;
      case 'relu':
        return this.indicator(this.positive(z));
      case 'leakyRelu':
        return this.op('Where', [this.positive(z), this.scalar(1), this.scalar(LEAKY_RELU_ALPHA)]);
      case 'elu':
        return this.op('Where', [this.positive(z), this.scalar(1), this.add(a, this.scalar(1))]);
      case 'selu':
        return this.op('Where', [this.positive(z), this.scalar(SELU_GAMMA), this.add(a, this.scalar(SELU_GAMMA * SELU_ALPHA))]);
      case 'tanh':
        return this.sub(this.scalar(1), this.mul(a, a));
      case 'sigmoid':
        return this.mul(a, this.sub(this.scalar(1), a));
      case 'softplus':
        return this.sigmoid(z);
      case 'gelu':
        return this.add(this.normalCdf(z), this.mul(z, this.normalPdf(z)));
    }
  }
}
