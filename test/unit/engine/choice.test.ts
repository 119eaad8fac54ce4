/** The engine a user gets: the experiment setting, --backend and CURVATURE_BACKEND, and what they are told. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { engineFor, formatReport, initEngine } from '../../../app/engine/choice';
import { onnxUnavailableReason } from '../../../app/engine/onnx';
import { startExperiment } from '../../../app/train/runner';
import { loadExample, EXAMPLES_DIR } from '../../../app/examples';
import { parseExperiment } from '../../../app/schema/experiment';

const root = path.resolve(__dirname, '../../..');

function cli(args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  try {
    const out = execFileSync(process.execPath, ['bin/curvature.mjs', ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out, err: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout, err: err.stderr };
  }
}

describe('engine choice', () => {
  it('an experiment asking for cpu runs on cpu, and its summaries and outcome say so', async () => {
    const experiment = parseExperiment({ ...loadExample('seed'), engine: { backend: 'cpu' } });
    const started: string[] = [];
    const outcome = await startExperiment(experiment, {
      baseDir: EXAMPLES_DIR,
      onEvent: (e) => void (e.type === 'experiment-started' && started.push(e.backend)),
    }).done;
    expect(outcome.engine).toMatchObject({ name: 'cpu', selection: 'override', overrideSource: 'experiment' });
    expect(started).toEqual([outcome.engine!.label]);
    for (const r of outcome.runs) expect(r.summary.engine?.name).toBe('cpu');
    // The default engine's outcome lists why every engine before it was skipped.
    const auto = await startExperiment(loadExample('seed'), { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;
    const report = await initEngine();
    expect(auto.engine?.name).toBe(report.name);
    expect(auto.runs[0].summary.engine?.skipped.map((s) => s.name)).toEqual(report.skipped.map((s) => s.name));
  });

  it('an experiment asking for an engine that cannot run fails with the reason', async () => {
    const reason = onnxUnavailableReason();
    if (reason === null) return; // onnxruntime runs here: nothing to refuse
    await expect(engineFor({ backend: 'onnxruntime' })).rejects.toThrow(/onnxruntime was requested by the experiment/);
  });

  it('rejects an unknown engine in the experiment file, naming the field', () => {
    expect(() => parseExperiment({ ...loadExample('seed'), engine: { backend: 'quantum' } })).toThrow(/engine\.backend/);
    expect(() => parseExperiment({ ...loadExample('seed'), engine: { threads: 0 } })).toThrow(/engine\.threads/);
  });

  it('--backend wins over CURVATURE_BACKEND in curvature info; a bad name is refused', () => {
    const r = cli(['info', '--json', '--backend', 'cpu'], { CURVATURE_BACKEND: 'wasm' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ name: 'cpu', selection: 'override', overrideSource: 'option' });
    const bad = cli(['info', '--backend', 'quantum']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/quantum/);
  }, 180_000);

  it('formatReport names the engine and each skipped one with its reason', async () => {
    const report = await initEngine();
    const text = formatReport(report);
    expect(text.split('\n')[0]).toContain(report.label);
    for (const s of report.skipped) expect(text).toContain(`${s.name}: ${s.reason}`);
  });
});
