/**
 * The Electron IPC transport over the real ApiHost: every handler validates its payload, only our
 * own page may call, and no path reaches the host except through a dialog (or an upload).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiReply } from '../../../app/api/client';
import { API_METHODS } from '../../../app/api/wire';
import { ApiHost } from '../../../main/host/api-host';
import { FileRegistry } from '../../../main/host/file-registry';
import type { HostPlatform } from '../../../main/host/platform';
import { TrainerHost } from '../../../main/host/trainer-host';
import type { TrainerProcess } from '../../../main/host/trainer-process';
import { invokeChannel } from '../../../main/ipc-channels';
import type { TrainerCommand, TrainerMessage } from '../../../main/trainer/protocol';
import { seedExperiment } from '../../integration/helpers';

// Importing the IPC module must not need Electron at runtime; if it tried, this mock would show it.
const electronLoaded = vi.fn();
vi.mock('electron', () => {
  electronLoaded();
  return {};
});
const { registerApiHandlers, senderCheck } = await import('../../../main/ipc');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-ipc-'));
const dataset = path.join(tmp, 'chosen.csv');
fs.writeFileSync(dataset, 'x,y\n0,0\n1,1\n');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Handler = (event: unknown, payload: unknown) => Promise<ApiReply>;

/** A trainer that only records what it is told. */
function recordingLauncher(sent: TrainerCommand[]) {
  return (): TrainerProcess => {
    let onMessage: (m: TrainerMessage) => void = () => {};
    const proc: TrainerProcess = {
      pid: 1,
      send: (c) => sent.push(c),
      onMessage: (l) => {
        onMessage = l;
        queueMicrotask(() => onMessage({ type: 'ready', pid: 1 }));
      },
      onStderr: () => {},
      onExit: () => {},
      kill: () => {},
    };
    return proc;
  };
}

let handlers: Map<string, Handler>;
let sent: TrainerCommand[];
let dialogAnswer: string | null;

const APP_URL = 'file:///app/out/renderer/index.html';
const ownPage = { sender: { id: 7 }, senderFrame: { url: APP_URL, parent: null } };

beforeEach(() => {
  handlers = new Map();
  sent = [];
  dialogAnswer = dataset;
  const platform: HostPlatform = {
    transport: 'electron',
    chooseDataset: async () => dialogAnswer,
    chooseExperimentFile: async () => null,
    saveExperiment: async () => null,
    saveResultFile: async () => null,
    chooseExportDirectory: async () => null,
    deliverExport: async (r) => r,
  };
  const api = new ApiHost({
    platform,
    trainers: new TrainerHost({ launch: recordingLauncher(sent), onEvent: () => {} }),
    files: new FileRegistry(),
    examplesDir: path.resolve(import.meta.dirname, '../../../app/examples'),
    uploadDir: path.join(tmp, 'uploads'),
  });
  const ipcMain = { handle: (channel: string, h: Handler) => handlers.set(channel, h), removeHandler: vi.fn() };
  registerApiHandlers(ipcMain as never, api, senderCheck(() => 7, APP_URL));
});

const call = (method: string, payload: unknown, event: unknown = ownPage) => handlers.get(`curvature:invoke:${method}`)!(event, payload);

