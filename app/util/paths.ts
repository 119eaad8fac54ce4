/**
 * The one place where names and paths that come from outside (experiment files, CLI flags, requests)
 * become file-system paths. Everything else builds paths through these functions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './configError';
import { isSafeName, SAFE_NAME_RULE } from './safeName';

export { SAFE_NAME, SAFE_NAME_RULE, isSafeName, safeNameSchema } from './safeName';

/** The name itself when it is safe; otherwise a ConfigError naming the field. */
export function assertSafeName(name: string, field: string): string {
  if (!isSafeName(name)) throw new ConfigError(`${field}: "${printable(name)}" is not a safe name; ${SAFE_NAME_RULE}`);
  return name;
}

/**
 * `root` joined with a name that must stay a direct or nested child of it: no absolute paths, no
 * `..` segments out of it, and no symbolic link on the way that leads outside (checked against the
 * real paths of whatever part already exists). Returns the absolute path.
 */
export function resolveInside(root: string, relative: string, field: string): string {
  if (relative.includes('\0')) throw new ConfigError(`${field}: the path contains a NUL byte`);
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  if (!isWithin(base, target)) {
    throw new ConfigError(`${field}: "${printable(relative)}" leads outside ${base}`);
  }
  const realBase = realExisting(base);
  const realTarget = realExisting(target);
  if (!isWithin(realBase, realTarget)) {
    throw new ConfigError(`${field}: "${printable(relative)}" leads outside ${base} through a symbolic link`);
  }
  return target;
}

/** True when `child` is `parent` or lies inside it (both absolute). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Real path of p, resolving symlinks of its deepest existing ancestor and appending the rest. */
export function realExisting(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.join(existing, ...rest.reverse());
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
}

/** A value safe to quote in a message: control characters escaped, length bounded. */
function printable(s: string): string {
  const escaped = JSON.stringify(s).slice(1, -1);
  return escaped.length > 120 ? `${escaped.slice(0, 117)}…` : escaped;
}
