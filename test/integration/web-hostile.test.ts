/**
 * Browser mode under hostile traffic: a real server process (`main/web/server.ts`, as `npm run web`
 * starts it) gets malformed HTTP requests and WebSocket frames over raw sockets, then a crowd of
 * sockets at once — and must still serve its page and run a race to the end afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWebSocketApi } from '../../renderer/src/api/websocket';
import type { ExperimentEvent } from '../../app/train/events';
import { REPO, seedExperiment, waitFor } from './helpers';
import { rawRequest, serverCloseCode, wsFrame, wsHandshake } from '../helpers/rawHttp';
import { waitForTokenUrl, type TokenUrl } from '../../support/tokenUrl';

const PAGE = '<!doctype html><title>Curvature</title><p>hostile-test page</p>';
let server: ChildProcess;
let started: TokenUrl;
let port: number;
let token: string;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-hostile-ui-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), PAGE);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const env = { ...process.env, ...(process.env.SHELL_TEST_RUNNER ? { CURVATURE_TRAINER_RUNNER: process.env.SHELL_TEST_RUNNER } : {}) };
  server = spawn(
    process.execPath,
    ['--import', tsx, 'main/web/server.ts', '--port', '0', '--no-build', '--renderer', rendererDir, '--header-timeout', '4'],
    { cwd: REPO, env },
  );
  started = await waitForTokenUrl(server);
  port = Number(started.url.port);
  token = started.url.searchParams.get('token')!;
});

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

const alive = () => server.exitCode === null && server.signalCode === null;

function hostileRequests(): { name: string; chunks: (string | Buffer)[]; gapMs?: number }[] {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\n${host}${extra}\r\n`;
  const hex32 = '0123456789abcdef0123456789abcdef';
  const upgrade = (target: string, extra = '') =>
    `GET ${target} HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`;
  const wsKey = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
  const upload = (target: string, extra: string, body = '') => `POST ${target} HTTP/1.1\r\n${host}${extra}Content-Length: ${body.length}\r\n\r\n${body}`;
  const list: { name: string; chunks: (string | Buffer)[]; gapMs?: number }[] = [
    // bad request lines
    { name: 'garbage line', chunks: ['GARBAGE\r\n\r\n'] },
    { name: 'method only', chunks: ['GET\r\n\r\n'] },
    { name: 'unknown HTTP version', chunks: [`GET / HTTP/9.9\r\n${host}\r\n`] },
    { name: 'extra token on request line', chunks: [`GET / HTTP/1.1 extra\r\n${host}\r\n`] },
    { name: 'leading space', chunks: [` GET / HTTP/1.1\r\n${host}\r\n`] },
    { name: 'control bytes', chunks: [Buffer.from([0, 1, 2, 3, 13, 10, 13, 10])] },
    { name: 'random binary', chunks: [Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 97 + 13) % 256))] },
    { name: 'TLS hello on plain port', chunks: [Buffer.from('160301020001000200000000', 'hex')] },
    { name: 'raw NUL in target', chunks: [Buffer.from(`GET /a\0b HTTP/1.1\r\n${host}\r\n`, 'latin1')] },
    { name: 'invalid method characters', chunks: [`G\x7fT / HTTP/1.1\r\n${host}\r\n`] },
    { name: 'HTTP/0.9 style', chunks: ['GET /\r\n\r\n'] },
    { name: 'bare CR line endings', chunks: [`GET / HTTP/1.1\r${host.replace('\r\n', '\r')}\r`] },
    { name: 'no Host header', chunks: ['GET / HTTP/1.1\r\n\r\n'] },
    { name: '100 KB target', chunks: [get('/' + 'a'.repeat(100_000))] },
    // encodings and targets
    { name: 'percent-encoded NUL', chunks: [get('/%00')] },
    { name: 'percent-encoded NUL in a file name', chunks: [get('/index.html%00.png')] },
    { name: 'broken percent escape', chunks: [get('/%E0%A4%A')] },
    { name: 'lone percent', chunks: [get('/%')] },
    { name: 'non-hex percent', chunks: [get('/%zz')] },
    { name: 'overlong UTF-8', chunks: [get('/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd')] },
    { name: 'lone surrogate', chunks: [get('/%ED%A0%80')] },
    { name: 'encoded traversal', chunks: [get('/..%2f..%2f..%2fetc%2fpasswd')] },
    { name: 'plain traversal', chunks: [get('/../../../../etc/passwd')] },
    { name: 'backslash traversal', chunks: [get('/..\\..\\package.json')] },
    { name: 'raw high bytes in target', chunks: [Buffer.from(`GET /\xff\xfe HTTP/1.1\r\n${host}\r\n`, 'latin1')] },
    { name: 'malformed absolute-form', chunks: [get('http://[::1')] },
    { name: 'empty absolute-form', chunks: [get('http://')] },
    { name: 'foreign absolute-form', chunks: [get('http://evil.example/')] },
    { name: 'absolute-form with userinfo', chunks: [get(`http://a:b@127.0.0.1:${port}/`)] },
    { name: 'asterisk target', chunks: [get('*')] },
    { name: 'OPTIONS *', chunks: [`OPTIONS * HTTP/1.1\r\n${host}\r\n`] },
    { name: 'CONNECT', chunks: [`CONNECT 127.0.0.1:22 HTTP/1.1\r\n${host}\r\n`] },
    { name: 'protocol-relative target', chunks: [get('//evil.example/x')] },
    { name: 'download with broken escape', chunks: [get(`/download/%ZZ/${hex32}`)] },
    { name: 'download with NUL token', chunks: [get(`/download/%00/${hex32}`)] },
    { name: 'download with wrong token', chunks: [get(`/download/wrong/${hex32}`)] },
    { name: 'query with broken escape', chunks: [get('/?token=%ZZ&x=%')] },
    // methods and uploads
    { name: 'DELETE', chunks: [`DELETE / HTTP/1.1\r\n${host}\r\n`] },
    { name: 'PUT on a page', chunks: [`PUT /index.html HTTP/1.1\r\n${host}Content-Length: 1\r\n\r\nx`] },
    { name: 'GET upload', chunks: [get('/upload?name=x.csv')] },
    { name: 'upload without token', chunks: [upload('/upload?name=x.csv', '', 'a,b\n')] },
    { name: 'upload with wrong token', chunks: [upload('/upload?name=x.csv', 'X-Curvature-Token: nope\r\n', 'a,b\n')] },
    { name: 'upload from a foreign origin', chunks: [upload('/upload?name=x.csv', `Origin: http://evil.example\r\nX-Curvature-Token: ${token}\r\n`, 'a,b\n')] },
    { name: 'upload without name', chunks: [upload('/upload', `X-Curvature-Token: ${token}\r\n`, 'a,b\n')] },
    { name: 'upload with NUL name', chunks: [upload('/upload?name=a%00b', `X-Curvature-Token: ${token}\r\n`, 'a,b\n')] },
    {
      name: 'upload declaring 2 GiB',
      chunks: [`POST /upload?name=big.csv HTTP/1.1\r\n${host}X-Curvature-Token: ${token}\r\nContent-Length: ${2 * 1024 ** 3}\r\n\r\nabc`],
    },
    // headers
    { name: 'one 20 KB header', chunks: [get('/', `X-Big: ${'b'.repeat(20_000)}\r\n`)] },
    { name: '2000 headers', chunks: [get('/', Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join(''))] },
    { name: 'NUL in header value', chunks: [Buffer.from(get('/', 'X-A: a\0b\r\n'), 'latin1')] },
    { name: 'space in header name', chunks: [get('/', 'Bad Header: x\r\n')] },
    { name: 'header without colon', chunks: [get('/', 'NoColonHere\r\n')] },
    { name: 'obsolete line folding', chunks: [get('/', 'X-Fold: a\r\n b\r\n')] },
    { name: 'conflicting Content-Length', chunks: [`POST / HTTP/1.1\r\n${host}Content-Length: 1\r\nContent-Length: 2\r\n\r\nxx`] },
    { name: 'negative Content-Length', chunks: [`POST / HTTP/1.1\r\n${host}Content-Length: -1\r\n\r\n`] },
    { name: 'non-numeric Content-Length', chunks: [`POST / HTTP/1.1\r\n${host}Content-Length: abc\r\n\r\n`] },
    { name: 'chunked plus Content-Length', chunks: [`POST / HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n`] },
    { name: 'bad chunk size', chunks: [`POST / HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`] },
    { name: 'unknown transfer coding', chunks: [`POST / HTTP/1.1\r\n${host}Transfer-Encoding: gzip\r\n\r\n`] },
    { name: 'foreign Host', chunks: ['GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n'] },
    { name: 'Host with NUL', chunks: [Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\0:${port}\r\n\r\n`, 'latin1')] },
    { name: 'UTF-8 in a header name', chunks: [Buffer.concat([Buffer.from(`GET / HTTP/1.1\r\n${host}X-`), Buffer.from('β€😀'), Buffer.from(': 1\r\n\r\n')])] },
    // upgrades
    { name: 'upgrade without key', chunks: [upgrade(`/api?token=${token}`)] },
    { name: 'upgrade with bad version', chunks: [upgrade(`/api?token=${token}`, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n')] },
    { name: 'upgrade with bad key', chunks: [upgrade(`/api?token=${token}`, 'Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n')] },
    { name: 'upgrade with wrong token', chunks: [upgrade('/api?token=nope', wsKey)] },
    { name: 'upgrade with broken escape in token', chunks: [upgrade('/api?token=%ZZ', wsKey)] },
    { name: 'upgrade from a foreign origin', chunks: [upgrade(`/api?token=${token}`, `${wsKey}Origin: http://evil.example\r\n`)] },
    { name: 'upgrade on another path', chunks: [upgrade(`/other?token=${token}`, wsKey)] },
    { name: 'upgrade with malformed absolute-form', chunks: [upgrade('http://[::1', wsKey)] },
    { name: 'upgrade to h2c', chunks: [`GET / HTTP/1.1\r\n${host}Upgrade: h2c\r\nConnection: Upgrade\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`] },
    { name: 'upgrade by POST', chunks: [`POST /api?token=${token} HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n${wsKey}Content-Length: 0\r\n\r\n`] },
    // slow senders: headers trickle in and never finish
    { name: 'slow request line', chunks: ['G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'], gapMs: 400 },
    { name: 'slow headers', chunks: [`GET / HTTP/1.1\r\n`, host, 'X-A: 1\r\n', 'X-B: 2\r\n', 'X-C: 3\r\n', 'X-D: 4\r\n', 'X-E: 5\r\n', 'X-F: 6\r\n'], gapMs: 400 },
    { name: 'silent connection', chunks: [] },
  ];
  return list;
}

describe('browser mode under hostile traffic (real server process)', () => {
  it('answers malformed requests and frames with a 4xx or a closed connection, logs them, and keeps racing', async () => {
    const requests = hostileRequests();
    expect(new Set(requests.map((r) => r.name)).size).toBe(requests.length);
    expect(requests.length).toBeGreaterThanOrEqual(60);

    const outcomes = await Promise.all(requests.map((r) => rawRequest(port, r.chunks, { gapMs: r.gapMs, timeoutMs: 12_000 })));
    const unexpected = requests
      .map((r, i) => ({ name: r.name, outcome: outcomes[i] }))
      .filter(({ outcome }) => !(/^HTTP\/1\.[01] 4\d\d /.test(outcome.statusLine) || (outcome.statusLine === '' && outcome.closed)));
    expect(unexpected.map((u) => `${u.name}: "${u.outcome.statusLine}" closed=${u.outcome.closed}`)).toEqual([]);
    // Nothing outside the UI folder leaked through any of them.
    for (const o of outcomes) expect(o.data.toString('latin1')).not.toMatch(/root:|"name": "curvature"/);
    expect(alive()).toBe(true);

    // Malformed frames on authenticated sockets: each closes its own socket with a protocol code.
    const text = (s: string) => Buffer.from(s);
    const frames: { name: string; frame: Buffer; code: number | 'reply' }[] = [
      { name: 'oversize frame', frame: wsFrame({ opcode: 0x1, declaredLength: 2n ** 40n }), code: 1009 },
      { name: 'invalid UTF-8', frame: wsFrame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), code: 1007 },
      { name: 'bad opcode', frame: wsFrame({ opcode: 0x3, payload: text('{}') }), code: 1002 },
      { name: 'reserved control opcode', frame: wsFrame({ opcode: 0xb }), code: 1002 },
      { name: 'reserved bit 1', frame: wsFrame({ opcode: 0x1, rsv: 0b100, payload: text('{}') }), code: 1002 },
      { name: 'reserved bits 2+3', frame: wsFrame({ opcode: 0x1, rsv: 0b011, payload: text('{}') }), code: 1002 },
      { name: 'unmasked client frame', frame: wsFrame({ opcode: 0x1, mask: false, payload: text('{}') }), code: 1002 },
      { name: 'fragmented ping', frame: wsFrame({ opcode: 0x9, fin: false }), code: 1002 },
      { name: 'oversize ping', frame: wsFrame({ opcode: 0x9, payload: Buffer.alloc(200) }), code: 1002 },
      { name: 'orphan continuation', frame: wsFrame({ opcode: 0x0, payload: text('x') }), code: 1002 },
      { name: 'close with invalid code', frame: wsFrame({ opcode: 0x8, payload: Buffer.from([0x03, 0xe7]) }), code: 1002 },
      { name: 'close with 1-byte payload', frame: wsFrame({ opcode: 0x8, payload: Buffer.from([0x03]) }), code: 1002 },
      { name: 'binary message', frame: wsFrame({ opcode: 0x2, payload: Buffer.from([1, 2, 3]) }), code: 'reply' },
      { name: 'invalid JSON', frame: wsFrame({ opcode: 0x1, payload: text('{"id":1,') }), code: 'reply' },
      { name: 'JSON null', frame: wsFrame({ opcode: 0x1, payload: text('null') }), code: 'reply' },
      { name: 'prototype method', frame: wsFrame({ opcode: 0x1, payload: text('{"id":2,"method":"__proto__","payload":{}}') }), code: 'reply' },
      { name: 'constructor method', frame: wsFrame({ opcode: 0x1, payload: text('{"id":3,"method":"constructor"}') }), code: 'reply' },
    ];
    const frameOutcomes = await Promise.all(
      frames.map(({ frame }) => {
        const { request } = wsHandshake(port, token);
        return rawRequest(port, [request, frame], { gapMs: 100, timeoutMs: 1_500 });
      }),
    );
    frames.forEach(({ name, code }, i) => {
      const o = frameOutcomes[i];
      expect(o.statusLine, name).toBe('HTTP/1.1 101 Switching Protocols');
      if (code === 'reply') expect(o.data.toString('latin1'), name).toContain('"ok":false');
      else expect(serverCloseCode(o.data), name).toBe(code);
    });
    expect(alive()).toBe(true);

    // Every refusal and protocol error left one line in the log.
    const log = started.output();
    expect(log.match(/refused /g)?.length ?? 0).toBeGreaterThanOrEqual(40);
    expect(log).toMatch(/websocket closed on protocol error: .*(Invalid WebSocket frame|Max payload)/);
    expect(log).not.toMatch(/uncaught exception|unhandled rejection/);

    // The same server still serves its page …
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(PAGE);
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);

    // … and runs a race to the end over an authenticated socket.
    const client = createWebSocketApi(`ws://127.0.0.1:${port}/api?token=${encodeURIComponent(token)}`, WebSocket as unknown as typeof globalThis.WebSocket);
    const events: ExperimentEvent[] = [];
    client.onEvent((e) => events.push(e));
    const { experimentId } = await client.startExperiment(seedExperiment());
    const finished = await waitFor(events, (e) => e.type === 'experiment-finished' && e.experimentId === experimentId, 60_000);
    expect(finished.type === 'experiment-finished' && finished.summaries).toHaveLength(seedExperiment().runs.length);
    expect(alive()).toBe(true);
  }, 180_000); // ~10 s on an idle 2-core machine; the margin is for a loaded one

  it('holds 200 authenticated sockets and refuses 200 others at the same time, loopback only', async () => {
    const base = `ws://127.0.0.1:${port}/api`;
    const good = (i: number) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`${base}?token=${encodeURIComponent(token)}`, { headers: i % 2 ? { Origin: `http://127.0.0.1:${port}` } : {} });
        ws.on('open', () => ws.send(JSON.stringify({ id: i, method: 'getTrainerState', payload: {} })));
        ws.on('message', (m) => {
          const reply = JSON.parse(String(m)) as { id?: number; ok?: boolean; result?: unknown };
          if (reply.id !== i) return;
          ws.close();
          resolve(reply.ok ? `ok ${String(reply.result)}` : 'api error');
        });
        ws.on('error', (err) => resolve(`error ${err.message}`));
      });
    const bad = (i: number) =>
      new Promise<string>((resolve) => {
        const ws =
          i % 2
            ? new WebSocket(`${base}?token=wrong-${i}`)
            : new WebSocket(`${base}?token=${encodeURIComponent(token)}`, { headers: { Origin: `http://evil-${i}.example` } });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => {
          resolve(`refused ${res.statusCode}`);
          ws.terminate();
        });
        ws.on('error', (err) => resolve(`error ${err.message}`));
      });
    const t0 = Date.now();
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('400 sockets took more than 60 s')), 60_000));
    const [accepted, refused] = await Promise.race([
      Promise.all([Promise.all(Array.from({ length: 200 }, (_, i) => good(i))), Promise.all(Array.from({ length: 200 }, (_, i) => bad(i)))]),
      timeout,
    ]);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`200 accepted + 200 refused sockets in ${seconds.toFixed(2)} s`);
    expect(accepted).toHaveLength(200);
    expect(accepted.filter((r) => r !== 'ok idle' && r !== 'ok running')).toEqual([]);
    expect(refused).toHaveLength(200);
    expect(refused.filter((r) => r !== 'refused 401')).toEqual([]);
    expect(alive()).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  }, 90_000); // ~3 s on an idle 2-core machine
});
