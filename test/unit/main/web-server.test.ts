/** The browser-mode server in-process: uploads by HTTP with the cap enforced while streaming, safe download names. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, requestPath, type WebServer } from '../../../main/web/web-server';
import { contentDisposition } from '../../../main/web/content-disposition';
import { safeUploadName } from '../../../main/host/uploads';
import { uploadOverHttp } from '../../../renderer/src/api/websocket';

const CAP = 64 * 1024;
let server: WebServer;
const lines: string[] = [];

beforeAll(async () => {
  server = await startWebServer({
    rendererDir: path.join(import.meta.dirname, 'no-such-ui'),
    examplesDir: path.join(import.meta.dirname, 'no-examples'),
    launch: () => {
      throw new Error('no trainer in this test');
    },
    maxUploadBytes: CAP,
    log: (l) => lines.push(l),
  });
});
afterAll(() => server.close());

const socketUrl = () => `ws://127.0.0.1:${server.port}/api?token=${encodeURIComponent(server.token)}`;
const uploadsDir = () => path.join(server.workDir, 'uploads');
const filesIn = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];

/** A chunked POST (no Content-Length), so only the streaming check can stop it. */
function chunkedUpload(bytes: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, method: 'POST', path: '/upload?name=stream.csv', headers: { 'X-Curvature-Token': server.token } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', () => {}); // the server may close while we still write
    const chunk = Buffer.alloc(4096, 0x41);
    for (let sent = 0; sent < bytes; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

describe('browser-mode uploads', () => {
  it('streams a picked file to disk through the page’s uploader and returns an opaque handle', async () => {
    const csv = 'x,y\n0,0\n1,1\n';
    const handle = await uploadOverHttp(socketUrl(), new Blob([csv]), '../../evil name.csv');
    expect(handle).toMatchObject({ name: 'evil name.csv', bytes: csv.length });
    expect(handle.token).not.toContain('/');
    expect(filesIn(uploadsDir())).toContain('evil name.csv');
  });

  it('cuts off an upload above the cap while it streams, with a clear error and nothing left on disk', async () => {
    const before = filesIn(uploadsDir()).length;
    const r = await chunkedUpload(CAP * 4);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error).toBe('stream.csv: larger than the upload limit of 64 KiB; open a file this large with the desktop app or the CLI');
    expect(filesIn(uploadsDir()).length).toBe(before);
    // Exactly at the cap is fine.
    expect((await chunkedUpload(CAP)).status).toBe(200);
  });

  it('refuses uploads without the token, from a foreign origin, or declared too large — and logs each on one line', async () => {
    const post = (headers: Record<string, string | number>) =>
      fetch(`http://127.0.0.1:${server.port}/upload?name=a.csv`, { method: 'POST', body: 'a', headers: headers as Record<string, string> });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'X-Curvature-Token': 'wrong' })).status).toBe(401);
    expect((await post({ 'X-Curvature-Token': server.token, Origin: 'http://evil.example' })).status).toBe(403);
    await expect(uploadOverHttp(socketUrl(), new Blob([new Uint8Array(CAP + 1)]), 'big.csv')).rejects.toThrow(/big\.csv: larger than the upload limit/);
    const refusals = lines.filter((l) => l.startsWith('refused POST /upload'));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(refusals.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('the page refuses a file over 1 GiB before sending a byte', async () => {
    let called = false;
    const fakeFetch = (async () => {
      called = true;
      return new Response('{}');
    }) as unknown as typeof fetch;
    const huge = { size: 1024 ** 3 + 1 } as Blob;
    await expect(uploadOverHttp(socketUrl(), huge, 'huge.csv', fakeFetch)).rejects.toThrow(/huge\.csv: larger than the upload limit of 1 GiB/);
    expect(called).toBe(false);
  });

  it('removes its temp folder on close', async () => {
    const other = await startWebServer({ rendererDir: '/nonexistent', examplesDir: '/nonexistent', launch: () => { throw new Error('unused'); } });
    expect(fs.existsSync(other.workDir)).toBe(true);
    await other.close();
    expect(fs.existsSync(other.workDir)).toBe(false);
  });
});

describe('request targets and header values', () => {
  it('accepts only origin-form targets with well-formed escapes', () => {
    expect(requestPath('/a/b?c=d')?.pathname).toBe('/a/b');
    expect(requestPath('//evil.example/x')?.host).toBe('127.0.0.1');
    for (const bad of [undefined, '', '*', 'http://evil.example/', 'http://[::1', '/%', '/%E0%A4%A', '/?q=%zz']) expect(requestPath(bad)).toBeNull();
  });

  it('encodes any download name as RFC 6266 / 5987 with an ASCII fallback', () => {
    const value = contentDisposition('adam-β.zip');
    expect(value).toBe(`attachment; filename="adam-_.zip"; filename*=UTF-8''adam-%CE%B2.zip`);
    for (const name of ['adam-β.zip', 'a"b\\c;d%.json', '日本語.zip', 'x\r\nSet-Cookie: a=b', '\ud800lone.zip', 'café.zip']) {
      const header = contentDisposition(name);
      expect(header).toMatch(/^[\x20-\x7e]+$/); // what Node accepts in a header, and no CR/LF injection
      expect(() => new http.OutgoingMessage().setHeader('Content-Disposition', header)).not.toThrow();
    }
    expect(contentDisposition('café.zip')).toContain('filename="cafe.zip"');
  });

  it('keeps only a harmless base name for uploads', () => {
    expect(safeUploadName('../../etc/passwd')).toBe('passwd');
    expect(safeUploadName('..\\..\\win.ini')).toBe('win.ini');
    expect(safeUploadName('.bashrc')).toBe('_bashrc');
    expect(safeUploadName('')).toBe('upload');
    expect(safeUploadName('a\0b.csv')).toBe('a_b.csv');
  });
});
