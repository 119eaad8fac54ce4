/**
 * Issue 18 in browser mode, in-process server with real helper processes: model files are parsed in
 * the helper (never in the serving process), a FIFO shard is an error within 5 s while the server
 * keeps answering, the helper's peak memory stays bounded on hostile files and it is restarted
 * after a crash, and uploads are capped per session (total bytes, uploads in flight, stalls).
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTrainerLauncher } from '../../main/host/node-launcher';
import { parseExperiment } from '../../app/schema/experiment';
import { startWebServer, type WebServer } from '../../main/web/web-server';
import { containsSecret, HOSTILE, overlappingZip, secretBytes, tfjsCase, tfjsModelJson } from '../unit/import/hostileFiles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-isolation-'));
const TOTAL = 256 * 1024;
let server: WebServer;

beforeAll(async () => {
  server = await startWebServer({
    rendererDir: path.join(tmp, 'no-ui'),
    examplesDir: path.join(tmp, 'no-examples'),
    launch: nodeTrainerLauncher(),
    maxUploadTotalBytes: TOTAL,
    maxConcurrentUploads: 2,
    uploadIdleMs: 600,
  });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function api(method: string, payload: unknown): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${encodeURIComponent(server.token)}`);
  await once(ws, 'open');
  ws.send(JSON.stringify({ id: 1, method, payload }));
  const [data] = await once(ws, 'message');
  ws.close();
  return JSON.parse(String(data));
}

/** POSTs `bytes` to /upload; with `stall`, sends the first chunk and then nothing. */
function upload(name: string, bytes: Buffer, stall = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method: 'POST', path: `/upload?name=${encodeURIComponent(name)}`, headers: { 'X-Curvature-Token': server.token } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: 'connection closed' }));
    if (stall) req.write(bytes.subarray(0, 100));
    else req.end(bytes);
  });
}

const uploaded = () => fs.readdirSync(path.join(server.workDir, 'uploads'), { recursive: true }).map(String);

