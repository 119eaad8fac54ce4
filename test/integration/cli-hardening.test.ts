/**
 * The CLI as an attacker and a careless user meet it (real child processes): hostile run ids and
 * data paths in experiment files, --out folders it must not replace, read-only destinations found
 * before training, the documented exit codes, and Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXPORT_MARKER } from '../../app/export/atomicDirectory';
import { seedExperiment } from './helpers';

const root = path.resolve(__dirname, '../..');
/** Each CLI child takes 5–15 s to start on a loaded two-core machine; tests spawn up to six. */
const SPAWN_TIMEOUT = 300_000;
/** The fitting plots an export of the seed (a regression, training rows only) carries beside the weights. */
const PLOT_FILES = ['plot-performance', 'plot-regression', 'plot-error-histogram'].flatMap((f) => [`${f}.png`, `${f}.csv`]);
const BIN = path.join(root, 'bin/curvature.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-cli-hard-'));
fs.chmodSync(tmp, 0o755);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], options: { uid?: number } = {}) {
  const asUser = options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {};
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', HOME: tmp },
    timeout: 120_000,
    ...asUser,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeJson(file: string, value: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

/** The seed with quick stopping, so runs that do start end at once. */
function quickSeed() {
  const seed = seedExperiment();
  return { ...seed, runs: seed.runs.map((r) => ({ ...r, stopping: { ...r.stopping, maxIterations: 3 } })) };
}

describe('curvature CLI: hostile names and paths', () => {
  it('refuses run ids that are paths, hidden, too long or not plain ASCII, naming each field (exit 2)', () => {
    const ids = ['../x', '/abs', 'a\0b', '..', 'x'.repeat(65), 'adam-β', '.hidden', 'a/b'];
    const seed = quickSeed();
    const file = writeJson(path.join(tmp, 'ids', 'exp.json'), { ...seed, runs: ids.map((id) => ({ ...seed.runs[0], id })) });
    const r = cli(['run', file, '--out', path.join(tmp, 'ids', 'out')]);
    expect(r.code).toBe(2);
    for (let i = 0; i < ids.length; i++) expect(r.stderr).toMatch(new RegExp(`runs\\.${i}\\.id: not a safe name`));
    expect(fs.existsSync(path.join(tmp, 'ids', 'out'))).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => n === 'x' || n === 'abs')).toEqual([]);
  }, SPAWN_TIMEOUT);

  it('an experiment file may name data only inside its own folder: absolute, .. and symlinked paths are refused unless --allow-outside-paths', () => {
    const outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    const data = path.join(outside, 'data.csv');
    fs.writeFileSync(data, 'a,b,y\n' + Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i % 2}`).join('\n') + '\n');
    const dir = path.join(tmp, 'exp-dir');
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(outside, path.join(dir, 'link'));
    const spec = (p: string) => ({
      data: { source: { kind: 'file', path: p }, target: 'y', task: 'binary', split: { validation: 0 } },
      model: { layers: [{ units: 1, activation: 'sigmoid' }] },
      runs: [{ optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 2 } }],
    });
    const cases: [string, RegExp][] = [
      [data, /data\.source\.path: ".*data\.csv" leads outside/],
      ['../outside/data.csv', /data\.source\.path: "\.\.\/outside\/data\.csv" leads outside/],
      ['link/data.csv', /data\.source\.path: "link\/data\.csv" leads outside .* through a symbolic link/],
    ];
    cases.forEach(([p, message], i) => {
      const file = writeJson(path.join(dir, `exp${i}.json`), spec(p));
      const r = cli(['run', file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('--allow-outside-paths');
      expect(r.stdout).toBe('');
    });
    // Weight files named by the experiment are confined the same way.
    const weights = writeJson(path.join(dir, 'w.json'), { ...spec('data-in-folder.csv'), initialWeights: { path: '/etc/passwd' } });
    const w = cli(['run', weights]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/initialWeights\.path: "\/etc\/passwd" leads outside/);
    // The user's explicit choice: the same absolute path is read.
    const ok = cli(['run', path.join(dir, 'exp0.json'), '--allow-outside-paths', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).runs).toHaveLength(1);
  }, SPAWN_TIMEOUT);
});

describe('curvature CLI: --out and --force', () => {
  const exp = writeJson(path.join(tmp, 'force', 'exp.json'), quickSeed());
  const out = path.join(tmp, 'force', 'out');

  it('refuses --force over a folder Curvature did not write, before training (exit 2); replaces its own export and says so; cleans stale partials', () => {
    fs.mkdirSync(path.join(out, 'adam'), { recursive: true });
    fs.writeFileSync(path.join(out, 'adam', 'mine.txt'), 'keep me');
    fs.mkdirSync(path.join(out, '.lbfgs.partial-Zz9999'));
    const refused = cli(['run', exp, '--out', out, '--format', 'json', '--force']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${path.join(out, 'adam')}: destination folder is not empty and will not be replaced: it has no ${EXPORT_MARKER} marker`);
    expect(refused.stderr).not.toMatch(/note:/); // nothing was loaded or trained
    expect(refused.stdout).toBe('');
    expect(fs.readFileSync(path.join(out, 'adam', 'mine.txt'), 'utf8')).toBe('keep me');
    expect(fs.readdirSync(out).sort()).toEqual(['.lbfgs.partial-Zz9999', 'adam']);

    fs.rmSync(path.join(out, 'adam'), { recursive: true });
    const first = cli(['run', exp, '--out', out, '--format', 'json']);
    expect(first.code, first.stderr).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['adam', 'bfgs', 'lbfgs']); // the stale partial is gone
    const again = cli(['run', exp, '--out', out, '--format', 'npz']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds an earlier Curvature export .*; allow overwrite/);
    const forced = cli(['run', exp, '--out', out, '--format', 'npz', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(new RegExp(`${path.join(out, 'lbfgs').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: replaced run "lbfgs" of experiment "Seed.*" written `));
    expect(fs.readdirSync(path.join(out, 'lbfgs')).sort()).toEqual([EXPORT_MARKER, 'README.md', 'experiment.json', 'history.csv', 'preprocessing.json', 'summary.json', 'weights.npz', ...PLOT_FILES].sort());
  }, SPAWN_TIMEOUT);

  it('a read-only --out folder is refused before training (real permissions, as user nobody when root)', () => {
    const ro = path.join(tmp, 'ro');
    fs.mkdirSync(ro);
    fs.chmodSync(ro, 0o555);
    fs.chmodSync(path.dirname(exp), 0o755);
    fs.chmodSync(exp, 0o644);
    const r = cli(['run', exp, '--out', path.join(ro, 'out')], process.getuid?.() === 0 ? { uid: 65534 } : {});
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${path.join(ro, 'out', 'bfgs')}: cannot write in ${ro}: EACCES`);
    expect(r.stderr).not.toMatch(/note:/);
    expect(fs.readdirSync(ro)).toEqual([]);
  }, SPAWN_TIMEOUT);
});

describe('curvature CLI: exit codes', () => {
  it('documents them in --help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const line of [/^ {2}0 +every run ran/m, /^ {2}1 +a run could not start or ended in an error/m, /^ {2}2 +bad input or usage/m, /^ {2}130 +a second Ctrl-C/m]) {
      expect(r.stdout).toMatch(line);
    }
    expect(cli(['run', '--help']).stdout).toMatch(/--allow-outside-paths/);
  }, SPAWN_TIMEOUT);

  it('data overflowing float32 ends every run as non-finite: exit 1, with the report still printed', () => {
    const file = path.join(tmp, 'overflow.csv');
    fs.writeFileSync(file, 'a,b,y\n' + Array.from({ length: 30 }, (_, i) => `${i % 7},${i % 5},${(1 + i) * 1e30}`).join('\n') + '\n');
    // Unscaled, a target of 1e30 squares past float32's range (a standardised one would train fine).
    const r = cli(['train', file, '--target', 'y', '--optimizer', 'lbfgs,adam', '--no-scale-target', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.runs.map((x: { status: string }) => x.status)).toEqual(['non-finite', 'non-finite']);
    expect(r.stderr).toMatch(/2 of 2 runs ended in an error: lbfgs \(non-finite\), adam \(non-finite\)/);
  }, SPAWN_TIMEOUT);

  it('first Ctrl-C stops the runs gracefully (exit 0, exported); a second quits at once with 130 and leaves no partial export', async () => {
    // Iterations of ~0.1–0.5 s (tanh on 20k rows) so that a second Ctrl-C lands before the stop completes.
    const data = path.join(tmp, 'sigint', 'slow.csv');
    fs.mkdirSync(path.dirname(data), { recursive: true });
    const rows = Array.from({ length: 20_000 }, (_, i) => Array.from({ length: 11 }, (_, j) => ((i * 7919 + j * 104729) % 1000) / 1000).join(','));
    fs.writeFileSync(data, ['x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,y', ...rows].join('\n') + '\n');
    const run = (signals: number) =>
      new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; out: string }>((resolve) => {
        const out = path.join(tmp, 'sigint', `out-${signals}`);
        const args = ['train', data, '--target', 'y', '--layers', '64:tanh', '--optimizer', 'adam', '--max-iter', '100000', '--out', out, '--format', 'json'];
        const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
        let stderr = '';
        let sent = 0;
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          // Training has begun once the loading notes are out; let it iterate a little first.
          if (sent === 0 && /note:/.test(stderr)) {
            sent = 1;
            setTimeout(() => child.kill('SIGINT'), 800);
          }
          // Signals sent during one long iteration coalesce, so the second waits for the first's answer.
          if (signals === 2 && sent === 1 && /Stopping all runs/.test(stderr)) {
            sent = 2;
            child.kill('SIGINT');
          }
        });
        child.on('exit', (code, signal) => resolve({ code, signal, stderr, out }));
      });
    const once = await run(1);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stderr).toMatch(/Stopping all runs/);
    expect(fs.readdirSync(path.join(once.out, 'adam'))).toContain('weights.json');
    const twice = await run(2);
    // 130 from our handler; a signal landing in the last milliseconds before exit kills with SIGINT, which a shell also reports as 130.
    expect(twice.code === 130 || twice.signal === 'SIGINT', `${twice.code} ${twice.signal}\n${twice.stderr}`).toBe(true);
    expect(twice.stderr).toMatch(/Stopping all runs/);
    expect(fs.existsSync(twice.out) ? fs.readdirSync(twice.out).filter((n) => n.includes('.partial-')) : []).toEqual([]);
  }, SPAWN_TIMEOUT);
});
