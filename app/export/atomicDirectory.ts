/**
 * Puts a whole export folder in place at once: files are written into a hidden staging folder next
 * to the destination, then renamed into place. A failure removes the staging folder (and any parent
 * folders this call created), so nothing half-written is ever visible at the destination.
 *
 * Every export carries a marker file (EXPORT_MARKER) listing what Curvature wrote. Overwrite only
 * ever replaces a folder with that marker and nothing else in it; any other non-empty folder is
 * refused with the reason, so an overwrite can never delete files Curvature did not write.
 */
import { rmSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ExportFile } from './files';

/** The one write primitive, injectable so tests can simulate a full disk mid-export. */
export type WriteFileFn = (path: string, data: Uint8Array) => Promise<void>;

export const defaultWriteFile: WriteFileFn = (path, data) => writeFile(path, data, { flag: 'wx' });

/** Written into every export folder; its presence (and nothing unlisted beside it) makes a folder replaceable. */
export const EXPORT_MARKER = '.curvature-export.json';

export interface ExportMarker {
  writer: 'curvature';
  kind: 'export';
  version: 1;
  writtenAt: string;
  /** What was exported, for the "replaced …" message. */
  description: string;
  files: string[];
}

export class ExportError extends Error {
  readonly path: string;
  constructor(path: string, message: string, cause?: unknown) {
    super(`${path}: ${message}`, cause === undefined ? undefined : { cause });
    this.name = 'ExportError';
    this.path = path;
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code ? `${err.code} ${err.message}` : String((e as Error)?.message ?? e);
}

export type DestinationState =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'export'; marker: ExportMarker }
  | { kind: 'foreign'; reason: string };

function parseMarker(text: string): ExportMarker | null {
  try {
    const m = JSON.parse(text) as Partial<ExportMarker>;
    if (m?.writer !== 'curvature' || m.kind !== 'export' || !Array.isArray(m.files)) return null;
    if (!m.files.every((f) => typeof f === 'string')) return null;
    return { writer: 'curvature', kind: 'export', version: 1, writtenAt: String(m.writtenAt ?? 'unknown'), description: String(m.description ?? ''), files: m.files };
  } catch {
    return null;
  }
}

const listOf = (names: string[]) => names.slice(0, 5).map((n) => JSON.stringify(n)).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');

