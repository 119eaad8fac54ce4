/**
 * The API WebSocket of browser mode: upgrades only on /api with the token, our Host and Origin;
 * each message is one JSON request answered by ApiHost; protocol errors close that socket only.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { decodeJson, encodeJson, type PushMessage } from '../../app/api/wire';
import type { ApiHost } from '../host/api-host';
import { answerAndClose, requestPath, type Guards } from './guards';
import { MAX_HEADERS } from './routes';

/** API messages are JSON requests (files travel by HTTP upload), so a frame never needs more than this. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface ApiSocket {
  broadcast(message: PushMessage): void;
  close(): Promise<void>;
}

/** Serves the API over WebSockets on `server`; `api` is read when a message arrives. */
export function attachApiSocket(server: http.Server, guards: Guards, api: () => ApiHost, log: (line: string) => void): ApiSocket {
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, clientTracking: false });
  wss.on('error', (err) => log(`websocket server error: ${err.message}`));
  wss.on('wsClientError', (err, socket) => {
    log(`refused websocket handshake: ${err.message}`);
    answerAndClose(socket, '400 Bad Request');
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log(`upgrade socket error ${guards.describe(req)}: ${err.message}`));
    const refuseUpgrade = (status: string, reason: string) => {
      log(`refused websocket ${guards.describe(req)}: ${status} ${reason}`);
      answerAndClose(socket, status);
    };
    try {
      const url = requestPath(req.url);
      if (!url) return refuseUpgrade('400 Bad Request', 'malformed request target');
      if (req.rawHeaders.length / 2 > MAX_HEADERS) return refuseUpgrade('431 Request Header Fields Too Large', 'too many headers');
      if (url.pathname !== '/api') return refuseUpgrade('404 Not Found', 'no such endpoint');
      if (!guards.hostAllowed(req.headers.host) || !guards.originAllowed(req.headers.origin) || !guards.tokenMatches(url.searchParams.get('token'))) {
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
    socket.on('message', (data: RawData, isBinary: boolean) => void answer(data, isBinary).then(reply));
  }

  async function answer(data: RawData, isBinary: boolean): Promise<unknown> {
    let id: unknown = null;
    try {
      if (isBinary) throw new Error('binary messages are not part of the API');
      const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
      const request = decodeJson(text) as { id?: unknown; method?: unknown; payload?: unknown } | null;
      if (request === null || typeof request !== 'object') throw new Error('an API message is a JSON object');
      id = typeof request.id === 'number' || typeof request.id === 'string' ? request.id : null;
      const result = await api().invoke(request.method, request.payload);
      return { id, ok: true, result: result ?? null };
    } catch (err) {
      return { id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }

  return {
    broadcast(message) {
      const text = encodeJson({ push: message });
      for (const s of sockets) if (s.readyState === s.OPEN) s.send(text, (err) => err && log(`websocket: push failed: ${err.message}`));
    },
    async close() {
      for (const s of sockets) s.close(1001, 'server shutting down');
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
