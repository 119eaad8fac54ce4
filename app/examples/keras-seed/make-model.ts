/**
 * Writes perceptron.h5: the seed perceptron (4 inputs, Dense(1, sigmoid), kernel [1,2,3,4], bias 1)
 * as the Keras legacy HDF5 file `model.save('perceptron.h5')` would write, using Curvature's own
 * exporter. Run `npx tsx app/examples/keras-seed/make-model.ts` to regenerate it.
 */
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kerasH5File } from '../../export/kerasH5';
import type { DenseWeights } from '../../model/spec';

export const SEED_PERCEPTRON: DenseWeights[] = [
  { name: 'dense', fanIn: 4, units: 1, activation: 'sigmoid', kernel: Float32Array.from([1, 2, 3, 4]), bias: Float32Array.from([1]) },
];

export async function writeSeedPerceptron(file: string): Promise<void> {
  const h5 = await kerasH5File(SEED_PERCEPTRON, 4, `${file}.scratch`);
  writeFileSync(file, h5.bytes);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeSeedPerceptron(join(dirname(fileURLToPath(import.meta.url)), 'perceptron.h5'));
}
