/**
 * Paths named inside an experiment FILE (data.source.path, data.source.targetPath, model.from,
 * initialWeights.path). The file may come from anyone, so `curvature run` reads only files inside
 * the experiment's own folder (relative paths, no `..` out of it, no symbolic link leading out)
 * unless the user passes --allow-outside-paths, which allows absolute and `..` paths alike. Every
 * path goes through this one check; the files a model names (TF.js shards) are confined to the
 * model's own folder by app/modelio/safeFile.ts whatever the flag. Paths the user types on the
 * command line (`curvature train <data>`, --model, --init-weights) are the user's own choice and
 * are not confined.
 */
import type { Experiment } from '../schema/experiment';
import { resolveInside } from '../util/paths';
import { ConfigError } from '../util/configError';

/** Every file path the experiment names, with the schema field it sits in. */
export function namedPaths(experiment: Experiment): { field: string; path: string }[] {
  const out: { field: string; path: string }[] = [];
  const source = experiment.data.source;
  if (source.kind === 'file') {
    out.push({ field: 'data.source.path', path: source.path });
    if (source.targetPath !== undefined) out.push({ field: 'data.source.targetPath', path: source.targetPath });
  }
  if (experiment.model.from !== undefined) out.push({ field: 'model.from', path: experiment.model.from });
  if (experiment.initialWeights && 'path' in experiment.initialWeights) out.push({ field: 'initialWeights.path', path: experiment.initialWeights.path });
  return out;
}

/** Refuses any named path that leads outside `experimentDir`, naming the file and field. */
export function confinePaths(experiment: Experiment, experimentDir: string, experimentFile: string): void {
  for (const { field, path } of namedPaths(experiment)) {
    try {
      resolveInside(experimentDir, path, field);
    } catch (e) {
      throw new ConfigError(
        `${experimentFile}: ${(e as Error).message}; an experiment file may only name files in its own folder ` +
          '(move the file next to it, or pass --allow-outside-paths if you trust this file)',
      );
    }
  }
}