function vmHwmMiB(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

describe('model files are parsed in the helper process', () => {
  it('an uploaded model.json naming ../secret.bin is refused; uploaded with its shard, it opens', async () => {
    fs.writeFileSync(path.join(server.workDir, 'uploads-secret.bin'), secretBytes());
    const hostile = JSON.parse((await upload('model.json', Buffer.from(tfjsModelJson(['../../../uploads-secret.bin'])))).body);
    const refused = await api('importModel', { file: hostile.token });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/^model\.json: weightsManifest\.0\.paths\.0 names "\.\.\/\.\.\/\.\.\/uploads-secret\.bin"; a model may only name files by their plain name/);
    expect(containsSecret(JSON.stringify(refused))).toBe(false);

    const model = JSON.parse((await upload('model.json', Buffer.from(tfjsModelJson(['w.bin'])))).body);
    const shard = JSON.parse((await upload('w.bin', Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer))).body);
    expect((await api('importModel', { file: model.token })).error).toMatch(/^model\.json: weightsManifest\.0\.paths\.0: weight file "w\.bin" is missing; it must sit beside model\.json/);
    const opened = await api('importModel', { file: model.token, companions: [shard.token] });
    expect(opened).toMatchObject({ ok: true, result: { fileName: 'model.json', inputDim: 2 } });
  }, 60_000);

  it('started anyway, the hostile model stops the experiment in its trainer with the same refusal; nothing to export', async () => {
    fs.writeFileSync(path.join(server.workDir, 'uploads-secret.bin'), secretBytes());
    const hostile = JSON.parse((await upload('model.json', Buffer.from(tfjsModelJson(['../../../uploads-secret.bin'])))).body);
    const experiment = parseExperiment({
      data: { source: { kind: 'inline', columns: ['a', 'b', 'y'], rows: [[0, 1, 0], [1, 0, 1], [1, 1, 0]] }, target: 'y', task: 'regression', split: { validation: 0 } },
      model: { from: 'model.json', layers: [{ name: 'd', units: 1, activation: 'linear' }], output: 'last' },
      runs: [{ id: 'r', optimizer: { kind: 'bfgs' } }],
    });
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${encodeURIComponent(server.token)}`);
    await once(ws, 'open');
    const messages: { id?: number; ok?: boolean; result?: { experimentId: string }; push?: { channel: string; event?: { type: string; message?: string } } }[] = [];
    const error = new Promise<string>((resolve) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        messages.push(m);
        if (m.push?.event?.type === 'error') resolve(m.push.event.message);
      }),
    );
    ws.send(JSON.stringify({ id: 1, method: 'startExperiment', payload: { experiment, modelFile: hostile.token } }));
    const message = await error;
    expect(message).toMatch(/^model\.json: weightsManifest\.0\.paths\.0 names "\.\.\/\.\.\/\.\.\/uploads-secret\.bin"/);
    const experimentId = messages.find((m) => m.id === 1)!.result!.experimentId;
    ws.send(JSON.stringify({ id: 2, method: 'exportRun', payload: { experimentId, runId: 'r', formats: ['json'], overwrite: false } }));
    await new Promise((r) => setTimeout(r, 300));
    ws.close();
    expect(messages.find((m) => m.id === 2)).toMatchObject({ ok: false });
    expect(containsSecret(JSON.stringify(messages))).toBe(false);
  }, 60_000);

  it('four imports of a model whose shard is a FIFO each fail within 5 s while the server keeps answering', async () => {
    const model = tfjsCase(tmp, 'fifo', ['pipe.bin']);
    execFileSync('mkfifo', [path.join(path.dirname(model), 'pipe.bin')]);
    await server.trainers.importModel(path.join(HOSTILE, 'repeated-layer-names.h5')).catch(() => {}); // helper started
    const t0 = Date.now();
    const imports = Array.from({ length: 4 }, () =>
      server.trainers.importModel(model).then(
        () => 'opened',
        (e: Error) => ({ message: e.message, ms: Date.now() - t0 }),
      ),
    );
    const page = await new Promise<number>((resolve) => http.get(`http://127.0.0.1:${server.port}/`, (res) => (res.resume(), resolve(res.statusCode!))));
    expect(page).toBe(503); // the "UI not built" page: answered while the imports run
    expect((await upload('while.csv', Buffer.from('x,y\n1,2\n'))).status).toBe(200);
    for (const r of await Promise.all(imports)) {
      expect(r).toMatchObject({ message: expect.stringMatching(/"pipe\.bin" is a FIFO \(named pipe\); only regular files are read/) });
      expect((r as { ms: number }).ms).toBeLessThan(5_000);
    }
  }, 60_000);

  it('hostile files cost the helper a bounded peak memory, the server none; a killed helper is replaced', async () => {
    const bombs = path.join(tmp, 'bombs');
    fs.mkdirSync(bombs);
    fs.writeFileSync(path.join(bombs, 'bomb.npz'), overlappingZip(Array.from({ length: 600 }, (_, i) => `l${i}/kernel.npy`), 1024 ** 2));
    fs.writeFileSync(path.join(bombs, 'bomb.keras'), overlappingZip(['model.weights.h5', ...Array.from({ length: 400 }, (_, i) => `junk${i}`)], 1024 ** 2));
    fs.writeFileSync(path.join(bombs, 'huge.json'), '');
    fs.truncateSync(path.join(bombs, 'huge.json'), 4.5 * 1024 ** 3);
    const zero = tfjsCase(tmp, 'zero', ['zero.bin']);
    fs.symlinkSync('/dev/zero', path.join(path.dirname(zero), 'zero.bin'));
    const files = [
      path.join(HOSTILE, 'unwritten-20000.h5'),
      path.join(HOSTILE, 'repeated-layer-names.h5'),
      path.join(bombs, 'bomb.npz'),
      path.join(bombs, 'bomb.keras'),
      path.join(bombs, 'huge.json'),
      zero,
    ];
    const serverRss = process.memoryUsage().rss;
    const messages: string[] = [];
    for (const f of files) messages.push(await server.trainers.importModel(f).then(() => 'opened', (e: Error) => e.message));
    expect(messages).toEqual([
      expect.stringMatching(/400000000 values bring the model to 400000000 parameters, more than the limit/),
      expect.stringMatching(/layer "dense" is listed twice in layer_names/),
      expect.stringMatching(/brings the inflated members to \d+ bytes .* more than the limit of 512 MiB/),
      // The 400 junk members are never inflated; the one needed member is, and is no HDF5 file.
      expect.stringMatching(/^bomb\.keras: member model\.weights\.h5 is not a readable HDF5 file$/),
      expect.stringMatching(/^huge\.json: the model file has 4831838208 bytes \(4\.5 GiB\), more than the limit of 512 MiB$/),
      expect.stringMatching(/"zero\.bin" is a symbolic link that leads outside the model's folder/),
    ]);
    const pid = server.trainers.helperPid()!;
    // Without the budgets these files took the process past 4.5 GB; with them the helper stays near its idle size.
    expect(vmHwmMiB(pid)).toBeLessThan(256);
    expect(process.memoryUsage().rss - serverRss).toBeLessThan(100 * 1024 ** 2);

    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const info = await server.trainers.importModel(tfjsCase(tmp, 'after', ['w.bin']));
    expect(info.layers).toHaveLength(1);
    expect(server.trainers.helperPid()).not.toBe(pid);
  }, 60_000);
});

describe('uploads are capped per browser-mode session', () => {
  it('total bytes held, uploads in flight, and a stalled upload cut with its partial file removed', async () => {
    const held = uploaded().length;
    const big = await upload('big.bin', Buffer.alloc(TOTAL / 2));
    expect(big.status).toBe(200);
    const over = await upload('over.bin', Buffer.alloc(TOTAL / 2));
    expect(over.status).toBe(413);
    expect(JSON.parse(over.body).error).toMatch(/^over\.bin: this session's uploads would hold more than 256 KiB \(the limit; .* held\); restart browser mode with a larger --max-upload-total/);
    expect(uploaded()).not.toContain('over.bin');

    const t0 = Date.now();
    const stalled = [upload('stall-1.bin', Buffer.alloc(1000), true), upload('stall-2.bin', Buffer.alloc(1000), true)];
    await new Promise((r) => setTimeout(r, 150));
    const third = await upload('third.csv', Buffer.from('x\n1\n'));
    expect(third.status).toBe(429);
    expect(JSON.parse(third.body).error).toMatch(/2 uploads are already in progress \(the limit\)/);
    for (const s of await Promise.all(stalled)) {
      expect(s.status).toBe(408);
      expect(JSON.parse(s.body).error).toMatch(/no data arrived for 0.6 s; the upload was cut and its partial file removed/);
    }
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(uploaded().filter((f) => f.includes('stall'))).toEqual([]);
    expect((await upload('after.csv', Buffer.from('x\n1\n'))).status).toBe(200);
    expect(uploaded().length).toBeGreaterThan(held);
  }, 30_000);
});
