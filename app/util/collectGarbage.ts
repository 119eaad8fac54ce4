/**
 * A full garbage collection on request, where the runtime allows one. Big buffers that just became
 * garbage (a raw table once its matrices exist) otherwise live until V8's next major collection,
 * which native allocations (onnxruntime's) do not prompt: both would then count in the peak memory.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | null | undefined;

/** Runs a full collection; does nothing where the runtime refuses to expose one. */
export function collectGarbage(): void {
  if (collect === undefined) collect = exposedGc();
  collect?.();
}

function exposedGc(): (() => void) | null {
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own;
  try {
    // --expose-gc set now applies to contexts created afterwards: a fresh one hands over its gc.
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}
