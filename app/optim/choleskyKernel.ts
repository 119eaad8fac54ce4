/**
 * The WebAssembly SIMD Cholesky (cholesky.wat): the matrix, a right-hand side and the inverse
 * trace's four columns live in one memory per system, sized once from n and never grown, so the
 * caller's memory budget is checked against every byte it will hold. Where WebAssembly SIMD is
 * unavailable, or that memory would not fit the budget or 32 bits, CholeskySystem runs the
 * JavaScript factorisation instead.
 */
import { evenStride, fixedMemory, lazyKernel, memoryBytes } from './wasmKernel';
import { CHOLESKY_WASM } from './choleskyWasm';

/** The right-hand side, then the inverse trace's four columns, each one row stride long. */
const VECTORS = 5;
/** The factor's eight dot products of a 4 × 2 block, after the vectors. */
const SCRATCH_BYTES = 64;

interface CholeskyExports {
  factor(n: number, stride: number, A: number, scratch: number, width: number): number;
  solve(n: number, stride: number, L: number, x: number): void;
  inverseTrace(n: number, stride: number, L: number, Y: number): number;
}

const kernelModule = lazyKernel(CHOLESKY_WASM);

/** Whether this runtime runs the WebAssembly Cholesky. */
export function wasmCholeskyAvailable(): boolean {
  return kernelModule() !== null;
}

/**
 * Columns per panel of the blocked factorisation above BLOCKED_FROM. Below it the whole matrix is one
 * panel: the rows below the pivots are still cheap to stream, and blocking measured no faster.
 */
const PANEL = 32;
const BLOCKED_FROM = 2560;

/** Bytes of the memory the kernel needs for an n × n system, or null when a 32-bit memory cannot hold it. */
export function wasmCholeskyBytes(n: number): number | null {
  return memoryBytes((n + VECTORS) * evenStride(n) * 8 + SCRATCH_BYTES);
}

/** One system's memory: a view of the matrix (row stride `stride`) and of the right-hand side. */
export class WasmCholesky {
  readonly stride: number;
  /** Row-major n × stride; the lower triangle is the matrix to factor, then its factor. */
  readonly A: Float64Array;
  /** The right-hand side, overwritten by the solution. */
  readonly x: Float64Array;
  private readonly n: number;
  private readonly exports: CholeskyExports;
  private readonly yAt: number;
  private readonly scratchAt: number;

  private constructor(n: number, memory: WebAssembly.Memory, exports: CholeskyExports) {
    this.n = n;
    this.stride = evenStride(n);
    const entries = n * this.stride;
    this.A = new Float64Array(memory.buffer, 0, entries);
    this.x = new Float64Array(memory.buffer, entries * 8, n);
    this.yAt = (entries + this.stride) * 8;
    this.scratchAt = (entries + VECTORS * this.stride) * 8;
    this.exports = exports;
  }

  /**
   * The kernel's memory for an n × n system, or null where the JavaScript factorisation must do:
   * no SIMD, too large for a 32-bit memory, over the budget, or not allocatable.
   */
  static create(n: number, memoryBudgetBytes: number): WasmCholesky | null {
    const module = kernelModule();
    const bytes = wasmCholeskyBytes(n);
    if (!module || bytes === null || bytes > memoryBudgetBytes) return null;
    let memory: WebAssembly.Memory;
    try {
      memory = fixedMemory(bytes);
    } catch {
      return null;
    }
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return new WasmCholesky(n, memory, instance.exports as unknown as CholeskyExports);
  }

  /**
   * Factor A in place (lower triangle); false when not numerically positive definite. `panel`
   * (even) overrides the panel width, for tests of the blocked path at small n.
   */
  factor(panel = this.n > BLOCKED_FROM ? PANEL : this.stride): boolean {
    if (panel < 2 || panel % 2 !== 0) throw new Error(`Cholesky panel width must be even and at least 2, got ${panel}`);
    return this.exports.factor(this.n, this.stride, 0, this.scratchAt, panel) === 1;
  }

  /** x ← (LLᵀ)⁻¹x with the factor in A. */
  solve(): void {
    this.exports.solve(this.n, this.stride, 0, this.x.byteOffset);
  }

  /** tr(A⁻¹) = ‖L⁻¹‖²_F with the factor in A. */
  inverseTrace(): number {
    return this.exports.inverseTrace(this.n, this.stride, 0, this.yAt);
  }
}
