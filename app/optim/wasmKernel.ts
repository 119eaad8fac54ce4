/**
 * What the WebAssembly SIMD kernels (denseSweep.wat, cholesky.wat) share: their committed module
 * compiled once on first use, and a fixed-size 32-bit memory with rows padded for aligned f64x2
 * loads. Where the runtime lacks WebAssembly SIMD each caller runs its JavaScript code instead.
 */

const PAGE = 65536;
/** A 32-bit memory holds at most 2^16 pages. */
const MAX_PAGES = 65536;

/**
 * A loader for one kernel's base64 bytes: the compiled module, or null where this runtime lacks
 * WebAssembly SIMD (validate() is false there). Decided on the first call, once.
 */
export function lazyKernel(base64: string): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled !== undefined) return compiled;
    compiled = null;
    try {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
    return compiled;
  };
}

/** Rows padded to an even length: every row then starts 16-byte aligned. */
export const evenStride = (n: number): number => n + (n & 1);

/** Whole pages holding `bytes`, in bytes, or null when a 32-bit memory cannot hold them. */
export function memoryBytes(bytes: number): number | null {
  const pages = Math.ceil(bytes / PAGE);
  return pages <= MAX_PAGES ? Math.max(1, pages) * PAGE : null;
}

/** A memory of exactly `bytes` (whole pages), never grown, so a budget check covers every byte. */
export function fixedMemory(bytes: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: bytes / PAGE, maximum: bytes / PAGE });
}
