/**
 * Browser mode (a real `npm run web` child) against hostile names and paths over its WebSocket API:
 * run and experiment ids that are paths, data and weight paths typed by the page, upload names that
 * try to leave the upload folder. Kept apart from the server-robustness tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWebSocketApi } from '../../renderer/src/api/websocket';
import type { CurvatureApi } from '../../app/api/contract';
import type { Experiment } from '../../app/schema/experiment';
import { REPO, seedExperiment } from './helpers';
import { waitForTokenUrl } from '../../support/tokenUrl';

const HOSTILE_IDS = ['../x', '..', '/abs', '/etc/passwd', 'a/b', 'a\\b', 'a\0b', 'x'.repeat(65), 'adam-β', '.hidden', 'nul', ''];

let server: ChildProcess;
let client: CurvatureApi;

beforeAll(async () => {
  server = spawn('npm', ['run', '--silent', 'web', '--', '--port', '0', '--no-build'], { cwd: REPO, detached: true });
  const { url } = await waitForTokenUrl(server);
  client = createWebSocketApi(`ws://${url.host}/api?token=${encodeURIComponent(url.searchParams.get('token')!)}`, WebSocket as unknown as typeof globalThis.WebSocket);
}, 90_000);

afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  process.kill(-server.pid!, 'SIGTERM');
  await exited;
});

describe('browser mode: names and paths from the page', () => {
  it('refuses hostile run ids in an experiment, naming the field', async () => {
    const seed = seedExperiment();
    for (const id of HOSTILE_IDS) {
      const experiment = { ...seed, runs: [{ ...seed.runs[0], id }] } as Experiment;
      await expect(client.startExperiment(experiment), JSON.stringify(id)).rejects.toThrow(/experiment\.runs\.0\.id: not a safe name; use 1–64 letters/);
    }
    expect(await client.getTrainerState()).toBe('idle');
  });

  it('refuses hostile experiment and run ids in stop and export requests', async () => {
    for (const id of HOSTILE_IDS) {
      await expect(client.stopAll(id)).rejects.toThrow(/Invalid stopAll request:\n {2}experimentId: not a safe name/);
      await expect(client.stopRun('exp-1', id)).rejects.toThrow(/Invalid stopRun request:\n {2}runId: not a safe name/);
      await expect(client.exportRun(id, 'lbfgs', ['json'])).rejects.toThrow(/Invalid exportRun request:\n {2}experimentId: not a safe name/);
      await expect(client.exportRun('exp-1', id, ['json'])).rejects.toThrow(/Invalid exportRun request:\n {2}runId: not a safe name/);
    }
  });

  it('refuses absolute and .. data paths and weight paths typed by the page, even next to an uploaded file', async () => {
    const seed = seedExperiment();
    const upload = await client.uploadFile('data.csv', Buffer.from('x,y\n0,0\n1,1\n2,0\n').toString('base64'));
    for (const p of ['/etc/passwd', '../../../etc/passwd', '..', 'C:\\Windows\\win.ini']) {
      const data = { ...seed.data, source: { kind: 'file' as const, path: p } };
      await expect(client.startExperiment({ ...seed, data })).rejects.toThrow(/dataFile: this experiment reads a file/);
      await expect(client.startExperiment({ ...seed, data }, p)).rejects.toThrow(/dataFile: Unknown file handle/);
      const withTarget = { ...seed.data, source: { kind: 'file' as const, path: 'data.csv', targetPath: p } };
      await expect(client.startExperiment({ ...seed, data: withTarget }, upload.token)).rejects.toThrow(/^data\.source\.targetPath: /);
      await expect(client.startExperiment({ ...seed, initialWeights: { path: p } })).rejects.toThrow(/^initialWeights\.path: /);
    }
    expect(await client.getTrainerState()).toBe('idle');
  });

  it('keeps uploads inside their folder whatever the name says, and previews them only by handle', async () => {
    const csv = 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n';
    for (const name of ['../../escape.csv', '/etc/cron.d/x.csv', '..', '.bashrc', 'a\0b.csv', 'C:\\evil\\x.csv']) {
      const handle = await client.uploadFile(name, Buffer.from(csv).toString('base64'));
      expect(handle.name, JSON.stringify(name)).not.toMatch(/[/\\\0]|^\./);
      if (name.endsWith('.csv')) expect((await client.previewDataset(handle.token)).rowCount).toBe(3);
    }
    await expect(client.previewDataset('../../etc/passwd')).rejects.toThrow(/Unknown file handle/);
  });
});
