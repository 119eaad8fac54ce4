/**
 * The WebAssembly SIMD sweep of the dense inverse Hessian (denseSweep.wat): H and the sweep's vectors
 * live in one memory per matrix, sized once and never grown, so the caller's memory budget is checked
 * against every byte it will hold. Where WebAssembly SIMD is unavailable, or that memory would not fit
 * the budget or 32 bits, DenseInverseHessian sweeps in JavaScript.
 */
import { formatBytes } from '../util/bytes';
import { evenStride, fixedMemory, lazyKernel, memoryBytes } from './wasmKernel';
import { DENSE_SWEEP_WASM } from './denseSweepWasm';

/** s, Hy, v1, v2, out1, out2 after H, each one row stride long. */
const VECTORS = 6;

type SweepFn = (n: number, stride: number, H: number, s: number, Hy: number, v1: number, v2: number, o1: number, o2: number, tau: number, rho: number, c: number) => void;

const kernelModule = lazyKernel(DENSE_SWEEP_WASM);

/** Whether this runtime runs the WebAssembly sweep. */
export function wasmSweepAvailable(): boolean {
  return kernelModule() !== null;
}

/** Bytes of the memory the kernel needs for an n×n matrix, or null when a 32-bit memory cannot hold it. */
export function wasmSweepBytes(n: number): number | null {
  return memoryBytes((n + VECTORS) * evenStride(n) * 8);
}

/** One matrix's memory: views of H (row stride `stride`) and of the sweep's vectors, and the sweep. */
export class WasmSweep {
  readonly stride: number;
  readonly H: Float64Array;
  readonly s: Float64Array;
  readonly Hy: Float64Array;
  readonly v1: Float64Array;
  readonly v2: Float64Array;
  readonly out1: Float64Array;
  readonly out2: Float64Array;
  private readonly run: SweepFn;
  private readonly n: number;

  private constructor(n: number, memory: WebAssembly.Memory, run: SweepFn) {
    this.n = n;
    this.stride = evenStride(n);
    const { buffer } = memory;
    const hEntries = n * this.stride;
    const vector = (k: number) => new Float64Array(buffer, (hEntries + k * this.stride) * 8, n);
    this.H = new Float64Array(buffer, 0, hEntries);
    [this.s, this.Hy, this.v1, this.v2, this.out1, this.out2] = [0, 1, 2, 3, 4, 5].map(vector);
    this.run = run;
  }

  /**
   * The kernel's memory for an n×n matrix, or null where the JavaScript sweep must do: no SIMD, too
   * large for a 32-bit memory, or over the budget (the memory is allocated whole, never grown).
   */
  static create(n: number, memoryBudgetBytes: number): WasmSweep | null {
    const module = kernelModule();
    const bytes = wasmSweepBytes(n);
    if (!module || bytes === null || bytes > memoryBudgetBytes) return null;
    let memory: WebAssembly.Memory;
    try {
      memory = fixedMemory(bytes);
    } catch {
      throw new Error(`Dense BFGS could not reserve ${formatBytes(bytes)} for its inverse Hessian at n = ${n} parameters (out of memory); use L-BFGS.`);
    }
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return new WasmSweep(n, memory, instance.exports.sweep as SweepFn);
  }

  /**
   * out1 ← H·v1 and out2 ← H·v2 after H_ij ← τH_ij + a_i·Hy_j + b_i·s_j (a = −ρs, b = c·s − ρ·Hy);
   * τ = 1, ρ = c = 0 multiply only.
   */
  sweep(tau: number, rho: number, c: number): void {
    const at = (v: Float64Array) => v.byteOffset;
    this.out1.fill(0);
    this.out2.fill(0);
    this.run(this.n, this.stride, 0, at(this.s), at(this.Hy), at(this.v1), at(this.v2), at(this.out1), at(this.out2), tau, rho, c);
  }
}