/** What is at `dest` now: nothing, an empty folder, a Curvature export, or something else (with why). */
export async function inspectDestination(dest: string): Promise<DestinationState> {
  let s;
  try {
    s = await lstat(dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new ExportError(dest, `cannot inspect destination: ${reason(e)}`, e);
  }
  if (s.isSymbolicLink()) return { kind: 'foreign', reason: 'it is a symbolic link' };
  if (!s.isDirectory()) throw new ExportError(dest, 'destination exists and is not a folder');
  let entries: string[];
  try {
    entries = await readdir(dest);
  } catch (e) {
    throw new ExportError(dest, `cannot inspect destination: ${reason(e)}`, e);
  }
  if (entries.length === 0) return { kind: 'empty' };
  if (!entries.includes(EXPORT_MARKER)) {
    return { kind: 'foreign', reason: `it has no ${EXPORT_MARKER} marker, so Curvature did not write it (it holds ${listOf(entries)})` };
  }
  const marker = parseMarker(await readFile(join(dest, EXPORT_MARKER), 'utf8').catch(() => ''));
  if (!marker) return { kind: 'foreign', reason: `its ${EXPORT_MARKER} is not a marker Curvature wrote` };
  const known = new Set([...marker.files, EXPORT_MARKER]);
  const extra = entries.filter((e) => !known.has(e));
  if (extra.length > 0) return { kind: 'foreign', reason: `it holds files Curvature did not write: ${listOf(extra)}` };
  return { kind: 'export', marker };
}

/** Why `state` may not be written over (undefined when it may). */
export function refusal(state: DestinationState, overwrite: boolean): string | undefined {
  if (state.kind === 'foreign') return `destination folder is not empty and will not be replaced: ${state.reason}; choose another folder`;
  if (state.kind === 'export' && !overwrite) {
    return `destination folder holds an earlier Curvature export (${describeMarker(state.marker)}); allow overwrite to replace it`;
  }
  return undefined;
}

export function describeMarker(m: ExportMarker): string {
  return `${m.description || 'an export'} written ${m.writtenAt}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Staging folders of earlier exports to `dest` that were interrupted (crash, SIGKILL, Ctrl-C). */
function partialPattern(dest: string): RegExp {
  return new RegExp(`^\\.${escapeRegExp(basename(dest))}\\.partial-[A-Za-z0-9]{6}(\\.previous)?$`);
}

/**
 * Removes what interrupted exports to `dest` left behind. An interrupted overwrite can leave the
 * previous export only in `….previous` with `dest` gone: that one is put back, not deleted.
 * Returns the names removed.
 */
export async function cleanStalePartials(dest: string): Promise<string[]> {
  const parent = dirname(dest);
  const pattern = partialPattern(dest);
  const names = (await readdir(parent).catch(() => [] as string[])).filter((n) => pattern.test(n)).filter((n) => !live.has(join(parent, n)));
  const previous = names.filter((n) => n.endsWith('.previous'));
  if (previous.length === 1 && (await lstat(dest).then(() => false, () => true))) {
    await rename(join(parent, previous[0]), dest).catch(() => undefined);
  }
  const removed: string[] = [];
  for (const n of names) {
    const p = join(parent, n);
    if (await lstat(p).then(() => true, () => false)) {
      await rm(p, { recursive: true, force: true });
      removed.push(n);
    }
  }
  return removed;
}

/** Staging folders being written right now, so a Ctrl-C handler can remove them synchronously. */
const live = new Set<string>();

/** Removes every staging folder of this process (for SIGINT handlers; synchronous on purpose). */
export function removeLiveStagingSync(): string[] {
  const removed = [...live];
  for (const p of removed) {
    rmSync(p, { recursive: true, force: true });
    live.delete(p);
  }
  return removed;
}

export interface AtomicOptions {
  /** Replace an earlier Curvature export at the destination (never anything else). */
  overwrite?: boolean;
  writeFile?: WriteFileFn;
  /** Goes into the marker, and into the message when a later export replaces this one. */
  description?: string;
}

export interface AtomicResult {
  directory: string;
  files: string[];
  /** Set when an earlier Curvature export was replaced: what it was. */
  replaced?: string;
}

/**
 * Creates `directory` holding exactly the files `produce` returns (plus the marker). `produce` gets
 * the staging folder for scratch files it must delete itself (HDF5 is written through a file).
 */
export async function writeDirectoryAtomically(
  directory: string,
  produce: (stagingDir: string) => Promise<ExportFile[]>,
  options: AtomicOptions = {},
): Promise<AtomicResult> {
  const dest = resolve(directory);
  const write = options.writeFile ?? defaultWriteFile;
  await cleanStalePartials(dest);
  const state = await inspectDestination(dest);
  const refused = refusal(state, options.overwrite ?? false);
  if (refused) throw new ExportError(dest, refused);
  const parent = dirname(dest);
  let createdRoot: string | undefined;
  try {
    createdRoot = await mkdir(parent, { recursive: true });
  } catch (e) {
    throw new ExportError(dest, `cannot create parent folder ${parent}: ${reason(e)}`, e);
  }
  let staging: string | undefined;
  let displaced: string | undefined;
  try {
    try {
      staging = await mkdtemp(join(parent, `.${basename(dest)}.partial-`));
      live.add(staging);
    } catch (e) {
      throw new ExportError(dest, `cannot write in ${parent}: ${reason(e)}`, e);
    }
    const files = await produce(staging);
    const names = new Set<string>();
    for (const f of files) {
      if (names.has(f.name) || f.name !== basename(f.name) || f.name === EXPORT_MARKER) throw new Error(`bad or duplicate export file name "${f.name}"`);
      names.add(f.name);
    }
    const marker: ExportMarker = {
      writer: 'curvature',
      kind: 'export',
      version: 1,
      writtenAt: new Date().toISOString(),
      description: options.description ?? '',
      files: files.map((f) => f.name),
    };
    const all = [...files, { name: EXPORT_MARKER, bytes: new TextEncoder().encode(JSON.stringify(marker, null, 2) + '\n') }];
    for (const f of all) {
      try {
        await write(join(staging, f.name), f.bytes);
      } catch (e) {
        throw new ExportError(dest, `writing ${f.name} failed: ${reason(e)}`, e);
      }
    }
    if (state.kind !== 'missing') {
      displaced = `${staging}.previous`;
      await rename(dest, displaced);
    }
    await rename(staging, dest);
    live.delete(staging);
    staging = undefined;
    if (displaced) await rm(displaced, { recursive: true, force: true });
    const replaced = state.kind === 'export' ? `replaced ${describeMarker(state.marker)} (${state.marker.files.length} files)` : undefined;
    return { directory: dest, files: marker.files, ...(replaced ? { replaced } : {}) };
  } catch (e) {
    if (displaced && staging) await rename(displaced, dest).catch(() => undefined);
    if (staging) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      live.delete(staging);
    }
    if (createdRoot) await rm(createdRoot, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof ExportError) throw e;
    throw new ExportError(dest, `export failed: ${reason(e)}`, e);
  }
}
