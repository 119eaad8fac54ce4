/**
 * Hostile names and paths through the desktop IPC handlers (Electron mocked), over the real ApiHost,
 * the real desktop platform (dialogs faked) and a real trainer child process: run and experiment ids
 * that are paths, data and weight paths typed by the page, and export folders that are symbolic
 * links out of the chosen folder or hold files Curvature did not write.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiReply } from '../../app/api/client';
import type { ExperimentEvent } from '../../app/train/events';
import { ApiHost, exportName } from '../../main/host/api-host';
import { FileRegistry } from '../../main/host/file-registry';
import { nodeTrainerLauncher } from '../../main/host/node-launcher';
import { TrainerHost } from '../../main/host/trainer-host';
import { desktopPlatform } from '../../main/desktop-platform';
import { EXPORT_MARKER } from '../../app/export/atomicDirectory';
import { loadExample } from '../../main/host/examples';
import { seedExperiment, waitFor } from './helpers';

vi.mock('electron', () => ({}));
const { registerApiHandlers, senderCheck } = await import('../../main/ipc');

/** Ids an attacker would try: traversal, absolute, NUL, dot names, too long, non-ASCII, Windows device names. */
const HOSTILE_IDS = ['../x', '..', '.', '/abs', '/etc/passwd', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(65), 'adam-β', '.hidden', 'CON', ''];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-ipc-paths-'));
const outside = path.join(tmp, 'outside');
fs.mkdirSync(outside);
fs.writeFileSync(path.join(outside, 'precious.txt'), 'not yours');

const APP_URL = 'file:///app/out/renderer/index.html';
const ownPage = { sender: { id: 7 }, senderFrame: { url: APP_URL, parent: null } };
type Handler = (event: unknown, payload: unknown) => Promise<ApiReply>;
const handlers = new Map<string, Handler>();
const events: ExperimentEvent[] = [];
const openAnswers: string[] = [];
const dialog = {
  showOpenDialog: vi.fn(async () => {
    const p = openAnswers.shift();
    return { canceled: p === undefined, filePaths: p ? [p] : [] };
  }),
  showSaveDialog: vi.fn(async () => ({ canceled: true })),
};
let trainers: TrainerHost;

beforeAll(() => {
  trainers = new TrainerHost({ launch: nodeTrainerLauncher(), onEvent: (e) => events.push(e), shutdownGraceMs: 3000 });
  const api = new ApiHost({
    platform: desktopPlatform(dialog as never, () => null, tmp),
    trainers,
    files: new FileRegistry(),
    examplesDir: path.resolve(import.meta.dirname, '../../app/examples'),
    uploadDir: path.join(tmp, 'uploads'),
  });
  const ipcMain = { handle: (channel: string, h: Handler) => handlers.set(channel, h), removeHandler: vi.fn() };
  registerApiHandlers(ipcMain as never, api, senderCheck(() => 7, APP_URL));
});

