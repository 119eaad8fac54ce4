/** The one error a model file can cause: names the file (base name only) and has control characters escaped. */
import { basename } from 'node:path';
import { ConfigError } from '../util/configError';

/**
 * A name or value from a file, safe to print on a terminal: control characters (ESC, BEL, newlines,
 * C1 codes) escaped as \uXXXX, length bounded.
 */
export function printable(s: string, max = 200): string {
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

/** A model file that cannot be opened as a Dense stack; the message says which file, member, layer and limit. */
export class ModelImportError extends ConfigError {
  override name = 'ModelImportError';
  constructor(
    file: string,
    message: string,
    /** The file names no layers of its own (subclassed model): its weights may still be used with given layers. */
    readonly subclassed = false,
  ) {
    super(printable(`${basename(file)}: ${message}`, 4000));
  }
}

/** Any failure while reading `file` as a ModelImportError: ours pass, anything else keeps one line of its message and no stack. */
export function asImportError(file: string, e: unknown): ModelImportError {
  if (e instanceof ModelImportError) return e;
  const err = e instanceof Error ? e : new Error(String(e));
  const first = err.message.split('\n')[0].slice(0, 300);
  return new ModelImportError(file, `unreadable model file (${err.name}: ${first})`);
}