describe('IPC handlers', () => {
  it('registers one handler per API method and never loads Electron to do so', () => {
    expect([...handlers.keys()].sort()).toEqual(API_METHODS.map(invokeChannel).sort());
    expect(electronLoaded).not.toHaveBeenCalled();
  });

  it.each(API_METHODS)('%s rejects malformed payloads with a message naming the request', async (method) => {
    for (const bad of ['a string', 42, [1, 2], { unexpected: '/etc/passwd' }, { experiment: 'x', file: 1, name: 2, experimentId: '' }]) {
      const reply = await call(method, bad);
      expect(reply.ok, `${method} accepted ${JSON.stringify(bad)}`).toBe(false);
      expect(!reply.ok && reply.error).toMatch(new RegExp(`^Invalid ${method} request`));
    }
  });

  it('refuses calls from another web contents, a subframe or a navigated-away page', async () => {
    const others = [
      { sender: { id: 8 }, senderFrame: { url: APP_URL, parent: null } },
      { sender: { id: 7 }, senderFrame: { url: APP_URL, parent: {} } },
      { sender: { id: 7 }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: 7 }, senderFrame: null },
    ];
    for (const event of others) {
      const reply = await call('listExamples', {}, event);
      expect(reply).toEqual({ ok: false, error: 'Refused: this page may not use the Curvature API.' });
    }
    expect((await call('listExamples', {})).ok).toBe(true);
  });

  it('refuses file paths that did not come from a dialog', async () => {
    const preview = await call('previewDataset', { file: dataset });
    expect(preview).toMatchObject({ ok: false, error: expect.stringMatching(/Unknown file handle/) });

    const seed = seedExperiment();
    const fileBacked = { ...seed, data: { ...seed.data, source: { kind: 'file', path: dataset } } };
    const noHandle = await call('startExperiment', { experiment: fileBacked });
    expect(noHandle).toMatchObject({ ok: false, error: expect.stringMatching(/^dataFile: this experiment reads a file/) });
    const pathAsHandle = await call('startExperiment', { experiment: fileBacked, dataFile: dataset });
    expect(pathAsHandle).toMatchObject({ ok: false, error: expect.stringMatching(/Unknown file handle/) });
    const weightsPath = await call('startExperiment', { experiment: { ...seed, initialWeights: { path: '/etc/shadow' } } });
    expect(weightsPath).toMatchObject({ ok: false, error: expect.stringMatching(/^initialWeights.path/) });
    expect(sent.filter((c) => c.type === 'start')).toHaveLength(0);
  });

  it('accepts a dialog-chosen file by handle and gives the trainer its real path', async () => {
    const chosen = await call('chooseDataset', {});
    expect(chosen.ok).toBe(true);
    const handle = chosen.ok ? (chosen.result as { token: string; name: string; bytes: number }) : null;
    expect(handle).toMatchObject({ name: 'chosen.csv', bytes: 12 });
    expect(handle!.token).not.toContain(tmp);

    const seed = seedExperiment();
    const fileBacked = { ...seed, data: { ...seed.data, source: { kind: 'file', path: 'whatever-the-page-says.csv' } } };
    const started = await call('startExperiment', { experiment: fileBacked, dataFile: handle!.token });
    expect(started.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    const start = sent.find((c) => c.type === 'start');
    expect(start?.type === 'start' && start.experiment.data.source).toMatchObject({ kind: 'file', path: dataset });
  });

  it('returns null when the dialog is cancelled', async () => {
    dialogAnswer = null;
    expect(await call('chooseDataset', {})).toEqual({ ok: true, result: null });
  });

  it('opens a file-backed example with its data file registered as a handle', async () => {
    const opened = await call('openExample', { name: 'friedman-regression' });
    expect(opened.ok).toBe(true);
    const { experiment, dataFile } = (opened.ok ? opened.result : {}) as { experiment: { data: unknown }; dataFile: { token: string; name: string } };
    expect(dataFile.name).toBe('friedman1.csv');
    const started = await call('startExperiment', { experiment, dataFile: dataFile.token });
    expect(started.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    const start = sent.find((c) => c.type === 'start');
    const source = start?.type === 'start' ? start.experiment.data.source : null;
    expect(source?.kind === 'file' && path.isAbsolute(source.path) && source.path.endsWith('app/examples/data/friedman1.csv')).toBe(true);
  });

  it('uploads land inside the upload folder whatever the name says', async () => {
    const reply = await call('uploadFile', { name: '../../../escape.csv', base64: Buffer.from('x,y\n1,2\n').toString('base64') });
    expect(reply.ok).toBe(true);
    const stored = fs.readdirSync(path.join(tmp, 'uploads'), { recursive: true }).map(String);
    expect(stored.some((f) => f.endsWith('escape.csv'))).toBe(true);
    expect(fs.existsSync(path.join(tmp, '..', 'escape.csv'))).toBe(false);
  });
});
