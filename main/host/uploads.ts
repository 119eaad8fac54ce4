/**
 * Uploaded files: a safe base name and a private folder per upload, written as a stream so a large
 * file never sits in memory, and cut off at the size cap while it arrives (not after).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The documented upload limit of browser mode (README: "Browser mode"). */
export const MAX_UPLOAD_BYTES = 1024 ** 3;

export class UploadTooLargeError extends Error {
  constructor(
    readonly fileName: string,
    readonly maxBytes: number,
  ) {
    super(`${fileName}: larger than the upload limit of ${formatBytes(maxBytes)}; open a file this large with the desktop app or the CLI`);
    this.name = 'UploadTooLargeError';
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** Only the base name, restricted to harmless characters, so an upload can never leave its folder. */
export function safeUploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  return base.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+/, '_').slice(0, 200) || 'upload';
}

/** A fresh private folder under uploadDir with the sanitised name in it. */
export function uploadTarget(uploadDir: string, name: string): string {
  const folder = path.join(uploadDir, randomBytes(8).toString('hex'));
  fs.mkdirSync(folder, { recursive: true });
  return path.join(folder, safeUploadName(name));
}

/**
 * Streams `source` into a new file under uploadDir. Backpressure keeps memory bounded; more than
 * maxBytes aborts the copy, removes what was written and rejects with UploadTooLargeError.
 */
export async function streamUpload(source: Readable, options: { uploadDir: string; name: string; maxBytes?: number }): Promise<string> {
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  const target = uploadTarget(options.uploadDir, options.name);
  let received = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > maxBytes) callback(new UploadTooLargeError(safeUploadName(options.name), maxBytes));
      else callback(null, chunk);
    },
  });
  // Not pipeline(source, …): on a refusal the source (an HTTP request) must stay open long enough
  // to carry the 413 answer back, so only the cap and the file are torn down here.
  source.on('error', (err) => cap.destroy(err));
  source.on('close', () => {
    if (!source.readableEnded) cap.destroy(new Error('the upload was interrupted before its end'));
  });
  source.pipe(cap);
  try {
    await pipeline(cap, fs.createWriteStream(target, { flags: 'wx' }));
  } catch (err) {
    source.unpipe(cap);
    fs.rmSync(path.dirname(target), { recursive: true, force: true });
    throw err;
  }
  return target;
}
