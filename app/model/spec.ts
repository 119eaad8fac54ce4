/** The network as data: a stack of Dense layers. Shared by the experiment file, CLI, UI and exports. */
import { z } from 'zod';
import { ACTIVATIONS, LOSSES } from '../engine/engine';

// What the engines can compute is what a model may ask for.
export { ACTIVATIONS, LOSSES };

export const activationSchema = z.enum(ACTIVATIONS);
export type Activation = z.infer<typeof activationSchema>;

export const lossSchema = z.enum(LOSSES);
export type Loss = z.infer<typeof lossSchema>;

export const layerSpecSchema = z.object({
  units: z.int().min(1).max(1_000_000),
  activation: activationSchema.default('linear'),
  useBias: z.boolean().default(true),
  /**
   * Fraction of this layer's outputs zeroed while training (inverted dropout). It makes the
   * objective stochastic, so only first-order runs use it; BFGS/L-BFGS train without it.
   */
  dropout: z.number().min(0).max(0.95).default(0),
  /** Layer name used in exports; defaults to dense, dense_1, … (Keras naming). */
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'layer names are letters, digits and _')
    .optional(),
});
export type LayerSpec = z.infer<typeof layerSpecSchema>;

export const modelSpecSchema = z.object({
  /** Hidden layers and the output layer, in order. The last one is the output. */
  layers: z.array(layerSpecSchema).min(1),
  /** 'auto' derives the loss from the task: regression → mse, binary → binary-crossentropy, multiclass → softmax-crossentropy. */
  loss: z.union([lossSchema, z.literal('auto')]).default('auto'),
  /**
   * 'auto': the output layer follows from the task — if the last layer already has the right units
   * and activation it is the output, otherwise one is appended (regression: 1 linear, binary:
   * 1 sigmoid, multiclass: K softmax). 'last': the last layer is the output, as written.
   */
  output: z.enum(['auto', 'last']).default('auto'),
  /** δ of the huber loss (default 1), in training units (the standardised target's, when it is scaled). */
  huberDelta: z.number().positive().max(1e6).optional(),
  /** L2 penalty λ·Σ‖W‖² over kernels (not biases), added to the loss. */
  l2: z.number().min(0).default(0),
  /**
   * "Start from model…": a Keras / TF.js / Curvature model file (relative to the experiment's folder)
   * whose weights are the shared start point; `layers` must match it. The output layer is used as written.
   */
  from: z.string().min(1).max(4096).optional(),
});
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** A Dense layer's weights in Keras layout: kernel (fanIn × units) row-major, then bias. */
export interface DenseWeights {
  name: string;
  fanIn: number;
  units: number;
  activation: Activation;
  kernel: Float32Array; // length fanIn*units, row-major [in][out]
  bias: Float32Array | null; // length units
}

/** The same layer in float64: a float64 run's weights as trained (the .npz and JSON exports keep them). */
export interface DenseWeights64 extends Omit<DenseWeights, 'kernel' | 'bias'> {
  kernel: Float64Array;
  bias: Float64Array | null;
}
