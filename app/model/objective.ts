/**
 * A network's training loss as an optimizer Objective: f and ∇f from one engine pass (tfjs or
 * onnxruntime, js64; app/engine) in the run's precision. The data is uploaded once; each evaluation
 * sends θ (rounded to float32 for float32 runs) and reads [f, ∇f] back. The L2 penalty is added on the host in float64, where it is exact and free.
 */
import type { LeastSquaresObjective } from '../optim/types';
import type { Split } from '../data/types';
import type { ComputeEngine, EngineDataset, Floats, Precision, SecondOrderProducts, StackProgram } from '../engine/engine';
import {
  gaussNewtonSystem as jsGaussNewtonSystem,
  jacobianTransposeProduct as jsJacobianTransposeProduct,
  jacobianVectorProduct as jsJacobianVectorProduct,
  residualSumOfSquares,
  type ResidualData,
} from '../engine/js/jacobian';
import { currentEngine } from '../engine/choice';
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
  /** The engine that computes the passes; default: the one the engine choice made (initEngine). */
  engine?: ComputeEngine;
  /** The arithmetic of every pass (default float32); the engine must compute it (engine.precisions). */
  precision?: Precision;
}

/**
 * Where a run's Jacobian products come from: the engine's own (a Jacobian graph), or the float64
 * JavaScript products on the host copy of the training rows, for engines without one (tfjs: its
 * autodiff has no per-row Jacobian, and K backward passes through tf.grad per product would cost
 * more than the plain loops at the sizes dense LM is for).
 */
export type JacobianSource = 'engine' | 'javascript';

export class ModelObjective implements LeastSquaresObjective {
  readonly dimension: number;
  readonly sampleCount: number;
  readonly engine: ComputeEngine;
  readonly precision: Precision;
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
  /** The training rows in float64 on the host, for the JavaScript Jacobian products. */
  private readonly hostTrain: ResidualData;
  private readonly outputs: number;
  private readonly weightSum: number;
  readonly residualCount: number;
  readonly lossScale: number;
  readonly penaltyWeights: Float64Array | null;
  private residualBuffer: Float64Array | null = null;

  constructor(
    readonly model: ResolvedModel,
    train: Split,
    options: ModelObjectiveOptions = {},
  ) {
    this.dimension = model.parameterCount;
    this.sampleCount = train.rows;
    this.engine = options.engine ?? currentEngine();
    this.precision = options.precision ?? 'float32';
    this.program = this.engine.compile(model, this.precision, { rows: train.rows });
    this.train = this.uploadTo(train);
    this.trainHost = train;
    const stochastic = options.dropoutSeed !== undefined && model.layers.some((l) => l.dropout > 0);
    this.dropoutSeed = stochastic ? options.dropoutSeed : undefined;
    this.outputs = model.layers[model.layers.length - 1].units;
    const weights = (train as Split & { weights?: Float64Array }).weights;
    this.hostTrain = { x: train.x, y: train.y, rows: train.rows, weights };
    this.weightSum = weights ? weights.reduce((s, w) => s + w, 0) : train.rows;
    this.residualCount = train.rows * this.outputs;
    // mean loss = Σe² / (K·Σw); λ‖W‖² in those units is λ·K·Σw·‖W‖².
    this.lossScale = 1 / (this.outputs * this.weightSum);
    if (model.l2 > 0) {
      const p = new Float64Array(model.parameterCount);
      for (const l of model.layers) p.fill(model.l2 / this.lossScale, l.kernelOffset, l.kernelOffset + l.fanIn * l.units);
      this.penaltyWeights = p;
    } else {
      this.penaltyWeights = null;
    }
  }

  /** Which implementation computes J for Levenberg–Marquardt on this objective. */
  get jacobianSource(): JacobianSource {
    return this.engineProducts() ? 'engine' : 'javascript';
  }

  leastSquaresRefusal(): string | null {
    if (this.model.loss === 'mse') return null;
    const loss = this.model.loss;
    const why =
      loss === 'mae' || loss === 'huber'
        ? `Its residuals are not squared errors, so JᵀJ is not its curvature: use the mse loss for LM, or L-BFGS (or BFGS) for ${loss}.`
        : 'For cross-entropy use L-BFGS (or BFGS): Gauss–Newton on cross-entropy needs the loss Hessian in the logits, which plain LM does not use.';
    return `Levenberg–Marquardt and Bayesian regularization fit a sum of squared errors; this model's loss is ${loss}. ${why}`;
  }

  sumOfSquares(x: Float64Array): number {
    this.assertLive();
    const engine = this.engineProducts();
    if (engine) return this.program.predict(x, this.train).loss / this.lossScale;
    return residualSumOfSquares(this.model, x, this.hostTrain).sumSquares;
  }

