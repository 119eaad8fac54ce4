/**
 * onnxruntime engine entry point: the dense stack's forward pass and hand-derived backward pass as
 * ONNX graphs (graph.ts), run on onnxruntime-node's CPU provider through its synchronous native
 * session (runtime.ts says why), one program per model (program.ts).
 */
import type { ComputeEngine, DenseStack, StackProgram } from '../engine';
import { checkStack } from './graph';
import { OnnxStackProgram } from './program';
import { onnxRuntime, runtimeUnavailableReason } from './runtime';
import { physicalCores } from './threads';

export interface OnnxEngineOptions {
  /** Intra-op threads; default: the machine's physical cores. */
  threads?: number;
}

/** Why onnxruntime cannot run here (package missing, no build for this platform), or null. */
export function onnxUnavailableReason(): string | null {
  return runtimeUnavailableReason();
}

export function createOnnxEngine(options: OnnxEngineOptions = {}): ComputeEngine {
  const threads = options.threads ?? physicalCores();
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new Error(`onnxruntime engine: threads must be a whole number from 1 to 1024, got ${options.threads}`);
  }
  const { version } = onnxRuntime(); // throws with the reason when unavailable
  return {
    name: 'onnxruntime',
    label: `onnxruntime ${version} (CPU, ${threads} thread${threads === 1 ? '' : 's'})`,
    compile(stack: DenseStack): StackProgram {
      checkStack(stack);
      return new OnnxStackProgram(stack, { threads });
    },
  };
}
