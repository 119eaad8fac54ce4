/**
 * A network's training loss as an optimizer Objective: f and ∇f from one engine pass (tfjs or
 * onnxruntime, app/engine). The data is uploaded once; each evaluation sends θ (float32) and reads
 * [f, ∇f] back. The L2 penalty is added on the host in float64, where it is exact and free.
 */
import type { Objective } from '../optim/types';
import type { Split } from '../data/types';
import type { ComputeEngine, EngineDataset, StackProgram } from '../engine/engine';
import { currentEngine } from '../engine/backend';
import { gaussNewtonVectorProduct, hessianVectorProduct } from '../engine/js/hessian';
import { kernelSquaredNorm } from './params';
import type { ResolvedModel } from './layers';

// The tfjs expressions of activations and losses, for code that builds tfjs graphs itself.
export { applyActivation, lossFromLogits, logits } from '../engine/tfjs/autodiff';

/** 'engine': the engine's own products in the run's precision when it has them; 'float64': always the host's. */
export type ProductArithmetic = 'engine' | 'float64';

/** A split uploaded to the engine once, for repeated forward passes. */
export type DeviceSplit = EngineDataset;

export interface ModelObjectiveOptions {
  /**
   * Turns on the layers' dropout for training evaluations (stochastic objective, for first-order
   * runs). Without it the objective is deterministic, as BFGS/L-BFGS require.
   */
  dropoutSeed?: number;
  /** The engine that computes the passes; default: the one the engine choice made (initBackend). */
  engine?: ComputeEngine;
}

export class ModelObjective implements Objective {
  readonly dimension: number;
  readonly sampleCount: number;
  readonly engine: ComputeEngine;
  private readonly program: StackProgram;
  private readonly train: EngineDataset;
  /** The training rows on the host, for the float64 products when the engine has none of its own. */
  private readonly trainHost: Split;
  /** Hessian- and Gauss–Newton-vector products computed so far (the spectrum and Newton-CG count them). */
  secondOrderProducts = 0;
  private readonly dropoutSeed: number | undefined;
  private disposed = false;
  /** Advances every training evaluation so each draws a fresh, reproducible dropout mask. */
  private dropoutDraw = 0;

  constructor(
    readonly model: ResolvedModel,
    train: Split,
    options: ModelObjectiveOptions = {},
  ) {
    this.dimension = model.parameterCount;
    this.sampleCount = train.rows;
    this.engine = options.engine ?? currentEngine();
    this.program = this.engine.compile(model);
    this.train = this.uploadTo(train);
    this.trainHost = train;
    const stochastic = options.dropoutSeed !== undefined && model.layers.some((l) => l.dropout > 0);
    this.dropoutSeed = stochastic ? options.dropoutSeed : undefined;
  }

  evaluate(x: Float64Array, grad: Float64Array): number {
    return this.run(x, grad);
  }

  evaluateBatch(x: Float64Array, grad: Float64Array, rows: Int32Array): number {
    return this.run(x, grad, rows);
  }

  /**
   * out = ∇²f(x)·v for the training objective (data loss + L2), exact; returns f. The engine's own
   * product (in the run's precision) when it has one and `arithmetic` is 'engine', else the float64
   * R-operator on the host (app/engine/js/hessian.ts).
   */
  hessianVectorProduct(x: Float64Array, v: Float64Array, out: Float64Array, arithmetic: ProductArithmetic = 'engine'): number {
    return this.product('hessian', x, v, out, arithmetic);
  }

  /** out = G·v, G the generalized Gauss–Newton matrix of the objective (data loss + L2); returns f. */
  gaussNewtonVectorProduct(x: Float64Array, v: Float64Array, out: Float64Array, arithmetic: ProductArithmetic = 'engine'): number {
    return this.product('gauss-newton', x, v, out, arithmetic);
  }

  /** The arithmetic of the products for the given choice: the engine's precision, or float64 on the host. */
  productPrecision(arithmetic: ProductArithmetic = 'engine'): 'float32' | 'float64' {
    return arithmetic === 'engine' && this.program.hessianVectorProduct ? this.program.precision : 'float64';
  }

