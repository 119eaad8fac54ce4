/**
 * The CLI and the trainer run the esbuild output (scripts/build-node.mjs, npm's prepare step) when it
 * matches the sources, and fall back to tsx when it is missing or stale: built here into a temporary
 * folder of the checkout, then launched as real processes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainerHost } from '../../main/host/trainer-host';
import { nodeTrainerLauncher, trainerCommand } from '../../main/host/node-launcher';
import type { ExperimentEvent } from '../../app/train/events';
import { seedExperiment, waitFor } from './helpers';

const REPO = path.resolve(__dirname, '../..');
let dir = '';
let env: NodeJS.ProcessEnv = {};

function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [path.join(REPO, 'bin/curvature.mjs'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...env, CURVATURE_LAUNCH_TRACE: '1', ...extra },
  });
}

beforeAll(() => {
  // Inside the checkout (compiled/ is gitignored): the bundle resolves its packages from node_modules above it.
  fs.mkdirSync(path.join(REPO, 'compiled'), { recursive: true });
  dir = fs.mkdtempSync(path.join(REPO, 'compiled', 'test-'));
  env = { ...process.env, CURVATURE_COMPILED_DIR: dir };
  const built = spawnSync(process.execPath, [path.join(REPO, 'scripts/build-node.mjs'), '--outdir', dir], { cwd: REPO, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('compiled CLI and trainer', () => {
  it('npm runs the build as the root prepare step', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toContain('scripts/build-node.mjs');
  });

  it('runs the bundle after a build: help, and the examples found next to their sources', () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stderr).toContain(`launch compiled ${path.join(dir, 'cli.mjs')}`);
    expect(help.stdout).toContain('Usage: curvature');
    const examples = cli(['examples']);
    expect(examples.status, examples.stderr).toBe(0);
    const files = [...examples.stdout.matchAll(/curvature run (\S+)/g)].map((m) => m[1]);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(fs.existsSync(f), f).toBe(true);
  });

  it('keeps input errors at exit code 2 in the bundle', () => {
    const r = cli(['train', path.join(REPO, 'no-such-file.csv'), '--target', 'y']);
    expect(r.stderr).toContain('launch compiled');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/curvature: error: .*no-such-file\.csv/);
  });

  it('falls back to tsx when a source changed since the build, or when asked to', () => {
    const manifestFile = path.join(dir, 'manifest.json');
    const original = fs.readFileSync(manifestFile, 'utf8');
    const manifest = JSON.parse(original) as { inputs: { file: string; mtimeMs: number }[] };
    const edited = manifest.inputs.find((i) => i.file === 'app/cli/main.ts')!;
    edited.mtimeMs -= 1000;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    try {
      const stale = cli(['--help']);
      expect(stale.status).toBe(0);
      expect(stale.stderr).toContain('launch tsx (app/cli/main.ts changed since the build');
    } finally {
      fs.writeFileSync(manifestFile, original);
    }
    expect(cli(['--help'], { CURVATURE_COMPILED: '0' }).stderr).toContain('launch tsx (CURVATURE_COMPILED=0)');
  });

  it('forks the compiled trainer without a loader, and it trains the seed example', async () => {
    expect(trainerCommand(undefined, env)).toEqual({ file: path.join(dir, 'trainer.mjs'), execArgv: [] });
    const events: ExperimentEvent[] = [];
    const host = new TrainerHost({ launch: nodeTrainerLauncher({ env }), onEvent: (e) => events.push(e), shutdownGraceMs: 3000 });
    try {
      host.startExperiment('seed-compiled', seedExperiment());
      await waitFor(events, (e) => e.type === 'experiment-finished', 60_000);
      expect(events.filter((e) => e.type === 'run-finished').length).toBeGreaterThan(0);
      expect(events.some((e) => e.type === 'error')).toBe(false);
    } finally {
      await host.shutdown();
    }
  });
});
