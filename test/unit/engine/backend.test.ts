import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { initEngine, formatReport, gpuUnavailableReason } from '../../../app/engine/choice';
import { shimLegacyUtil } from '../../../app/engine/nodeShim';
import util from 'node:util';

const root = path.resolve(__dirname, '../../..');

function infoWith(env: Record<string, string>): { code: number; out: string; err: string } {
  try {
    const out = execFileSync(process.execPath, ['bin/curvature.mjs', 'info', '--json'], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, out, err: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout, err: err.stderr };
  }
}

describe('backend choice', () => {
  it('reports the backend it chose and why each one before it was skipped', async () => {
    const report = await initEngine();
    const order = ['tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu'];
    const chosen = order.indexOf(report.name);
    expect(chosen).toBeGreaterThanOrEqual(0);
    expect(report.skipped.map((s) => s.name)).toEqual(order.slice(0, chosen));
    for (const s of report.skipped) expect(s.reason.length).toBeGreaterThan(10);
    expect(report.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(formatReport(report)).toContain(report.label);
    if (report.name !== 'tensorflow-gpu' && gpuUnavailableReason() === null) {
      expect(report.skipped[0].reason).toMatch(/not installed|failed/);
    }
  });

  it('honours CURVATURE_BACKEND=cpu and refuses an unknown name', () => {
    const cpu = infoWith({ CURVATURE_BACKEND: 'cpu' });
    expect(cpu.code).toBe(0);
    const report = JSON.parse(cpu.out);
    expect(report).toMatchObject({ name: 'cpu', tfBackend: 'cpu', selection: 'override' });
    const bad = infoWith({ CURVATURE_BACKEND: 'quantum' });
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/CURVATURE_BACKEND="quantum" is not a backend/);
  }, 180_000); // two CLI processes: slow on a loaded 2-core machine

  it('puts back util.isNullOrUndefined for tfjs-node on Node >= 23', () => {
    const u = util as unknown as { isNullOrUndefined?: (v: unknown) => boolean };
    const check = (v: unknown) => (u.isNullOrUndefined as (v: unknown) => boolean)(v);
    const saved = u.isNullOrUndefined;
    delete u.isNullOrUndefined;
    shimLegacyUtil();
    expect(check(null)).toBe(true);
    expect(check(0)).toBe(false);
    if (saved) u.isNullOrUndefined = saved;
  });
});
