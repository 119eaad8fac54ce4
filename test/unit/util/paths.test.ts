import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertSafeName, isSafeName, resolveInside } from '../../../app/util/paths';
import { ConfigError } from '../../../app/util/configError';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-paths-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('safe names', () => {
  it('accepts ordinary run and experiment ids', () => {
    for (const n of ['lbfgs', 'adam-2', 'run_1.final', 'A', '0', 'x'.repeat(64)]) expect(isSafeName(n), n).toBe(true);
  });
  it('refuses names that are paths, hidden, empty, too long, reserved or carry control characters', () => {
    for (const n of ['', '.', '..', '.hidden', '../x', 'a/b', 'a\\b', '/abs', 'x'.repeat(65), 'a\0b', 'adam-β', 'CON', 'nul.txt', 'a b', 'a\nb']) {
      expect(isSafeName(n), JSON.stringify(n)).toBe(false);
    }
  });
  it('names the field in its error', () => {
    expect(() => assertSafeName('../../etc', 'runs.0.id')).toThrow(ConfigError);
    expect(() => assertSafeName('../../etc', 'runs.0.id')).toThrow(/runs\.0\.id: "\.\.\/\.\.\/etc" is not a safe name/);
  });
});

describe('resolveInside', () => {
  const root = path.join(tmp, 'root');
  fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'outside'));
  fs.symlinkSync(path.join(tmp, 'outside'), path.join(root, 'escape'));
  fs.symlinkSync(path.join(root, 'sub'), path.join(root, 'inner-link'));

  it('keeps relative names inside the root, existing or not', () => {
    expect(resolveInside(root, 'sub/new/file.csv', 'f')).toBe(path.join(root, 'sub/new/file.csv'));
    expect(resolveInside(root, 'a/../b', 'f')).toBe(path.join(root, 'b'));
    expect(resolveInside(root, 'inner-link/x', 'f')).toBe(path.join(root, 'inner-link/x'));
  });
  it('refuses .., absolute paths, NUL bytes and symbolic links that lead out', () => {
    expect(() => resolveInside(root, '../x', 'data.source.path')).toThrow(/data\.source\.path: .*leads outside/);
    expect(() => resolveInside(root, '/etc/passwd', 'f')).toThrow(/leads outside/);
    expect(() => resolveInside(root, 'a\0b', 'f')).toThrow(/NUL/);
    expect(() => resolveInside(root, 'escape/file', 'f')).toThrow(/symbolic link/);
    expect(() => resolveInside(root, 'escape', 'f')).toThrow(/symbolic link/);
  });
});
