/**
 * Where `curvature --out DIR` puts each run, checked before training so that a bad destination
 * (occupied by foreign files, read-only, full) costs nothing: the runs have not started yet.
 */
import { statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ExportFormat } from '../api/contract';
import { checkExportDestination, estimateExportBytes, ExportError } from '../export';
import type { Experiment } from '../schema/experiment';
import { runIds } from '../train/runner';
import { resolveInside } from '../util/paths';

export interface ExportPlan {
  /** Run id → export folder, each inside the --out folder. */
  folders: Map<string, string>;
}

/** One folder per run, `<out>/<run id>`, kept inside `out`; refuses destinations that cannot take the export. */
export async function planExports(experiment: Experiment, out: string, overwrite: boolean): Promise<ExportPlan> {
  const root = path.resolve(out);
  const folders = new Map<string, string>();
  experiment.runs.forEach((_, i) => {
    const id = runIds(experiment.runs)[i];
    folders.set(id, resolveInside(root, id, `runs.${i}.id`));
  });
  for (const dir of folders.values()) await checkExportDestination(dir, { overwrite });
  return { folders };
}

/**
 * Free-space check once the model size is known (at 'experiment-started', before the first
 * iteration). Synchronous so the caller can stop the runs before they step. Returns the error, if any.
 */
export function checkFreeSpace(
  plan: ExportPlan,
  experiment: Experiment,
  parameterCount: number,
  formats: ExportFormat[],
): ExportError | undefined {
  let needed = 0;
  experiment.runs.forEach((r) => {
    needed += estimateExportBytes(parameterCount, formats, Math.min(r.stopping.maxIterations, 100_000) + 1);
  });
  const first = [...plan.folders.values()][0];
  if (first === undefined) return undefined;
  let holder = path.dirname(first);
  while (!statSync(holder, { throwIfNoEntry: false }) && path.dirname(holder) !== holder) holder = path.dirname(holder);
  let free: number;
  try {
    const s = statfsSync(holder);
    free = Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined; // no statfs here: the write itself will report a full disk
  }
  if (free >= needed) return undefined;
  const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MB`;
  return new ExportError(path.dirname(first), `not enough free space for the exports: they need about ${mb(needed)}, ${mb(free)} free; the runs were stopped before training`);
}
