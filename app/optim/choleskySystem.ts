/**
 * One dense symmetric positive definite system, factored and solved many times over (LM: once per
 * μ tried; BR: once more for tr(H⁻¹)). The factorisation runs as WebAssembly SIMD (cholesky.wat,
 * the matrix in the module's memory) where the runtime has it and the budget allows, and in
 * JavaScript (cholesky.ts) otherwise; the two give the same numbers up to the order of the sums.
 */
import { choleskyFactor, choleskyInverseTrace, choleskySolve } from './cholesky';
import { WasmCholesky } from './choleskyKernel';

/** 'auto': the WebAssembly factorisation where available; 'js': always JavaScript (tests, the bench). */
export type CholeskyKernel = 'auto' | 'js';

export interface CholeskySystemOptions {
  /** The memory the kernel's matrix and vectors may take; over it the JavaScript code runs. */
  memoryBudgetBytes?: number;
  kernel?: CholeskyKernel;
}

export class CholeskySystem {
  readonly n: number;
  /** Which factorisation runs: 'wasm' or 'js'. */
  readonly kernel: 'wasm' | 'js';
  /** Row length of `matrix` (even for the kernel's aligned pairs). */
  readonly stride: number;
  /** Row-major; fill the lower triangle (entry (i, j) at i·stride + j, j ≤ i), then factor. */
  readonly matrix: Float64Array;
  private readonly wasm: WasmCholesky | null;

  constructor(n: number, options: CholeskySystemOptions = {}) {
    this.n = n;
    this.wasm = options.kernel === 'js' ? null : WasmCholesky.create(n, options.memoryBudgetBytes ?? Infinity);
    if (this.wasm) {
      this.kernel = 'wasm';
      this.stride = this.wasm.stride;
      this.matrix = this.wasm.A;
    } else {
      this.kernel = 'js';
      this.stride = n;
      this.matrix = new Float64Array(n * n);
    }
  }

  /** Factor the matrix in place into L (A = LLᵀ); false when not numerically positive definite. */
  factor(): boolean {
    return this.wasm ? this.wasm.factor() : choleskyFactor(this.matrix, this.n);
  }

  /** x ← A⁻¹b from the factor; x may be b. */
  solve(b: Float64Array, x: Float64Array): Float64Array {
    if (!this.wasm) return choleskySolve(this.matrix, this.n, b, x);
    this.wasm.x.set(b);
    this.wasm.solve();
    x.set(this.wasm.x);
    return x;
  }

  /** tr(A⁻¹) from the factor. */
  inverseTrace(): number {
    return this.wasm ? this.wasm.inverseTrace() : choleskyInverseTrace(this.matrix, this.n);
  }
}
