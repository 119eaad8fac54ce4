/** What the experiment file says about its data: where it is, the target, preprocessing and splits. */
import { z } from 'zod';

const cell = z.union([z.number(), z.string(), z.boolean(), z.null()]);

export const dataSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('file'),
    /** Absolute, or relative to the experiment file's folder. */
    path: z.string().min(1),
    /** Inferred from the extension when omitted. */
    format: z.enum(['csv', 'json', 'jsonl', 'npy', 'npz', 'parquet']).optional(),
    /** For .npy targets: a second file holding y. */
    targetPath: z.string().min(1).optional(),
  }),
  z.object({
    kind: z.literal('inline'),
    columns: z.array(z.string().min(1)).min(1),
    rows: z.array(z.array(cell)).min(1),
  }),
]);
export type DataSource = z.infer<typeof dataSourceSchema>;

export const dataSpecSchema = z.object({
  source: dataSourceSchema,
  /**
   * Target column, or several (multi-output regression: one linear output per column, in order).
   * See targetsOf.
   */
  target: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(256)]),
  /** Column of non-negative sample weights: every loss, gradient and metric becomes a weighted mean. */
  weight: z.string().min(1).optional(),
  /** Feature columns; omitted = every column except the target and the ignored ones. */
  features: z.array(z.string().min(1)).optional(),
  ignore: z.array(z.string()).default([]),
  /**
   * Date feature columns read as dates and turned into numbers (year, month, day, weekday, day of
   * the year as sin/cos, days since 1970; see DATE_PARTS) instead of being one-hot encoded as text.
   */
  expandDates: z.array(z.string().min(1)).optional(),
  /**
   * How expanded dates with the year last are read: day first (01.03.2024), month first (3/1/2024),
   * or 'auto' (omitted): decided from the column (a field above 12 is the day; dots mean day first),
   * refused when the column reads both ways.
   */
  dateOrder: z.enum(['auto', 'dmy', 'mdy']).optional(),
  task: z.enum(['auto', 'regression', 'binary', 'multiclass']).default('auto'),
  preprocessing: z
    .object({
      standardize: z.boolean().default(true),
      oneHot: z.boolean().default(true),
      missing: z.enum(['error', 'drop', 'fill-mean']).default('error'),
      /**
       * Standardise a regression target for training (mean and scale of the training rows). Applies
       * when the output layer is linear and the loss is mse; losses, metrics, predictions and exported
       * models stay in the target's original units.
       */
      scaleTarget: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * Train / validation / test shares. The test rows never take part in training or in any choice;
   * they are scored once at the end of each run.
   */
  split: z
    .object({
      validation: z.number().min(0).max(0.9).default(0.2),
      test: z.number().min(0).max(0.9).default(0),
      seed: z.int().default(42),
      /** Stratify by class for classification tasks. */
      stratify: z.boolean().default(true),
    })
    .prefault({}),
  /** Refuse files larger than this many bytes. */
  maxFileBytes: z.number().positive().default(2 * 1024 ** 3),
});
export type DataSpec = z.infer<typeof dataSpecSchema>;

/** The target columns in output order (one for a single target). */
export function targetsOf(spec: Pick<DataSpec, 'target'>): string[] {
  return typeof spec.target === 'string' ? [spec.target] : [...spec.target];
}

/** MATLAB's fitting-app division: 70 % train, 15 % validation, 15 % test. */
export const FITTING_SPLIT = { validation: 0.15, test: 0.15 } as const;
