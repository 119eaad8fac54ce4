/**
 * The float64 JavaScript engine ('js64'): the dense stack's passes in plain float64 loops, with no
 * native code. It runs float64 runs where onnxruntime has no build (Intel macOS) or is not wanted,
 * and is the float64 engine of last resort; it does not run float32 (tfjs and onnxruntime do).
 */
import type { ComputeEngine, DenseStack, Precision, StackProgram } from '../engine';
import { JsStackProgram } from './program';

export const JS64_LABEL = 'Plain JavaScript float64 (CPU, 1 thread)';

/** The losses kernels.ts computes; a loss added to the contract is refused at compile until it is here too. */
const JS64_LOSSES: readonly string[] = ['mse', 'mae', 'huber', 'binary-crossentropy', 'softmax-crossentropy'];

/** Throws unless the layers chain and their parameters tile θ (every engine assumes both). */
export function checkJsStack(stack: DenseStack): void {
  if (stack.layers.length === 0) throw new Error('js64 engine: the model has no layers');
  if (!JS64_LOSSES.includes(stack.loss)) throw new Error(`the js64 engine has no ${stack.loss} loss`);
  let fanIn = stack.inputDim;
  let end = 0;
  const blocks: [number, number][] = [];
  stack.layers.forEach((l, i) => {
    if (!Number.isInteger(l.fanIn) || !Number.isInteger(l.units) || l.units < 1 || l.fanIn < 1) throw new Error(`js64 engine: layer ${i} has shape ${l.fanIn}×${l.units}; both must be positive integers`);
    if (l.fanIn !== fanIn) throw new Error(`js64 engine: layer ${i} expects ${l.fanIn} inputs but receives ${fanIn}`);
    if (!(l.dropout >= 0 && l.dropout < 1)) throw new Error(`js64 engine: layer ${i} dropout ${l.dropout} is outside [0, 1)`);
    blocks.push([l.kernelOffset, l.fanIn * l.units]);
    if (l.biasOffset >= 0) blocks.push([l.biasOffset, l.units]);
    fanIn = l.units;
  });
  blocks.sort((a, b) => a[0] - b[0]);
  for (const [offset, size] of blocks) {
    if (offset !== end) throw new Error(`js64 engine: a parameter block sits at offset ${offset} in θ, expected ${end}`);
    end += size;
  }
  if (end !== stack.parameterCount) throw new Error(`js64 engine: layers hold ${end} parameters but parameterCount is ${stack.parameterCount}`);
}

export function createJsEngine(): ComputeEngine {
  return {
    name: 'js64',
    label: JS64_LABEL,
    precisions: ['float64'],
    compile(stack: DenseStack, precision: Precision = 'float64'): StackProgram {
      if (precision !== 'float64') throw new Error(`the js64 engine computes float64 only, not ${String(precision)}; choose another engine for float32 runs`);
      checkJsStack(stack);
      return new JsStackProgram(stack);
    },
  };
}
