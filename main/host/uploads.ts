/**
 * Uploaded files: a safe base name and a private folder per upload, written as a stream so a large
 * file never sits in memory, and cut off at the size cap while it arrives (not after). A session's
 * UploadBudget caps the bytes held in all, the uploads in flight, and how long an upload may send
 * nothing before it is cut and its partial file removed.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes } from '../../app/util/bytes';

/** The documented upload limit of browser mode (docs/safety.md). */
export const MAX_UPLOAD_BYTES = 1024 ** 3;
/** Bytes all uploads of one browser-mode session may hold together (`--max-upload-total`). */
export const MAX_UPLOAD_TOTAL_BYTES = 4 * 1024 ** 3;
/** Uploads in flight at once; one more is refused (429) until one ends. */
export const MAX_CONCURRENT_UPLOADS = 4;
/** An upload that sends no byte for this long is cut and its partial file removed. */
export const UPLOAD_IDLE_MS = 60_000;

/** An upload refused for the session's budget (total bytes, uploads in flight) or cut for stalling; `status` is the HTTP answer. */
export class UploadRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UploadRefusedError';
  }
}

export interface UploadBudgetOptions {
  maxTotalBytes?: number;
  maxConcurrent?: number;
  idleMs?: number;
}

/** What one browser-mode session may hold in uploads; every upload is charged as its bytes arrive. */
export class UploadBudget {
  readonly maxTotalBytes: number;
  readonly maxConcurrent: number;
  readonly idleMs: number;
  private held = 0;
  private active = 0;

  constructor(options: UploadBudgetOptions = {}) {
    this.maxTotalBytes = options.maxTotalBytes ?? MAX_UPLOAD_TOTAL_BYTES;
    this.maxConcurrent = options.maxConcurrent ?? MAX_CONCURRENT_UPLOADS;
    this.idleMs = options.idleMs ?? UPLOAD_IDLE_MS;
  }

  get heldBytes(): number {
    return this.held;
  }

  /** Bytes still free for this session. */
  get freeBytes(): number {
    return this.maxTotalBytes - this.held;
  }

  /** The refusal of an upload that would pass the session's total. */
  overTotal(name: string): UploadRefusedError {
    return new UploadRefusedError(
      413,
      `${name}: this session's uploads would hold more than ${formatBytes(this.maxTotalBytes)} (the limit; ${formatBytes(this.held)} held); restart browser mode with a larger --max-upload-total`,
    );
  }

  /** Starts one upload, or refuses it while the maximum are in flight. `end` must be called once. */
  begin(name: string): { charge(bytes: number): void; end(keptBytes: boolean): void } {
    if (this.active >= this.maxConcurrent) {
      throw new UploadRefusedError(429, `${name}: ${this.maxConcurrent} uploads are already in progress (the limit); wait until one has finished`);
    }
    this.active++;
    let charged = 0;
    let ended = false;
    return {
      charge: (bytes: number) => {
        if (this.held + bytes > this.maxTotalBytes) throw this.overTotal(name);
        this.held += bytes;
        charged += bytes;
      },
      end: (kept: boolean) => {
        if (ended) return;
        ended = true;
        this.active--;
        if (!kept) this.held -= charged;
      },
    };
  }
}

export class UploadTooLargeError extends Error {
  constructor(
    readonly fileName: string,
    readonly maxBytes: number,
  ) {
    super(`${fileName}: larger than the upload limit of ${formatBytes(maxBytes)}; open a file this large with the desktop app or the CLI`);
    this.name = 'UploadTooLargeError';
  }
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
 * maxBytes aborts the copy, removes what was written and rejects with UploadTooLargeError. With a
 * budget, the bytes are charged to the session as they arrive, the upload counts as in flight until
 * it ends, and `budget.idleMs` without a byte cuts it (UploadRefusedError 408), partial file removed.
 */
export async function streamUpload(source: Readable, options: { uploadDir: string; name: string; maxBytes?: number; budget?: UploadBudget }): Promise<string> {
  const maxBytes = options.maxBytes ?? MAX_UPLOAD_BYTES;
  const shown = safeUploadName(options.name);
  const ticket = options.budget?.begin(shown);
  const target = uploadTarget(options.uploadDir, options.name);
  let received = 0;
  let idle: NodeJS.Timeout | undefined;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      armIdle();
      if (received > maxBytes) return callback(new UploadTooLargeError(shown, maxBytes));
      try {
        ticket?.charge(chunk.length);
      } catch (err) {
        return callback(err as Error);
      }
      callback(null, chunk);
    },
  });
  const idleMs = options.budget?.idleMs;
  function armIdle(): void {
    if (idleMs === undefined) return;
    clearTimeout(idle);
    idle = setTimeout(() => cap.destroy(new UploadRefusedError(408, `${shown}: no data arrived for ${idleMs / 1000} s; the upload was cut and its partial file removed`)), idleMs);
  }
  armIdle();
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
    ticket?.end(false);
    throw err;
  } finally {
    clearTimeout(idle);
  }
  ticket?.end(true);
  return target;
}
