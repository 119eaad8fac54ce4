/**
 * onnxruntime engine entry point: the dense stack's forward pass and hand-derived backward pass as
 * ONNX graphs (graph.ts), run on onnxruntime-node's CPU provider through its synchronous native
 * session (runtime.ts says why), one program per model (program.ts).
 */
import type { ComputeEngine, DenseStack, StackProgram, Precision } from '../engine';
import { checkStack } from './graph';
import { OnnxStackProgram } from './program';
import { onnxRuntime, runtimeUnavailableReason } from './runtime';
import { physicalCores } from './threads';
import { DEVICE_LABELS, deviceUnavailableReason, localDeviceHost, type OnnxDevice } from './devices';

export interface OnnxEngineOptions {
  /** Intra-op threads; default: the machine's physical cores. */
  threads?: number;
  /** Where sessions compute (devices.ts); the CPU provider by default. */
  device?: OnnxDevice;
}

/** Why the onnxruntime engine cannot use `device` here without trying it (build, OS, provider library), or null. */
export function onnxDeviceUnavailableReason(device: OnnxDevice): string | null {
  const reason = onnxUnavailableReason();
  if (reason) return reason;
  const host = localDeviceHost();
  return host ? deviceUnavailableReason(device, host) : 'onnxruntime-node did not load';
}

let selfTest: string | null | undefined;

/**
 * Runs a one-weight model through the whole path (graph build, native session, run, fetch) and
 * checks the numbers: the binding is not a documented API, so a future onnxruntime-node that
 * changed it shows up here as a reason, not as a crash or a wrong gradient in the middle of a run.
 */
function checkEndToEnd(): string | null {
  try {
    const stack: DenseStack = {
      inputDim: 1,
      layers: [{ fanIn: 1, units: 1, activation: 'linear', dropout: 0, kernelOffset: 0, biasOffset: 1 }],
      loss: 'mse',
      parameterCount: 2,
    };
    const program = new OnnxStackProgram(stack, { threads: 1 });
    try {
      // z = 3·2 + 1 = 7, loss (7 − 5)² = 4, dz = 4, ∂W = 3·4 = 12, ∂b = 4
      const grad = new Float64Array(2);
      const loss = program.valueAndGradient(Float64Array.of(2, 1), program.upload(Float32Array.of(3), Float32Array.of(5), 1), grad);
      if (loss !== 4 || grad[0] !== 12 || grad[1] !== 4) return `onnxruntime-node ${onnxRuntime().version} gave wrong results in a self-test (loss ${loss}, gradient ${grad.join(', ')})`;
    } finally {
      program.dispose();
    }
    return null;
  } catch (e) {
    return `onnxruntime-node ${onnxRuntime().version} failed a self-test: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Why onnxruntime cannot run here (package missing, no build for this platform, binding broken), or null. */
export function onnxUnavailableReason(): string | null {
  const reason = runtimeUnavailableReason();
  if (reason) return reason;
  selfTest ??= checkEndToEnd();
  return selfTest;
}

/** Why `device` cannot compile a `precision` program, or null. GPU providers compute float32 only. */
export function precisionRefusal(device: OnnxDevice, precision: Precision): string | null {
  if (precision === 'float32') return null;
  if (device !== 'cpu') return `${precision} runs stay on the CPU: the ${DEVICE_LABELS[device]} device computes float32 only (choose device cpu)`;
  return null;
}

export function createOnnxEngine(options: OnnxEngineOptions = {}): ComputeEngine {
  const threads = options.threads ?? physicalCores();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new Error(`onnxruntime engine: threads must be a whole number from 1 to 1024, got ${options.threads}`);
  }
  const device = options.device ?? 'cpu';
  const reason = onnxUnavailableReason();
  if (reason) throw new Error(`the onnxruntime engine cannot run here: ${reason}`);
  const unavailable = onnxDeviceUnavailableReason(device);
  if (unavailable) throw new Error(`the onnxruntime engine cannot use ${device}: ${unavailable}`);
  const { version } = onnxRuntime();
  const where = device === 'cpu' ? `CPU, ${threads} thread${threads === 1 ? '' : 's'}` : DEVICE_LABELS[device];
  return {
    name: 'onnxruntime',
    label: `onnxruntime ${version} (${where})`,
    threads,
    device,
    // float64 graphs run on the CPU provider only: GPU devices compute float32 (precisionRefusal).
    precisions: device === 'cpu' ? ['float32', 'float64'] : ['float32'],
    compile(stack: DenseStack, precision: Precision = 'float32'): StackProgram {
      const refusal = precisionRefusal(device, precision);
      if (refusal) throw new Error(refusal);
      checkStack(stack);
      return new OnnxStackProgram(stack, { threads, device }, precision);
    },
  };
}
