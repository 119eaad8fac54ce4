/**
 * Browser mode end to end: `npm run web` as a real child process, the renderer's own WebSocket
 * client (with Node's `ws` standing in for the browser's WebSocket), and a real trainer child.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { unzipSync } from 'fflate';
import { createWebSocketApi } from '../../renderer/src/api/websocket';
import type { CurvatureApi } from '../../app/api/contract';
import type { ExperimentEvent } from '../../app/train/events';
import { REPO, seedExperiment, waitFor } from './helpers';
import { waitForTokenUrl } from '../../support/tokenUrl';

let server: ChildProcess;
let url: URL;

beforeAll(async () => {
  const env = { ...process.env, ...(process.env.SHELL_TEST_RUNNER ? { CURVATURE_TRAINER_RUNNER: process.env.SHELL_TEST_RUNNER } : {}) };
  server = spawn('npm', ['run', '--silent', 'web', '--', '--port', '0', '--no-build'], { cwd: REPO, env, detached: true });
  ({ url } = await waitForTokenUrl(server));
});

afterAll(async () => {
  if (server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  process.kill(-server.pid!, 'SIGTERM'); // npm → sh → node: signal the whole group we started
  await exited;
});

function socketUrl(token?: string) {
  return `ws://${url.host}/api${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/** Resolves 'open' or the HTTP status the upgrade was refused with. */
function tryConnect(address: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(address, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.on('error', (err) => resolve(`error ${err.message}`));
  });
}

function api(): CurvatureApi {
  return createWebSocketApi(socketUrl(url.searchParams.get('token')!), WebSocket as unknown as typeof globalThis.WebSocket);
}

