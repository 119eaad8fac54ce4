/**
 * Checks an export destination before any work is done for it (in the CLI: before training), so a
 * read-only, full or occupied folder is reported while nothing is lost yet.
 */
import { mkdtemp, rmdir, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ExportFormat } from './formats';
import { ExportError, inspectDestination, refusal } from './atomicDirectory';

/** Bytes an export of `parameterCount` weights in `formats` with `historyRows` iteration rows takes, roughly and on the high side. */
export function estimateExportBytes(parameterCount: number, formats: readonly ExportFormat[], historyRows: number, predictionValues = 0): number {
  const perFormat: Record<ExportFormat, number> = { tfjs: 4, keras: 4, h5: 4, onnx: 4, npz: 4, json: 25 };
  const weights = [...new Set(formats)].reduce((sum, f) => sum + parameterCount * perFormat[f] + 64 * 1024, 0);
  // history.csv rows are ~300 bytes; experiment, summary, README and preprocessing a few kB.
  // The plots: PNGs up to ~0.5 MB in all, and one regression-CSV line (~80 bytes) per prediction value.
  const plots = 512 * 1024 + predictionValues * 80;
  return Math.ceil(1.2 * (weights + historyRows * 300 + 256 * 1024 + plots));
}

async function nearestExistingAncestor(p: string): Promise<string> {
  for (let dir = p; ; dir = dirname(dir)) {
    const s = await stat(dir).catch(() => undefined);
    if (s) {
      if (!s.isDirectory()) throw new ExportError(p, `${dir} exists and is not a folder`);
      return dir;
    }
    if (dirname(dir) === dir) return dir;
  }
}

const mb = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MB`;

/**
 * Refuses `directory` unless an export can go there now: the destination is missing, empty or an
 * earlier Curvature export that may be overwritten; the folder that will hold it exists or can be
 * created and is writable (tried for real, so permissions, ACLs and read-only mounts all count);
 * and the file system has room for `estimatedBytes`.
 */
export async function checkExportDestination(
  directory: string,
  options: { overwrite?: boolean; estimatedBytes?: number } = {},
): Promise<void> {
  const dest = resolve(directory);
  const refused = refusal(await inspectDestination(dest), options.overwrite ?? false);
  if (refused) throw new ExportError(dest, refused);
  const holder = await nearestExistingAncestor(dirname(dest));
  try {
    await rmdir(await mkdtemp(join(holder, '.curvature-write-check-')));
  } catch (e) {
    throw new ExportError(dest, `cannot write in ${holder}: ${(e as Error).message}`, e);
  }
  if (options.estimatedBytes !== undefined) {
    const fsStats = await statfs(holder).catch(() => undefined);
    if (fsStats) {
      const free = Number(fsStats.bavail) * Number(fsStats.bsize);
      if (free < options.estimatedBytes) {
        throw new ExportError(dest, `not enough free space in ${holder}: the export needs about ${mb(options.estimatedBytes)}, ${mb(free)} free`);
      }
    }
  }
}
