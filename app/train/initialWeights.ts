/** An experiment's `initialWeights`: inline arrays, or a file in any weights format Curvature exports. */
import path from 'node:path';
import type { Experiment } from '../schema/experiment';
import type { ResolvedModel } from '../model/layers';
import { fromInlineWeights, fromLayerArrays } from '../model/params';
import { readInitialWeights } from '../modelio/readWeights';

export async function loadInitialWeights(
  spec: NonNullable<Experiment['initialWeights']>,
  model: ResolvedModel,
  baseDir: string,
): Promise<Float64Array> {
  if ('layers' in spec) return fromInlineWeights(model, spec);
  const file = path.isAbsolute(spec.path) ? spec.path : path.resolve(baseDir, spec.path);
  const layers = await readInitialWeights(file);
  return fromLayerArrays(
    model,
    layers.map((l) => ({ kernel: l.kernel, kernelShape: [l.fanIn, l.units], bias: l.bias })),
    file,
  );
}