describe('browser mode (npm run web)', () => {
  it('listens on 127.0.0.1 and refuses sockets without the right token or from another origin', async () => {
    expect(url.hostname).toBe('127.0.0.1');
    const token = url.searchParams.get('token')!;
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(await tryConnect(socketUrl())).toBe('refused 401');
    expect(await tryConnect(socketUrl('wrong-token'))).toBe('refused 401');
    expect(await tryConnect(socketUrl(token), { Origin: 'http://evil.example' })).toBe('refused 401');
    expect(await tryConnect(socketUrl(token), { Host: `rebound.example:${url.port}` })).toBe('refused 401');
    expect(await tryConnect(socketUrl(token))).toBe('open');
    expect(await tryConnect(socketUrl(token), { Origin: `http://${url.host}` })).toBe('open');
  });

  it('serves pages with a strict Content-Security-Policy and never outside the UI folder', async () => {
    const page = await fetch(new URL('/', url));
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain(`ws://127.0.0.1:${url.port}`);
    const rebound = await new Promise<number>((resolve) => {
      http.get({ host: '127.0.0.1', port: url.port, path: '/', headers: { Host: 'rebound.example' } }, (res) => resolve(res.statusCode!));
    });
    expect(rebound).toBe(421);
    const escape = await fetch(new URL('/..%2f..%2fpackage.json', url));
    expect([404, 503]).toContain(escape.status);
    expect(await escape.text()).not.toContain('"name": "curvature"');
  });

  it('runs the seed experiment and streams its events to the page', async () => {
    const client = api();
    const events: ExperimentEvent[] = [];
    client.onEvent((e) => events.push(e));
    expect(client.transport).toBe('websocket');
    const examples = await client.listExamples();
    expect(examples.map((e) => e.name)).toContain('seed');
    const { experiment } = await client.openExample('seed');
    expect(experiment).toEqual(seedExperiment());
    const { experimentId } = await client.startExperiment(experiment);
    const finished = await waitFor(events, (e) => e.type === 'experiment-finished' && e.experimentId === experimentId, 60_000);
    const mine = events.filter((e) => e.experimentId === experimentId && e.type !== 'progress');
    expect(mine[0].type).toBe('experiment-started');
    expect(mine.some((e) => e.type === 'run-started')).toBe(true);
    expect(mine.some((e) => e.type === 'iteration')).toBe(true);
    expect(mine.filter((e) => e.type === 'run-finished')).toHaveLength(experiment.runs.length);
    expect(finished.type === 'experiment-finished' && finished.summaries).toHaveLength(experiment.runs.length);
    expect(await client.getTrainerState()).toBe('idle');
  });

  it('rejects malformed payloads and free file paths with readable errors', async () => {
    const client = api();
    await expect(client.previewDataset('/etc/passwd')).rejects.toThrow(/Unknown file handle/);
    await expect(client.stopRun('', 'x')).rejects.toThrow(/Invalid stopRun request:\n {2}experimentId/);
    await expect(client.openExample('../../package')).rejects.toThrow(/Unknown example/);
    await expect(client.chooseDataset()).rejects.toThrow(/Browser mode has no file dialog/);
    const fileBacked = { ...seedExperiment(), data: { ...seedExperiment().data, source: { kind: 'file' as const, path: '/etc/passwd' } } };
    await expect(client.startExperiment(fileBacked)).rejects.toThrow(/dataFile: this experiment reads a file/);
    await expect(client.startExperiment(fileBacked, 'made-up-token')).rejects.toThrow(/Unknown file handle/);
  });

  it('stores an upload and hands back an opaque handle', async () => {
    const client = api();
    const csv = 'x,y\n0,0\n1,1\n';
    const handle = await client.uploadFile('../../evil name.csv', Buffer.from(csv).toString('base64'));
    expect(handle.name).toBe('evil name.csv');
    expect(handle.bytes).toBe(csv.length);
    expect(handle.token).not.toContain('/');
    await expect(client.uploadFile('x.csv', 'not base64!')).rejects.toThrow(/not valid base64/);
  });

  it('offers a saved experiment once as a download', async () => {
    const client = api();
    const saved = await client.saveExperiment(seedExperiment());
    expect(saved?.fileName).toMatch(/\.curvature\.json$/);
    const link = new URL(saved!.downloadUrl!, url);
    const first = await fetch(link);
    expect(first.status).toBe(200);
    expect(JSON.parse(await first.text())).toEqual(JSON.parse(JSON.stringify(seedExperiment())));
    expect((await fetch(link)).status).toBe(404);
  });

  it('previews an uploaded CSV in a helper trainer', async () => {
    const client = api();
    const csv = 'a,b,label\n1,2,yes\n3,4,no\n5,6,yes\n';
    const handle = await client.uploadFile('tiny.csv', Buffer.from(csv).toString('base64'));
    const preview = await client.previewDataset(handle.token);
    expect(preview.rowCount).toBe(3);
    expect(preview.columns.map((c) => c.name)).toEqual(['a', 'b', 'label']);
    expect(preview.suggestedTarget).toBe('label');
  });

  it("checks data settings against an uploaded file with the trainer's preparation code", async () => {
    const client = api();
    const csv = 'a,b,y\n1,2,0\n2,3,1\n3,text,0\n4,5,1\n5,6,0\n';
    const handle = await client.uploadFile('mixed.csv', Buffer.from(csv).toString('base64'));
    const data = { source: { kind: 'file' as const, path: 'mixed.csv' }, target: 'y', ignore: [], task: 'auto' as const, maxFileBytes: 1e9,
      preprocessing: { standardize: true, oneHot: true, missing: 'error' as const, scaleTarget: true }, split: { validation: 0.2, test: 0, seed: 42, stratify: true } };
    const rejected = await client.checkData(handle.token, data);
    expect(rejected.ok).toBe(false);
    expect(rejected.problems[0]).toMatchObject({ control: 'missing', row: 4, column: 'b', value: 'text' });
    // Nothing of the host's upload folder reaches the page.
    expect(JSON.stringify(rejected)).not.toMatch(/curvature-web-|uploads|\/tmp\//);
    const fixed = await client.checkData(handle.token, { ...data, preprocessing: { ...data.preprocessing, missing: 'drop' } });
    expect(fixed).toMatchObject({ ok: true, inputDim: 2, task: 'binary' });
    const unknown = await client.checkData('no-such-token', data);
    expect(unknown.problems[0].control).toBe('file');
  });

  it('names the export zip after the experiment and its run', async () => {
    const client = api();
    const events: ExperimentEvent[] = [];
    client.onEvent((e) => events.push(e));
    const { experimentId } = await client.startExperiment({ ...seedExperiment(), name: 'My race: v2/final' });
    await waitFor(events, (e) => e.type === 'experiment-finished' && e.experimentId === experimentId, 60_000);
    const finished = events.find((e) => e.type === 'run-finished' && e.experimentId === experimentId);
    const runId = finished?.type === 'run-finished' ? finished.runId : '';
    const result = await client.exportRun(experimentId, runId, ['json']);
    expect(result!.directory).toBe(`My-race-v2-final-${runId}.zip`);
  });

  it('exports a finished run as a one-time zip download', async () => {
    const client = api();
    const events: ExperimentEvent[] = [];
    client.onEvent((e) => events.push(e));
    const { experimentId } = await client.startExperiment(seedExperiment());
    await waitFor(events, (e) => e.type === 'experiment-finished' && e.experimentId === experimentId, 60_000);
    const finished = events.find((e) => e.type === 'run-finished' && e.experimentId === experimentId);
    const runId = finished?.type === 'run-finished' ? finished.runId : '';
    const result = await client.exportRun(experimentId, runId, ['json', 'npz']);
    expect(result!.directory).toMatch(/\.zip$/);
    const link = new URL(result!.files[0], url);
    const response = await fetch(link);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const entries = Object.keys(unzipSync(new Uint8Array(await response.arrayBuffer())));
    expect(entries.some((n) => n.endsWith('/weights.json'))).toBe(true);
    expect(entries.some((n) => n.endsWith('/weights.npz'))).toBe(true);
    expect(result!.files.slice(1).length).toBeGreaterThan(0); // what was written, listed after the link
    expect((await fetch(link)).status).toBe(404);
    await expect(client.exportRun(experimentId, 'no-such-run', ['json'])).rejects.toThrow(/No finished run "no-such-run"/);
  });
});
