/**
 * Browser mode: serves the built renderer on 127.0.0.1 and the CurvatureApi over one WebSocket,
 * authenticated by a random token that is only in the URL printed to the terminal. The handlers
 * are ApiHost's, the same ones Electron's IPC uses.
 *
 * Everything that arrives here is hostile until checked: every request handler and every socket is
 * guarded, so a malformed request is answered with a 4xx (or its connection is closed) and one log
 * line — it never stops the server and the races running in it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeJson, encodeJson, type PushMessage } from '../../app/api/wire';
import { ApiHost } from '../host/api-host';
import { FileRegistry } from '../host/file-registry';
import { TrainerHost } from '../host/trainer-host';
import type { TrainerLauncher } from '../host/trainer-process';
import { MAX_UPLOAD_BYTES, streamUpload, UploadTooLargeError } from '../host/uploads';
import { contentDisposition } from './content-disposition';
import { DownloadRegistry } from './downloads';
import { webPlatform } from './web-platform';
import { CONTENT_TYPES } from '../content-types';

export interface WebServerOptions {
  /** 0 = a random free port. */
  port?: number;
  rendererDir: string;
  examplesDir: string;
  launch: TrainerLauncher;
  token?: string;
  log?: (line: string) => void;
  /** A client that has not sent its complete request headers by then is disconnected (slow senders). */
  headersTimeoutMs?: number;
  /** Upload size cap (default: the documented 1 GiB). */
  maxUploadBytes?: number;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  /** The private temp folder (uploads, saved files, exports); removed by close() and removeWorkDir(). */
  workDir: string;
  close(): Promise<void>;
  /** Synchronous last-resort cleanup for exit and crash paths. */
  removeWorkDir(): void;
}

const HOST = '127.0.0.1';
/** API messages are JSON requests (files travel by HTTP upload), so a frame never needs more than this. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;
/** Node silently drops headers past maxHeadersCount; one more than allowed lets us see and refuse them. */
const MAX_HEADERS = 100;
/** The header the page sends its token in for uploads (never in a URL that could end up in a log). */
export const TOKEN_HEADER = 'x-curvature-token';


