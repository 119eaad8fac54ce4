/**
 * One onnxruntime session on the synchronous native binding: created from model bytes with the
 * engine's session options, run with named feeds, disposed exactly once (counted for leak tests).
 */
import { onnxRuntime, type NativeSession, type NativeSessionOptions, type OrtTensor } from './runtime';
import { portableModel } from './portable';
import { classifyDeviceError, cpuFallbackRefusal, deviceSessionOptions, DeviceRefusal, isCpuFallbackError, type OnnxDevice } from './devices';

export interface SessionSettings {
  /** Intra-op threads (the caller's physical cores by default). */
  threads: number;
  /** Where the session computes; the CPU provider when omitted. */
  device?: OnnxDevice;
  /**
   * Refuse a session that would run any node on the CPU provider. On by itself for GPU devices; on
   * the CPU device it refuses every graph (all nodes are the CPU's), which is how tests reach the
   * refusal path on a machine without a GPU.
   */
  forbidCpuFallback?: boolean;
}

export function sessionOptions(settings: SessionSettings): NativeSessionOptions {
  const device = settings.device ?? 'cpu';
  const forbidCpu = settings.forbidCpuFallback ?? device !== 'cpu';
  return {
    ...deviceSessionOptions(device),
    intraOpNumThreads: settings.threads,
    // One graph, one chain of dependent ops: inter-op parallelism has nothing to overlap.
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // The arena keeps freed blocks for reuse between runs (no malloc per run); memory patterns are
    // off because the batch dimension changes between full batch, minibatches and validation, and a
    // pattern planned for one shape is re-planned (and cached) per shape otherwise.
    enableCpuMemArena: true,
    enableMemPattern: false,
    extra: {
      session: {
        // Worker threads sleep when a run ends instead of spinning: the host does line-search and
        // L-BFGS work between runs, and the trainer shares the machine with the UI; spinning workers
        // made every evaluation slower on a busy machine (bench/README.md, "Thread spinning").
        intra_op: { allow_spinning: '0' },
        // session.disable_cpu_ep_fallback (see devices.ts)
        ...(forbidCpu ? { disable_cpu_ep_fallback: '1' } : {}),
      },
    },
  };
}

export class OnnxSession {
  private native: NativeSession | null;

  constructor(
    model: Uint8Array,
    settings: SessionSettings,
    private readonly onDispose: () => void,
  ) {
    const native = onnxRuntime().newSession();
    const device = settings.device ?? 'cpu';
    model = portableModel(model, device);
    try {
      native.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, sessionOptions(settings));
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      // A GPU session is refused rather than left copying tensors to the CPU on every evaluation.
      if (isCpuFallbackError(message)) throw cpuFallbackRefusal(device, model);
      if (device !== 'cpu') throw new DeviceRefusal(device, classifyDeviceError(device, message), 'unavailable');
      throw e;
    }
    this.native = native;
  }

  get live(): boolean {
    return this.native !== null;
  }

  /** Runs synchronously; `fetches` maps output names to a preallocated tensor or null. */
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, OrtTensor | null>): Record<string, OrtTensor> {
    if (!this.native) throw new Error('onnxruntime engine: the session was disposed');
    return this.native.run(feeds, fetches, {});
  }

  dispose(): void {
    if (!this.native) return;
    const native = this.native;
    this.native = null;
    native.dispose();
    this.onDispose();
  }
}
