/**
 * Which file to run for the CLI or the trainer: the esbuild output under compiled/ (scripts/build-node.mjs)
 * when it exists and every source that went into it is unchanged, else null (the caller runs the
 * TypeScript through tsx). Checking costs one stat per source file, far less than compiling them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** CURVATURE_COMPILED_DIR moves the folder (tests); CURVATURE_COMPILED=0 ignores it (always tsx). */
export function compiledDir(env = process.env) {
  return env.CURVATURE_COMPILED_DIR ? path.resolve(env.CURVATURE_COMPILED_DIR) : path.join(REPO, 'compiled');
}

/** @returns {{ file: string } | { file: null, why: string }} */
export function compiledEntry(name, env = process.env) {
  if (env.CURVATURE_COMPILED === '0') return { file: null, why: 'CURVATURE_COMPILED=0' };
  const dir = compiledDir(env);
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return { file: null, why: `no build in ${dir} (npm run build:node)` };
  }
  const entry = manifest?.entries?.[name];
  if (typeof entry !== 'string' || !fs.existsSync(path.join(dir, entry))) return { file: null, why: `no ${name} entry in ${dir}` };
  for (const input of manifest.inputs ?? []) {
    let stat;
    try {
      stat = fs.statSync(path.join(REPO, input.file));
    } catch {
      return { file: null, why: `${input.file} is gone since the build` };
    }
    if (stat.size !== input.size || stat.mtimeMs !== input.mtimeMs) return { file: null, why: `${input.file} changed since the build (npm run build:node)` };
  }
  return { file: path.join(dir, entry) };
}