/** The page may only talk to its own server: same origin over HTTP, and this server's ws origin. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://${HOST}:${port} ws://localhost:${port}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A request the server refuses on purpose: answered with `status` and logged on one line. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Printable, bounded form of anything a client sent, for one-line log entries. */
export function logSafe(value: unknown, max = 120): string {
  const s = JSON.stringify(String(value)).slice(1, -1);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The path of an origin-form request target; null for anything else (absolute-form, `*`, garbage). */
export function requestPath(target: string | undefined): URL | null {
  if (!target || !target.startsWith('/')) return null;
  try {
    // A broken percent-escape anywhere (path or query) marks a malformed request, not a page.
    decodeURIComponent(target);
    // Prefixing (not resolving against a base) keeps `//host/x` a path instead of another host.
    return new URL(`http://${HOST}${target}`);
  } catch {
    return null;
  }
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const log = options.log ?? (() => {});
  const maxUploadBytes = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-web-'));
  const uploadDir = path.join(workDir, 'uploads');
  const downloads = new DownloadRegistry();
  const files = new FileRegistry();
  const sockets = new Set<WebSocket>();
  let port = 0;

  const broadcast = (message: PushMessage) => {
    const text = encodeJson({ push: message });
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text, (err) => err && log(`websocket: push failed: ${err.message}`));
  };
  const trainers = new TrainerHost({
    launch: options.launch,
    onEvent: (event) => broadcast({ channel: 'experiment-event', event }),
    onState: (state) => broadcast({ channel: 'trainer-state', state }),
  });
  const api = new ApiHost({
    platform: webPlatform({ workDir, downloads, downloadUrl: (id) => `/download/${encodeURIComponent(token)}/${id}` }),
    trainers,
    files,
    examplesDir: options.examplesDir,
    uploadDir,
    maxUploadBytes,
  });

  const tokenMatches = (candidate: string | null | undefined) => {
    if (typeof candidate !== 'string') return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };
  // DNS rebinding: a foreign site whose name resolves to 127.0.0.1 still sends its own Host header.
  const hostAllowed = (host: string | undefined) => host === `${HOST}:${port}` || host === `localhost:${port}`;
  // A page on another site could reach 127.0.0.1; only our own page (or a non-browser client,
  // which sends no Origin) is let in, and only with the token.
  const originAllowed = (origin: string | undefined) =>
    origin === undefined || origin === `http://${HOST}:${port}` || origin === `http://localhost:${port}`;
  const securityHeaders = () => ({
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  const describe = (req: http.IncomingMessage) => `${logSafe(req.method, 20)} ${logSafe(req.url)} from ${req.socket.remoteAddress ?? '?'}`;

  const refuse = (req: http.IncomingMessage, res: http.ServerResponse, status: number, reason: string) => {
    log(`refused ${describe(req)}: ${status} ${reason}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = JSON.stringify({ error: reason });
    // After a refusal the rest of a request body is not worth reading: close the connection.
    res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = requestPath(req.url);
    if (!url) throw new Refusal(400, 'malformed request target');
    if (req.rawHeaders.length / 2 > MAX_HEADERS) throw new Refusal(431, 'too many headers');
    if (!hostAllowed(req.headers.host)) throw new Refusal(421, 'unknown host');
    if (url.pathname === '/upload') return receiveUpload(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refusal(405, 'method not allowed');
    const download = url.pathname.match(/^\/download\/([^/]+)\/([0-9a-f]{32})$/);
    if (download) return serveDownload(res, download[1], download[2]);
    return serveStatic(options.rendererDir, url.pathname, res, securityHeaders());
  }

  async function serveDownload(res: http.ServerResponse, tokenPart: string, id: string): Promise<void> {
    let candidate: string;
    try {
      candidate = decodeURIComponent(tokenPart);
    } catch {
      throw new Refusal(400, 'broken percent-escape in download link');
    }
    const item = tokenMatches(candidate) ? downloads.take(id) : undefined;
    const stat = item && (await fs.promises.stat(item.file).catch(() => null));
    if (!item || !stat?.isFile()) {
      res.writeHead(404, { ...securityHeaders(), 'Content-Type': 'text/plain' }).end('This download link has expired or was already used.');
      return;
    }
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': item.contentType,
      'Content-Length': stat.size,
      'Content-Disposition': contentDisposition(item.name),
      'Cache-Control': 'no-store',
    });
    await pipeline(fs.createReadStream(item.file), res);
  }

  /**
   * `POST /upload?name=…` with the token in the X-Curvature-Token header: the body streams to a
   * private file (never into a string), cut off at the cap while it arrives. A foreign page cannot
   * send that header without a CORS preflight, which this server never grants.
   */
  async function receiveUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST' && req.method !== 'PUT') throw new Refusal(405, 'uploads are POST requests');
    if (!originAllowed(req.headers.origin)) throw new Refusal(403, 'foreign origin');
    if (!tokenMatches(req.headers[TOKEN_HEADER] as string | undefined)) throw new Refusal(401, 'missing or wrong token');
    const name = url.searchParams.get('name');
    if (!name || name.length > 255 || name.includes('\0')) throw new Refusal(400, 'upload needs ?name= (1–255 characters)');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxUploadBytes) throw new Refusal(413, new UploadTooLargeError(name, maxUploadBytes).message);
    let file: string;
    try {
      file = await streamUpload(req, { uploadDir, name, maxBytes: maxUploadBytes });
    } catch (err) {
      if (err instanceof UploadTooLargeError) throw new Refusal(413, err.message);
      throw new Refusal(400, `upload interrupted: ${err instanceof Error ? err.message : String(err)}`);
    }
    const handle = files.register(file);
    log(`upload ${logSafe(handle.name)}: ${handle.bytes} bytes`);
    const body = JSON.stringify(handle);
    res.writeHead(200, { ...securityHeaders(), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  }

  const server = http.createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      // A 1 GiB upload over loopback takes seconds; this only ends requests that hang for good.
      requestTimeout: 15 * 60_000,
      connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs ?? 1_000),
    },
    (req, res) => {
      req.on('error', (err) => log(`request error ${describe(req)}: ${err.message}`));
      res.on('error', (err) => log(`response error ${describe(req)}: ${err.message}`));
      handle(req, res).catch((err: unknown) => {
        if (err instanceof Refusal) refuse(req, res, err.status, err.message);
        else if ((err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE') log(`client went away ${describe(req)}`);
        else refuse(req, res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
  );
  // Requests Node cannot even parse (bad request line, huge headers, header timeout, bad encoding).
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    log(`refused malformed request: ${err.code ?? err.message}`);
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    answerAndClose(socket, status);
  });
  server.maxHeadersCount = MAX_HEADERS + 1;
  server.on('error', (err) => log(`server error: ${err.message}`));

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, clientTracking: false });
  wss.on('error', (err) => log(`websocket server error: ${err.message}`));
  wss.on('wsClientError', (err, socket) => {
    log(`refused websocket handshake: ${err.message}`);
    answerAndClose(socket, '400 Bad Request');
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log(`upgrade socket error ${describe(req)}: ${err.message}`));
    const refuseUpgrade = (status: string, reason: string) => {
      log(`refused websocket ${describe(req)}: ${status} ${reason}`);
      answerAndClose(socket, status);
    };
    try {
      const url = requestPath(req.url);
      if (!url) return refuseUpgrade('400 Bad Request', 'malformed request target');
      if (req.rawHeaders.length / 2 > MAX_HEADERS) return refuseUpgrade('431 Request Header Fields Too Large', 'too many headers');
      if (url.pathname !== '/api') return refuseUpgrade('404 Not Found', 'no such endpoint');
      if (!hostAllowed(req.headers.host) || !originAllowed(req.headers.origin) || !tokenMatches(url.searchParams.get('token'))) {
        return refuseUpgrade('401 Unauthorized', 'wrong token, host or origin');
      }
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
    } catch (err) {
      refuseUpgrade('400 Bad Request', err instanceof Error ? err.message : String(err));
    }
  });

  function accept(socket: WebSocket): void {
    sockets.add(socket);
    // Protocol errors (oversize frame, invalid UTF-8, bad opcode, reserved bits, unmasked frame)
    // close this socket with the right code; without a listener they would stop the server.
    socket.on('error', (err) => log(`websocket closed on protocol error: ${err.message}`));
    socket.on('close', () => sockets.delete(socket));
    const reply = (message: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(encodeJson(message), (err) => err && log(`websocket: reply failed: ${err.message}`));
    };
    socket.on('message', (data: RawData, isBinary: boolean) => {
      void (async () => {
        let id: unknown = null;
        try {
          if (isBinary) throw new Error('binary messages are not part of the API');
          const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
          const request = decodeJson(text) as { id?: unknown; method?: unknown; payload?: unknown } | null;
          if (request === null || typeof request !== 'object') throw new Error('an API message is a JSON object');
          id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
          const result = await api.invoke(request.method, request.payload);
          reply({ id, ok: true, result: result ?? null });
        } catch (err) {
          reply({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
        }
      })();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as { port: number }).port;
  const url = `http://${HOST}:${port}/?token=${encodeURIComponent(token)}`;
  log(`Curvature browser mode on ${url} (temp folder ${workDir})`);

  const removeWorkDir = () => fs.rmSync(workDir, { recursive: true, force: true });
  return {
    url,
    port,
    token,
    workDir,
    removeWorkDir,
    async close() {
      for (const s of sockets) s.close(1001, 'server shutting down');
      try {
        await trainers.shutdown();
        await new Promise<void>((r) => wss.close(() => r()));
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      } finally {
        removeWorkDir();
      }
    },
  };
}

/**
 * Writes a bare status answer and closes the socket once it is flushed (destroying right away
 * could drop the answer under load); a peer that never reads is cut off after two seconds.
 */
function answerAndClose(socket: Duplex, status: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), 2_000).unref();
}

async function serveStatic(root: string, pathname: string, res: http.ServerResponse, headers: Record<string, string>): Promise<void> {
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    res.writeHead(503, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      '<!doctype html><title>Curvature</title><p>The user interface is not built yet. Run <code>npm run build</code> and reload.</p>',
    );
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    throw new Refusal(400, 'broken percent-escape');
  }
  if (relative.includes('\0')) throw new Refusal(400, 'NUL byte in path');
  const file = path.resolve(root, '.' + (relative === '/' ? '/index.html' : relative));
  // Never serve anything outside the renderer folder.
  const stat = file.startsWith(path.resolve(root) + path.sep) ? await fs.promises.stat(file).catch(() => null) : null;
  if (!stat?.isFile()) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-cache',
  });
  await pipeline(fs.createReadStream(file), res);
}
