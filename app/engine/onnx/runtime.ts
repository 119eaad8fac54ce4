/**
 * Loads onnxruntime-node and reaches its synchronous native session.
 *
 * Why synchronous, and why this path: the optimizers are synchronous steppers (a line search calls
 * f and ∇f many times inside one step), and onnxruntime-node's public `InferenceSession.run` is
 * only an async wrapper — `dist/backend.js` calls the native binding's `run` synchronously inside a
 * `setImmediate` + Promise. The binding ("a simple synchronized inference session object wrap", its
 * own words in `dist/binding.d.ts`) is what every evaluation really executes, so calling it directly
 * adds nothing. bench/onnx-engine.ts measures the public `await session.run` of the same graph
 * slower than the engine's whole synchronous valueAndGradient (figures in bench/README.md): the
 * macrotask hop and Promise cost more than the copies, and going async would also turn every
 * optimizer, line search and gradient check above into async code. A worker thread + Atomics.wait was rejected without
 * building it: it keeps the caller synchronous but adds two thread hand-offs and copies θ and ∇θ
 * across threads on every call, to end up calling this same synchronous binding in the worker.
 *
 * The binding is not a documented API, so everything it must offer is checked when it loads, and a
 * change in a future onnxruntime-node turns into one clear "unavailable" reason (the engine choice
 * then falls back to tfjs) instead of a crash mid-run.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

// Not named `require`: electron-vite injects its own `require` shim into ESM chunks.
const nodeRequire = createRequire(import.meta.url);

const PACKAGE = 'onnxruntime-node';

/** The subset of onnxruntime-common's Tensor the engine uses. */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
/** The tensor element types the engine feeds: its two precisions. */
export type OrtElement = 'float32' | 'float64';
export type OrtTensorConstructor = {
  new (type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensor;
  new (type: 'float64', data: Float64Array, dims: readonly number[]): OrtTensor;
  new (type: OrtElement, data: Float32Array | Float64Array, dims: readonly number[]): OrtTensor;
};

export interface NativeSessionOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  graphOptimizationLevel: 'all';
  executionMode: 'sequential';
  enableCpuMemArena: boolean;
  enableMemPattern: boolean;
  /** Provider names ('webgpu', 'dml', 'cuda'); the CPU provider when absent. */
  executionProviders?: string[];
  extra?: Record<string, unknown>;
}

/** The native session object of onnxruntime-node's binding (dist/binding.d.ts). */
export interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: NativeSessionOptions): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
}

export interface OnnxRuntime {
  version: string;
  Tensor: OrtTensorConstructor;
  newSession(): NativeSession;
}

let loaded: { runtime: OnnxRuntime } | { error: string } | undefined;

/** Why the installed package at `root` has no native build for platform-arch, or null. */
export function missingBuildReason(root: string, version: string, platform: string, arch: string): string | null {
  if (fs.existsSync(path.join(root, 'bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node'))) return null;
  const note = platform === 'darwin' && arch === 'x64' ? ' (onnxruntime-node ships no Intel macOS build)' : '';
  return `${PACKAGE} ${version} has no build for ${platform}-${arch}${note}`;
}

function load(): { runtime: OnnxRuntime } | { error: string } {
  let pkgJson: string;
  try {
    pkgJson = nodeRequire.resolve(`${PACKAGE}/package.json`);
  } catch {
    return { error: `${PACKAGE} is not installed` };
  }
  const root = path.dirname(pkgJson);
  const version = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { version?: string }).version ?? 'unknown';
  const missing = missingBuildReason(root, version, process.platform, process.arch);
  if (missing) return { error: missing };
  try {
    // The public entry registers the CPU backend and exports Tensor; the binding module is the
    // synchronous native session behind InferenceSession.run (see the comment at the top).
    const ort = nodeRequire(PACKAGE) as { Tensor?: unknown };
    const bindingModule = nodeRequire(`${PACKAGE}/dist/binding`) as {
      binding?: { InferenceSession?: unknown };
      initOrt?: unknown;
    };
    const Session = bindingModule.binding?.InferenceSession;
    const initOrt = bindingModule.initOrt;
    if (typeof ort.Tensor !== 'function' || typeof Session !== 'function' || typeof initOrt !== 'function') {
      return { error: `${PACKAGE} ${version} changed its internal binding (dist/binding: binding.InferenceSession, initOrt); Curvature's engine was written against 1.30` };
    }
    const proto = (Session as { prototype: Record<string, unknown> }).prototype;
    for (const method of ['loadModel', 'run', 'dispose']) {
      if (typeof proto[method] !== 'function') {
        return { error: `${PACKAGE} ${version}: its native session has no ${method}(); Curvature's engine was written against 1.30` };
      }
    }
    (initOrt as () => void)();
    const NativeCtor = Session as new () => NativeSession;
    return { runtime: { version, Tensor: ort.Tensor as OrtTensorConstructor, newSession: () => new NativeCtor() } };
  } catch (e) {
    return { error: `${PACKAGE} ${version} failed to load its native binding: ${(e as Error).message.split('\n')[0]}` };
  }
}

function state(): { runtime: OnnxRuntime } | { error: string } {
  loaded ??= load();
  return loaded;
}

export function runtimeUnavailableReason(): string | null {
  const s = state();
  return 'error' in s ? s.error : null;
}

export function onnxRuntime(): OnnxRuntime {
  const s = state();
  if ('error' in s) throw new Error(`the onnxruntime engine cannot run here: ${s.error}`);
  return s.runtime;
}