  gaussNewtonSystem(x: Float64Array, jtj: Float64Array, jte: Float64Array): number {
    this.assertLive();
    const engine = this.engineProducts();
    if (engine) return engine.gaussNewtonSystem(x, this.train, jtj, jte).sumSquares;
    return jsGaussNewtonSystem(this.model, x, this.hostTrain, jtj, jte).sumSquares;
  }

  jacobianTransposeResiduals(x: Float64Array, out: Float64Array): number {
    this.assertLive();
    const e = this.residuals();
    const engine = this.engineProducts();
    // e from one forward pass, then Jᵀe from one backward pass.
    if (engine) {
      this.engineResiduals(x, e);
      engine.jacobianTransposeProduct(x, this.train, e, out);
      return e.reduce((s, v) => s + v * v, 0);
    }
    const sse = residualSumOfSquares(this.model, x, this.hostTrain, e).sumSquares;
    jsJacobianTransposeProduct(this.model, x, this.hostTrain, e, out);
    return sse;
  }

  gaussNewtonProduct(x: Float64Array, v: Float64Array, out: Float64Array): void {
    this.assertLive();
    const u = this.residuals();
    const engine = this.engineProducts();
    if (engine) {
      engine.jacobianVectorProduct(x, this.train, v, u);
      engine.jacobianTransposeProduct(x, this.train, u, out);
      return;
    }
    jsJacobianVectorProduct(this.model, x, this.hostTrain, v, u);
    jsJacobianTransposeProduct(this.model, x, this.hostTrain, u, out);
  }

  private engineProducts(): Pick<SecondOrderProducts, 'gaussNewtonSystem' | 'jacobianVectorProduct' | 'jacobianTransposeProduct'> | null {
    const p = this.program;
    // The engine's datasets here carry no sample weights; weighted rows take the JavaScript products.
    if (this.hostTrain.weights) return null;
    return p.gaussNewtonSystem && p.jacobianVectorProduct && p.jacobianTransposeProduct
      ? { gaussNewtonSystem: p.gaussNewtonSystem.bind(p), jacobianVectorProduct: p.jacobianVectorProduct.bind(p), jacobianTransposeProduct: p.jacobianTransposeProduct.bind(p) }
      : null;
  }

  /** e = √w (out − y) from the engine's outputs (no weights on this branch's splits: √w = 1 unless given). */
  private engineResiduals(x: Float64Array, e: Float64Array): void {
    const { outputs } = this.program.predict(x, this.train);
    const { y, weights } = this.hostTrain;
    const K = this.outputs;
    for (let i = 0; i < e.length; i++) e[i] = (weights ? Math.sqrt(weights[Math.floor(i / K)]) : 1) * (outputs[i] - y[i]);
  }

  private residuals(): Float64Array {
    return (this.residualBuffer ??= new Float64Array(this.residualCount));
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
  lossAndPredictions(x: Float64Array, split: Split | DeviceSplit): { loss: number; predictions: Floats } {
    this.assertLive();
    const uploaded = isSplit(split) ? this.uploadTo(split) : undefined;
    try {
      const { loss, outputs } = this.program.predict(x, uploaded ?? (split as DeviceSplit));
      return { loss, predictions: outputs };
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

  /** The training rows as uploaded (for forward passes on them: predictions, original-unit losses). */
  get trainData(): DeviceSplit {
    this.assertLive();
    return this.train;
  }

  /** λ Σ‖W‖², the part of f that is not the data loss. */
  penalty(x: Float64Array): number {
    return this.model.l2 > 0 ? this.model.l2 * kernelSquaredNorm(this.model, x) : 0;
  }

  /**
   * Frees the engine's per-pass buffers (rebuilt on next use). On a big dataset the gradient pass's
   * buffers would otherwise stay beside the forward pass's when the run is scored.
   */
  releaseEngineMemory(): void {
    this.assertLive();
    this.program.releaseMemory?.();
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
    const y = split.rows > 0 ? split.y : new Float64Array(0);
    if (split.rows > 0 && y.length !== split.rows * outDim) {
      throw new Error(`the targets have ${y.length / split.rows} columns per row but the output layer has ${outDim} units`);
    }
    return this.program.upload(split.x, y, split.rows, split.rows > 0 ? split.weights : undefined);
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('ModelObjective used after dispose()');
  }
}

function isSplit(s: Split | DeviceSplit): s is Split {
  const x = (s as Split).x;
  return x instanceof Float32Array || x instanceof Float64Array;
}
