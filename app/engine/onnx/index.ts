/**
 * onnxruntime engine entry point. PLACEHOLDER until the onnxruntime engine lands (issue 9): the
 * signatures below are the contract the engine choice (app/engine/select.ts) is written against.
 */
import type { ComputeEngine } from '../engine';

export interface OnnxEngineOptions {
  /** Intra-op threads; default: the machine's physical cores. */
  threads?: number;
}

/** Why onnxruntime cannot run here (package missing, no build for this platform), or null. */
export function onnxUnavailableReason(): string | null {
  return 'the onnxruntime engine is not built yet';
}

export function createOnnxEngine(_options: OnnxEngineOptions = {}): ComputeEngine {
  throw new Error('the onnxruntime engine is not built yet');
}
