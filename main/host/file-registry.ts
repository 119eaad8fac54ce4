/**
 * The only way a file path enters the host: a dialog, a drop or an upload registers it here and the
 * renderer gets an opaque token. The renderer can never name a path of its own choosing.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FileHandle } from '../../app/api/contract';

export class FileRegistry {
  private readonly files = new Map<string, { path: string; handle: FileHandle }>();

  /** Registers a file chosen by the user (never call this with a path from the renderer). */
  register(filePath: string): FileHandle {
    const absolute = path.resolve(filePath);
    const stat = fs.statSync(absolute, { throwIfNoEntry: false });
    if (!stat) throw new Error(`${absolute}: file not found`);
    if (!stat.isFile()) throw new Error(`${absolute}: not a regular file`);
    const handle: FileHandle = { token: randomUUID(), name: path.basename(absolute), bytes: stat.size };
    this.files.set(handle.token, { path: absolute, handle });
    return handle;
  }

  /** The path behind a token; anything else (a path, a stale token) is refused. */
  resolve(token: string): string {
    const entry = this.files.get(token);
    if (!entry) {
      throw new Error('Unknown file handle: choose the file again with Open data file… (paths typed by the page are not accepted).');
    }
    return entry.path;
  }

  /** Points an existing token at another file the host made (a model linked next to its shards). */
  repoint(token: string, filePath: string): void {
    const entry = this.files.get(token);
    if (!entry) throw new Error('Unknown file handle');
    this.files.set(token, { path: path.resolve(filePath), handle: entry.handle });
  }

  has(token: string): boolean {
    return this.files.has(token);
  }
}
