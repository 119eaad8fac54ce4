/**
 * The HTTP side of browser mode: the built UI as static files, one-time download links, and
 * uploads streamed to private files under the session's UploadBudget. Every handler runs behind
 * the guards; a refusal is a 4xx answer and one log line, never a stopped server.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FileRegistry } from '../host/file-registry';
import { streamUpload, UploadRefusedError, UploadTooLargeError, type UploadBudget } from '../host/uploads';
import { CONTENT_TYPES } from '../content-types';
import { contentDisposition } from './content-disposition';
import type { DownloadRegistry } from './downloads';
import { logSafe, Refusal, requestPath, type Guards } from './guards';

/** The header the page sends its token in for uploads (never in a URL that could end up in a log). */
export const TOKEN_HEADER = 'x-curvature-token';
/** Node silently drops headers past maxHeadersCount; one more than allowed lets us see and refuse them. */
export const MAX_HEADERS = 100;

export interface RouteContext {
  guards: Guards;
  rendererDir: string;
  uploadDir: string;
  maxUploadBytes: number;
  uploads: UploadBudget;
  files: FileRegistry;
  downloads: DownloadRegistry;
  log: (line: string) => void;
}

/** The request listener: every error becomes an answer (4xx/5xx) and a log line. */
export function createRequestListener(ctx: RouteContext): http.RequestListener {
  const { guards, log } = ctx;
  return (req, res) => {
    req.on('error', (err) => log(`request error ${guards.describe(req)}: ${err.message}`));
    res.on('error', (err) => log(`response error ${guards.describe(req)}: ${err.message}`));
    route(ctx, req, res).catch((err: unknown) => {
      if (err instanceof Refusal) refuse(ctx, req, res, err.status, err.message);
      else if ((err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE') log(`client went away ${guards.describe(req)}`);
      else refuse(ctx, req, res, 500, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
}

function refuse(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse, status: number, reason: string): void {
  ctx.log(`refused ${ctx.guards.describe(req)}: ${status} ${reason}`);
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: reason });
  // After a refusal the rest of a request body is not worth reading: close the connection.
  res.writeHead(status, { ...ctx.guards.securityHeaders(), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
  res.end(body);
}

async function route(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = requestPath(req.url);
  if (!url) throw new Refusal(400, 'malformed request target');
  if (req.rawHeaders.length / 2 > MAX_HEADERS) throw new Refusal(431, 'too many headers');
  if (!ctx.guards.hostAllowed(req.headers.host)) throw new Refusal(421, 'unknown host');
  if (url.pathname === '/upload') return receiveUpload(ctx, req, res, url);
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refusal(405, 'method not allowed');
  const download = url.pathname.match(/^\/download\/([^/]+)\/([0-9a-f]{32})$/);
  if (download) return serveDownload(ctx, res, download[1], download[2]);
  return serveStatic(ctx.rendererDir, url.pathname, res, ctx.guards.securityHeaders());
}

async function serveDownload(ctx: RouteContext, res: http.ServerResponse, tokenPart: string, id: string): Promise<void> {
  let candidate: string;
  try {
    candidate = decodeURIComponent(tokenPart);
  } catch {
    throw new Refusal(400, 'broken percent-escape in download link');
  }
  const item = ctx.guards.tokenMatches(candidate) ? ctx.downloads.take(id) : undefined;
  const stat = item && (await fs.promises.stat(item.file).catch(() => null));
  if (!item || !stat?.isFile()) {
    res.writeHead(404, { ...ctx.guards.securityHeaders(), 'Content-Type': 'text/plain' }).end('This download link has expired or was already used.');
    return;
  }
  res.writeHead(200, {
    ...ctx.guards.securityHeaders(),
    'Content-Type': item.contentType,
    'Content-Length': stat.size,
    'Content-Disposition': contentDisposition(item.name),
    'Cache-Control': 'no-store',
  });
  await pipeline(fs.createReadStream(item.file), res);
}

/**
 * `POST /upload?name=…` with the token in the X-Curvature-Token header: the body streams to a
 * private file (never into a string), cut off at the caps while it arrives: this file's size, the
 * session's total, the uploads in flight, and a stall without bytes. A foreign page cannot send
 * that header without a CORS preflight, which this server never grants.
 */
async function receiveUpload(ctx: RouteContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const { guards, maxUploadBytes, uploads } = ctx;
  if (req.method !== 'POST' && req.method !== 'PUT') throw new Refusal(405, 'uploads are POST requests');
  if (!guards.originAllowed(req.headers.origin)) throw new Refusal(403, 'foreign origin');
  if (!guards.tokenMatches(req.headers[TOKEN_HEADER] as string | undefined)) throw new Refusal(401, 'missing or wrong token');
  const name = url.searchParams.get('name');
  if (!name || name.length > 255 || name.includes('\0')) throw new Refusal(400, 'upload needs ?name= (1–255 characters)');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxUploadBytes) throw new Refusal(413, new UploadTooLargeError(name, maxUploadBytes).message);
  if (Number.isFinite(declared) && declared > uploads.freeBytes) throw new Refusal(413, uploads.overTotal(logSafe(name, 80)).message);
  let file: string;
  try {
    file = await streamUpload(req, { uploadDir: ctx.uploadDir, name, maxBytes: maxUploadBytes, budget: uploads });
  } catch (err) {
    if (err instanceof UploadTooLargeError) throw new Refusal(413, err.message);
    if (err instanceof UploadRefusedError) {
      // A stalled client may never read the answer: end its connection once the answer is out.
      res.once('finish', () => req.socket.destroy());
      throw new Refusal(err.status, err.message);
    }
    throw new Refusal(400, `upload interrupted: ${err instanceof Error ? err.message : String(err)}`);
  }
  const handle = ctx.files.register(file);
  ctx.log(`upload ${logSafe(handle.name)}: ${handle.bytes} bytes`);
  const body = JSON.stringify(handle);
  res.writeHead(200, { ...guards.securityHeaders(), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

async function serveStatic(root: string, pathname: string, res: http.ServerResponse, headers: Record<string, string>): Promise<void> {
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    res.writeHead(503, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Curvature</title><p>The user interface is not built yet. Run <code>npm run build</code> and reload.</p>');
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
