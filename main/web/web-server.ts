/**
 * Browser mode: serves the built renderer on 127.0.0.1 and the CurvatureApi over one WebSocket,
 * authenticated by a random token that is only in the URL printed to the terminal. The handlers
 * are ApiHost's, the same ones Electron's IPC uses. This file wires the parts: guards.ts (token,
 * host, origin, headers), routes.ts (static files, downloads, uploads) and socket.ts (the API).
 *
 * Everything that arrives here is hostile until checked: every request handler and every socket is
 * guarded, so a malformed request is answered with a 4xx (or its connection is closed) and one log
 * line — it never stops the server and the races running in it. Files (models, datasets) are
 * parsed only in the trainer's helper process, never in this one.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { ApiHost } from '../host/api-host';
import { FileRegistry } from '../host/file-registry';
import { TrainerHost } from '../host/trainer-host';
import type { TrainerLauncher } from '../host/trainer-process';
import { MAX_UPLOAD_BYTES, UploadBudget } from '../host/uploads';
import { DownloadRegistry } from './downloads';
import { answerAndClose, createGuards, HOST } from './guards';
import { createRequestListener, MAX_HEADERS } from './routes';
import { attachApiSocket } from './socket';
import { webPlatform } from './web-platform';

export { contentSecurityPolicy, logSafe, requestPath } from './guards';
export { TOKEN_HEADER } from './routes';
export { MAX_MESSAGE_BYTES } from './socket';

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
  /** Bytes all uploads of this session may hold together (default 4 GiB). */
  maxUploadTotalBytes?: number;
  /** Uploads in flight at once (default 4). */
  maxConcurrentUploads?: number;
  /** An upload that sends nothing for this long is cut and its partial file removed (default 60 s). */
  uploadIdleMs?: number;
  /** A model import unanswered by then restarts the helper (default 120 s). */
  helperTimeoutMs?: number;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  /** The private temp folder (uploads, saved files, exports); removed by close() and removeWorkDir(). */
  workDir: string;
  /** The trainer processes (tests look at the helper's pid and memory). */
  trainers: TrainerHost;
  close(): Promise<void>;
  /** Synchronous last-resort cleanup for exit and crash paths. */
  removeWorkDir(): void;
}

const MAX_HEADER_BYTES = 16 * 1024;

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => {});
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-web-'));
  const uploadDir = path.join(workDir, 'uploads');
  const downloads = new DownloadRegistry();
  const files = new FileRegistry();
  const maxUploadBytes = options.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const uploads = new UploadBudget({ maxTotalBytes: options.maxUploadTotalBytes, maxConcurrent: options.maxConcurrentUploads, idleMs: options.uploadIdleMs });
  let port = 0;
  const guards = createGuards(token, () => port);

  const server = createHttpServer(options, log);
  server.on('request', createRequestListener({ guards, rendererDir: options.rendererDir, uploadDir, maxUploadBytes, uploads, files, downloads, log }));
  const socket = attachApiSocket(server, guards, () => api, log);
  const trainers = new TrainerHost({
    launch: options.launch,
    helperTimeoutMs: options.helperTimeoutMs,
    onEvent: (event) => socket.broadcast({ channel: 'experiment-event', event }),
    onState: (state) => socket.broadcast({ channel: 'trainer-state', state }),
  });
  const api = new ApiHost({
    platform: webPlatform({ workDir, downloads, downloadUrl: (id) => `/download/${encodeURIComponent(token)}/${id}` }),
    trainers,
    files,
    examplesDir: options.examplesDir,
    uploadDir,
    maxUploadBytes,
    uploads,
  });

  port = await listen(server, options.port ?? 0);
  const url = `http://${HOST}:${port}/?token=${encodeURIComponent(token)}`;
  log(`Curvature browser mode on ${url} (temp folder ${workDir})`);
  const removeWorkDir = () => fs.rmSync(workDir, { recursive: true, force: true });
  return {
    url,
    port,
    token,
    workDir,
    trainers,
    removeWorkDir,
    async close() {
      try {
        await socket.close();
        await trainers.shutdown();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      } finally {
        removeWorkDir();
      }
    },
  };
}

/** The HTTP server with its limits, answering requests Node cannot even parse with a bare status. */
function createHttpServer(options: WebServerOptions, log: (line: string) => void): http.Server {
  const server = http.createServer({
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: options.headersTimeoutMs ?? 10_000,
    // A 1 GiB upload over loopback takes seconds; stalled uploads are cut by the upload budget's idle timer.
    requestTimeout: 15 * 60_000,
    connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs ?? 1_000),
  });
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
  return server;
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}
