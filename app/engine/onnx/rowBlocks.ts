/**
 * How many rows one onnxruntime run takes. A run's arena keeps every intermediate of its largest
 * batch (pre-activations, activations, their gradients: rows × units each) for the session's life,
 * so a full-batch evaluation of a big training set would hold memory ∝ rows; above a threshold the
 * program evaluates row blocks and sums them on the host instead, holding memory ∝ the block.
 * At or below the threshold nothing changes: one run, bit for bit the results small runs always had.
 */
import type { DenseStack, Precision } from '../engine';
import type { OnnxDevice } from './devices';

export interface RowBlocking {
  /** Batches of more rows than this are evaluated in blocks; at most this many run whole. */
  thresholdRows: number;
  /** Rows per block (the last block takes the rest). */
  blockRows: number;
}

/** Batches up to 2¹⁶ rows run whole, as they always have. */
export const BLOCK_THRESHOLD_ROWS = 1 << 16;
/**
 * Bytes of intermediates one block may leave in a session's arena. Small enough that a block's
 * intermediates stay in the processor's caches between the ops that write and read them, which
 * makes blocks faster than one whole-batch run (bench/README.md), large enough that per-run
 * overhead stays small.
 */
export const BLOCK_BUDGET_BYTES = 8 * 1024 * 1024;
/**
 * A GPU provider's arena lives in device memory, not the host's, and each run pays a launch and a
 * host-to-device copy per input: its blocks only bound device memory, so they are far larger.
 */
export const DEVICE_BLOCK_BUDGET_BYTES = 256 * 1024 * 1024;
/**
 * Row-sized intermediates per unit of width: the gradient graph keeps a layer's pre-activation,
 * activation, the gradient reaching it and the one leaving it, and the loss a few more over the outputs.
 */
const INTERMEDIATES_PER_UNIT = 6;
/** A block never shrinks below this (a very wide model): per-run overhead would then dominate. */
const MIN_BLOCK_ROWS = 1024;

/** Blocking for a stack on a device: the block that fits its budget, given every layer's width. */
export function defaultRowBlocking(stack: DenseStack, precision: Precision, device: OnnxDevice = 'cpu'): RowBlocking {
  const width = stack.inputDim + stack.layers.reduce((s, l) => s + l.units, 0);
  const rowBytes = width * INTERMEDIATES_PER_UNIT * (precision === 'float64' ? 8 : 4);
  const budget = device === 'cpu' ? BLOCK_BUDGET_BYTES : DEVICE_BLOCK_BUDGET_BYTES;
  const blockRows = Math.max(MIN_BLOCK_ROWS, Math.floor(budget / rowBytes));
  return { thresholdRows: BLOCK_THRESHOLD_ROWS, blockRows };
}

/** Blocking that never blocks (every batch in one run). */
export const UNBLOCKED: RowBlocking = { thresholdRows: Infinity, blockRows: Infinity };

/** [first, count] of each block of a `rows`-row batch: one block when it runs whole. */
export function rowBlocks(rows: number, blocking: RowBlocking): Array<[number, number]> {
  if (rows <= blocking.thresholdRows || rows <= blocking.blockRows) return [[0, rows]];
  const out: Array<[number, number]> = [];
  for (let first = 0; first < rows; first += blocking.blockRows) out.push([first, Math.min(blocking.blockRows, rows - first)]);
  return out;
}
