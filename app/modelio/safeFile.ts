/**
 * Reading the bytes of a model file and of the files it names. One rule for everything a model
 * file references: a plain base name, resolved in the model's own folder (or among the files
 * uploaded with it), a regular file (never a FIFO, device or socket, which could block or never
 * end) and no symbolic link that leads out of that folder. Sizes are checked against the budget
 * with fstat before a byte is read, and the file is opened non-blocking so even a FIFO swapped in
 * after the check cannot stall the thread pool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isWithin } from '../util/paths';
import { ModelImportError, printable } from './errors';
import { formatBytes, MODEL_LIMITS } from './limits';

const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/**
 * The bytes of a regular file, at most `maxBytes` (refused beyond, before reading). `reportAs`
 * names the file in messages; `what` says which file it is ("the model file", "shard x.bin").
 */
export async function readRegularFile(file: string, reportAs: string, what: string, maxBytes: number = MODEL_LIMITS.fileBytes, noFollow = false): Promise<Uint8Array> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, OPEN_FLAGS | (noFollow ? (fs.constants.O_NOFOLLOW ?? 0) : 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new ModelImportError(reportAs, `${what} is a symbolic link; only regular files are read`);
    throw new ModelImportError(reportAs, `cannot read ${what} (${code ?? (e as Error).message})`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ModelImportError(reportAs, `${what} is ${kindOf(stat)}; only regular files are read`);
    if (stat.size > maxBytes) {
      throw new ModelImportError(reportAs, `${what} has ${stat.size} bytes (${formatBytes(stat.size)}), more than the limit of ${formatBytes(maxBytes)}`);
    }
    const bytes = new Uint8Array(stat.size);
    let read = 0;
    while (read < bytes.length) {
      const { bytesRead } = await handle.read(bytes, read, bytes.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    if (read !== bytes.length) throw new ModelImportError(reportAs, `${what} changed while it was read (${read} of ${stat.size} bytes)`);
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * Where a model file's companions (TF.js shards) are looked up: its own folder. Files uploaded
 * together are linked into one private folder by the host, so the same rule covers them.
 */
export type Companions = { folder: string };

/** True for a plain file name: no folder part, not `.`/`..`, no NUL or control characters. */
export function isPlainBaseName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= 255 &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\\u0000-\u001f\u007f]/.test(name) &&
    !/^[A-Za-z]:/.test(name)
  );
}

/**
 * The path of a file the model names (a TF.js shard), or a refusal: plain base names only, found
 * in the model's folder (or the uploaded set), with no symbolic link leading out of that folder.
 */
export function companionPath(modelFile: string, companions: Companions, name: unknown, field: string): string {
  if (!isPlainBaseName(name)) {
    const shown = typeof name === 'string' ? `"${printable(name)}"` : `a ${typeof name}`;
    throw new ModelImportError(modelFile, `${field} names ${shown}; a model may only name files by their plain name, in its own folder`);
  }
  const folder = path.resolve(companions.folder);
  const target = path.join(folder, name);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // The usual cause: the model file was chosen without its weight files. Name the file, not a host path.
    if (code === 'ENOENT') {
      throw new ModelImportError(
        modelFile,
        `${field}: weight file "${printable(name)}" is missing; it must sit beside ${path.basename(modelFile)} (choose or drop them together)`,
      );
    }
    throw new ModelImportError(modelFile, `${field}: cannot read "${printable(name)}" (${code ?? 'unreadable'})`);
  }
  if (stat.isSymbolicLink()) {
    let real: string;
    try {
      real = fs.realpathSync.native(target);
    } catch {
      throw new ModelImportError(modelFile, `${field}: "${printable(name)}" is a broken symbolic link`);
    }
    if (!isWithin(fs.realpathSync.native(folder), real)) {
      throw new ModelImportError(modelFile, `${field}: "${printable(name)}" is a symbolic link that leads outside the model's folder`);
    }
    return real;
  }
  if (!stat.isFile()) throw new ModelImportError(modelFile, `${field}: "${printable(name)}" is ${kindOf(stat)}; only regular files are read`);
  return target;
}
