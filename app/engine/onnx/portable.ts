/**
 * The training graphs spelled with the ops a GPU provider has. onnxruntime-node 1.30's WebGPU
 * provider has no LogSoftmax and no Selu kernel (its binary has kernels for Softmax, Elu, Softplus,
 * And, Where, ReduceMax, …), so a session on it would put those nodes on the CPU, which a GPU
 * session forbids (devices.ts): every softmax classifier would be refused. Rewritten here, for that
 * device only, into ops it has, with the same value:
 *
 * - LogSoftmax(z) = (z − m) − log Σ exp(z − m), m = max z over the axis (the stable form);
 * - Selu(x; α, γ) = γ · Elu(x; α).
 *
 * The last node of each replacement keeps the original node's name and output, so a refusal still
 * names nodes a reader can find in graph.ts.
 */
import * as onnxModule from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import type { OnnxDevice } from './devices';

type OnnxNamespace = typeof onnx;
const ONNX: OnnxNamespace =
  (onnxModule as unknown as { onnx?: OnnxNamespace }).onnx ??
  (onnxModule as unknown as { default: { onnx: OnnxNamespace } }).default.onnx;

/** Ops each device lacks that the training graphs use, by device. */
const MISSING: Partial<Record<OnnxDevice, ReadonlySet<string>>> = { webgpu: new Set(['LogSoftmax', 'Selu']) };

function attr(node: onnx.INodeProto, name: string): onnx.IAttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function floatConstant(name: string, value: number): onnx.ITensorProto {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return { name, dims: [], dataType: ONNX.TensorProto.DataType.FLOAT, rawData: bytes };
}

function intsConstant(name: string, values: number[]): onnx.ITensorProto {
  const bytes = new Uint8Array(8 * values.length);
  values.forEach((v, k) => new DataView(bytes.buffer).setBigInt64(8 * k, BigInt(v), true));
  return { name, dims: [values.length], dataType: ONNX.TensorProto.DataType.INT64, rawData: bytes };
}

/** `model` unchanged when `device` has every op it uses, else rewritten as described above. */
export function portableModel(model: Uint8Array, device: OnnxDevice): Uint8Array {
  const missing = MISSING[device];
  if (!missing) return model;
  const decoded = ONNX.ModelProto.decode(model);
  const graph = decoded.graph;
  if (!graph?.node?.some((n) => missing.has(n.opType ?? ''))) return model;
  const nodes: onnx.INodeProto[] = [];
  const initializers = [...(graph.initializer ?? [])];
  let k = 0;
  const fresh = (base: string) => `portable/${base}/${k++}`;
  for (const n of graph.node) {
    const name = n.name || n.output![0];
    const out = n.output![0];
    const input = n.input![0];
    if (n.opType === 'LogSoftmax' && missing.has('LogSoftmax')) {
      // Opset 13: LogSoftmax's axis defaults to −1; ReduceMax takes axes as an attribute, ReduceSum as an input.
      const axis = Number(attr(n, 'axis')?.i ?? -1);
      const axes = fresh('axes');
      initializers.push(intsConstant(axes, [axis]));
      const m = fresh('max');
      const shifted = fresh('shifted');
      const e = fresh('exp');
      const s = fresh('sum');
      const l = fresh('log');
      nodes.push(
        { opType: 'ReduceMax', input: [input], output: [m], name: m, attribute: [{ name: 'axes', type: ONNX.AttributeProto.AttributeType.INTS, ints: [axis] }, { name: 'keepdims', type: ONNX.AttributeProto.AttributeType.INT, i: 1 }] },
        { opType: 'Sub', input: [input, m], output: [shifted], name: shifted },
        { opType: 'Exp', input: [shifted], output: [e], name: e },
        { opType: 'ReduceSum', input: [e, axes], output: [s], name: s, attribute: [{ name: 'keepdims', type: ONNX.AttributeProto.AttributeType.INT, i: 1 }] },
        { opType: 'Log', input: [s], output: [l], name: l },
        { opType: 'Sub', input: [shifted, l], output: [out], name },
      );
    } else if (n.opType === 'Selu' && missing.has('Selu')) {
      const alpha = attr(n, 'alpha')?.f ?? 1.6732632423543772;
      const gamma = attr(n, 'gamma')?.f ?? 1.0507009873554805;
      const elu = fresh('elu');
      const g = fresh('gamma');
      initializers.push(floatConstant(g, gamma));
      nodes.push(
        { opType: 'Elu', input: [input], output: [elu], name: elu, attribute: [{ name: 'alpha', type: ONNX.AttributeProto.AttributeType.FLOAT, f: alpha }] },
        { opType: 'Mul', input: [elu, g], output: [out], name },
      );
    } else {
      nodes.push(n);
    }
  }
  graph.node = nodes;
  graph.initializer = initializers;
  return ONNX.ModelProto.encode(decoded).finish();
}
