/**
 * The node and constant bookkeeping every ONNX graph builder here shares (training graphs, the
 * Jacobian graph, the R-operator graph): nodes with fresh names, constants of the graph's element
 * type shared by value, int64 shapes and axes, and the elementwise basics.
 */
import * as onnxModule from 'onnx-proto';
import type { onnx } from 'onnx-proto';

/** onnx-proto is CommonJS (`module.exports = root`): Node ESM exposes it as `default`, bundlers as named exports. */
export const ONNX: typeof onnx =
  (onnxModule as unknown as { onnx?: typeof onnx }).onnx ?? (onnxModule as unknown as { default: { onnx: typeof onnx } }).default.onnx;
const INT64 = ONNX.TensorProto.DataType.INT64;
const DOUBLE = ONNX.TensorProto.DataType.DOUBLE;

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
}