afterAll(async () => {
  await trainers.shutdown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const call = (method: string, payload: unknown) => handlers.get(`curvature:invoke:${method}`)!(ownPage, payload);
const errorOf = (r: ApiReply) => (r.ok ? '(accepted)' : r.error);

describe('desktop IPC: names and paths from the page', () => {
  it('refuses hostile run ids in an experiment, naming the field, before any trainer starts', async () => {
    const seed = seedExperiment();
    for (const id of HOSTILE_IDS) {
      const reply = await call('startExperiment', { experiment: { ...seed, runs: [{ ...seed.runs[0], id }] } });
      expect(errorOf(reply), JSON.stringify(id)).toMatch(/experiment\.runs\.0\.id: not a safe name; use 1–64 letters/);
      expect(errorOf(reply)).toMatch(/^Invalid startExperiment request/);
    }
    const dup = await call('startExperiment', { experiment: { ...seed, runs: [{ ...seed.runs[0], id: 'a' }, { ...seed.runs[1], id: 'a' }] } });
    expect(errorOf(dup)).toMatch(/experiment\.runs\.1\.id: duplicate run id "a"/);
    expect(trainers.state()).toBe('idle');
  });

  it('refuses hostile experiment and run ids in stop and export requests without opening a dialog', async () => {
    for (const id of HOSTILE_IDS) {
      for (const [method, payload, field] of [
        ['stopAll', { experimentId: id }, 'experimentId'],
        ['stopRun', { experimentId: 'exp-1', runId: id }, 'runId'],
        ['exportRun', { experimentId: id, runId: 'lbfgs', formats: ['json'] }, 'experimentId'],
        ['exportRun', { experimentId: 'exp-1', runId: id, formats: ['json'] }, 'runId'],
      ] as const) {
        const reply = await call(method, payload);
        expect(errorOf(reply), `${method} ${JSON.stringify(id)}`).toMatch(new RegExp(`^Invalid ${method} request:\\n  ${field}: not a safe name`));
      }
    }
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });

  it('refuses absolute and .. data and weight paths typed by the page', async () => {
    const seed = seedExperiment();
    for (const p of ['/etc/passwd', '../../etc/passwd', path.join(outside, 'precious.txt')]) {
      const data = { ...seed.data, source: { kind: 'file', path: p } };
      expect(errorOf(await call('startExperiment', { experiment: { ...seed, data } }))).toMatch(/^dataFile: this experiment reads a file/);
      expect(errorOf(await call('startExperiment', { experiment: { ...seed, data }, dataFile: p }))).toMatch(/^dataFile: Unknown file handle/);
      expect(errorOf(await call('startExperiment', { experiment: { ...seed, initialWeights: { path: p } } }))).toMatch(/^initialWeights\.path: /);
    }
    expect(trainers.state()).toBe('idle');
  });
});

describe('example names', () => {
  it('refuses hostile example names over IPC and an example that is a symbolic link out of the examples folder', async () => {
    for (const name of ['../../package', '/etc/passwd', '..', 'seed/../../x', 'seed\0', '.hidden']) {
      expect(errorOf(await call('openExample', { name })), JSON.stringify(name)).toMatch(/Unknown example|Invalid openExample request/);
    }
    const dir = fs.mkdtempSync(path.join(tmp, 'examples-'));
    fs.writeFileSync(path.join(outside, 'evil.json'), JSON.stringify(seedExperiment()));
    fs.symlinkSync(path.join(outside, 'evil.json'), path.join(dir, 'evil.json'));
    expect(() => loadExample(dir, 'evil')).toThrow(/Unknown example "evil"/);
    fs.writeFileSync(path.join(dir, 'fine.json'), JSON.stringify(seedExperiment()));
    expect(loadExample(dir, 'fine').experiment.name).toBe(seedExperiment().name);
  });
});

describe('desktop IPC: export folders', () => {
  let experimentId = '';

  beforeAll(async () => {
    const reply = await call('startExperiment', { experiment: seedExperiment() });
    if (!reply.ok) throw new Error(reply.error);
    experimentId = (reply.result as { experimentId: string }).experimentId;
    await waitFor(events, (e) => e.type === 'experiment-finished' && e.experimentId === experimentId, 90_000);
  }, 120_000);

  it('refuses an export folder that is a symbolic link out of the chosen folder, and leaves the target alone', async () => {
    const chosen = fs.mkdtempSync(path.join(tmp, 'chosen-'));
    fs.symlinkSync(outside, path.join(chosen, exportName(seedExperiment().name, 'lbfgs')));
    openAnswers.push(chosen);
    const reply = await call('exportRun', { experimentId, runId: 'lbfgs', formats: ['json'], overwrite: true });
    expect(errorOf(reply)).toMatch(/^export folder: ".*-lbfgs" leads outside .* through a symbolic link/);
    expect(fs.readdirSync(outside).filter((n) => n !== 'evil.json')).toEqual(['precious.txt']);
  });

  it('never replaces a folder Curvature did not write, even with Overwrite; replaces its own export and says so', async () => {
    const chosen = fs.mkdtempSync(path.join(tmp, 'chosen-'));
    const target = path.join(chosen, exportName(seedExperiment().name, 'lbfgs'));
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'thesis.tex'), 'years of work');
    openAnswers.push(chosen);
    const refused = await call('exportRun', { experimentId, runId: 'lbfgs', formats: ['json'], overwrite: true });
    expect(errorOf(refused)).toContain(`${target}: destination folder is not empty and will not be replaced: it has no ${EXPORT_MARKER} marker`);
    expect(fs.readdirSync(target)).toEqual(['thesis.tex']);

    fs.rmSync(target, { recursive: true });
    openAnswers.push(chosen);
    const first = await call('exportRun', { experimentId, runId: 'lbfgs', formats: ['json'] });
    expect(first).toMatchObject({ ok: true, result: { directory: target } });
    expect(fs.readdirSync(target)).toContain(EXPORT_MARKER);
    openAnswers.push(chosen);
    const again = await call('exportRun', { experimentId, runId: 'lbfgs', formats: ['npz'] });
    expect(errorOf(again)).toMatch(/holds an earlier Curvature export .*; allow overwrite/);
    openAnswers.push(chosen);
    const replaced = await call('exportRun', { experimentId, runId: 'lbfgs', formats: ['npz'], overwrite: true });
    expect(replaced).toMatchObject({ ok: true, result: { directory: target, replaced: expect.stringMatching(/^replaced run "lbfgs" of experiment "Seed.*" written /) } });
    expect(fs.readdirSync(target)).toContain('weights.npz');
    expect(fs.readdirSync(target)).not.toContain('weights.json');
  });
});