  /** Where the products are computed, in words (for reports). */
  secondOrderSource(arithmetic: ProductArithmetic = 'engine'): string {
    return arithmetic === 'engine' && this.program.hessianVectorProduct ? `${this.engine.name} R-operator graph (${this.program.precision})` : 'float64 JavaScript (R-operator on the host)';
  }

  /** Loss without the L2 term, and the network outputs, on a split (a forward pass only). */
  lossAndPredictions(x: Float64Array, split: Split | DeviceSplit): { loss: number; predictions: Float32Array } {
    this.assertLive();
    const uploaded = isSplit(split) ? this.uploadTo(split) : undefined;
    try {
      const { loss, outputs } = this.program.predict(x, uploaded ?? (split as DeviceSplit));
      return { loss, predictions: outputs instanceof Float32Array ? outputs : Float32Array.from(outputs) };
    } finally {
      uploaded?.dispose();
    }
  }

  /** Keeps a split on the engine for repeated metric evaluations (validation). Caller disposes. */
  uploadSplit(split: Split): { split: DeviceSplit; dispose: () => void } {
    this.assertLive();
    const dev = this.uploadTo(split);
    return { split: dev, dispose: () => dev.dispose() };
  }

  /** λ Σ‖W‖², the part of f that is not the data loss. */
  penalty(x: Float64Array): number {
    return this.model.l2 > 0 ? this.model.l2 * kernelSquaredNorm(this.model, x) : 0;
  }

  /** Engine resources held (tensors / sessions), for leak tests. */
  liveResources(): number {
    return this.program.liveResources();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.program.dispose();
  }

  private run(x: Float64Array, grad: Float64Array, rows?: Int32Array): number {
    this.assertLive();
    const seed = this.dropoutSeed !== undefined ? this.dropoutSeed + 7919 * this.dropoutDraw++ : undefined;
    let f = this.program.valueAndGradient(x, this.train, grad, { rows, dropoutSeed: seed });
    if (this.model.l2 > 0) {
      const lambda2 = 2 * this.model.l2;
      for (const l of this.model.layers) {
        const end = l.kernelOffset + l.fanIn * l.units;
        for (let k = l.kernelOffset; k < end; k++) grad[k] += lambda2 * x[k];
      }
      f += this.penalty(x);
    }
    return f;
  }

  private product(kind: 'hessian' | 'gauss-newton', x: Float64Array, v: Float64Array, out: Float64Array, arithmetic: ProductArithmetic): number {
    this.assertLive();
    this.secondOrderProducts++;
    const own = arithmetic === 'engine' ? (kind === 'hessian' ? this.program.hessianVectorProduct : this.program.gaussNewtonVectorProduct) : undefined;
    let f = own
      ? own.call(this.program, x, this.train, v, out)
      : (kind === 'hessian' ? hessianVectorProduct : gaussNewtonVectorProduct)(this.model, x, { x: this.trainHost.x, y: this.trainHost.y, rows: this.trainHost.rows }, v, out);
    if (this.model.l2 > 0) {
      // λ Σ‖W‖² has Hessian 2λ on every kernel entry and 0 on biases.
      const lambda2 = 2 * this.model.l2;
      for (const l of this.model.layers) {
        const end = l.kernelOffset + l.fanIn * l.units;
        for (let k = l.kernelOffset; k < end; k++) out[k] += lambda2 * v[k];
      }
      f += this.penalty(x);
    }
    return f;
  }

  private uploadTo(split: Split): EngineDataset {
    const outDim = this.model.layers[this.model.layers.length - 1].units;
    const y = split.rows > 0 ? split.y : new Float32Array(0);
    if (split.rows > 0 && y.length !== split.rows * outDim) {
      throw new Error(`the targets have ${y.length / split.rows} columns per row but the output layer has ${outDim} units`);
    }
    return this.program.upload(split.x, y, split.rows);
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('ModelObjective used after dispose()');
  }
}

function isSplit(s: Split | DeviceSplit): s is Split {
  return (s as Split).x instanceof Float32Array;
}
