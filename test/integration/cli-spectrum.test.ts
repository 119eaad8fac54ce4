/** `curvature spectrum` as a real child process: the JSON shape, dense against Lanczos, bad flags. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { runCli } from './helpers';

const root = path.resolve(__dirname, '../..');
const spirals = path.join(root, 'app/examples/data/spirals.csv');

function cli(args: string[]) {
  return runCli(args, { cwd: root });
}

describe('curvature spectrum', () => {
  it('--json: the documented keys; Lanczos ends agree with the dense spectrum at the same weights', () => {
    const base = ['spectrum', spirals, '--target', 'species', '--layers', '8:tanh', '--seed', '3', '--k', '4', '--json', '--backend', 'cpu'];
    const dense = cli([...base, '--method', 'dense']);
    expect(dense.stderr).toBe('');
    expect(dense.code).toBe(0);
    const d = JSON.parse(dense.stdout);
    for (const key of ['n', 'loss', 'largest', 'smallest', 'verdict', 'method', 'hessianVectorProducts']) expect(d).toHaveProperty(key);
    expect(d.method).toBe('dense');
    expect(d.hessianVectorProducts).toBe(d.n);
    expect(d.largest).toHaveLength(4);
    expect(d.largest[0]).toBeGreaterThanOrEqual(d.largest[3]);
    expect(d.smallest[0]).toBeLessThanOrEqual(d.smallest[3]);
    expect(d.verdict).toMatch(/^(minimum|saddle: \d+ negative directions? \(λ_min = .+\)|flat: .+)$/);
    const lanczos = JSON.parse(cli([...base, '--method', 'lanczos']).stdout);
    expect(lanczos.method).toBe('lanczos');
    for (let i = 0; i < 4; i++) {
      expect(Math.abs(lanczos.largest[i] - d.largest[i])).toBeLessThan(1e-6 * Math.abs(d.largest[0]));
      expect(Math.abs(lanczos.smallest[i] - d.smallest[i])).toBeLessThan(1e-6 * Math.abs(d.largest[0]));
    }
  });

  it('refuses --k above 20 with exit code 2', () => {
    const r = cli(['spectrum', spirals, '--target', 'species', '--k', '21']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--k must be ≤ 20/);
  });
});
