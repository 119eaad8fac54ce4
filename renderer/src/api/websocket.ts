/**
 * Browser-mode transport: the CurvatureApi over one WebSocket to the local Curvature server, which
 * only accepts the token printed in the page URL. NaN/Infinity survive via the wire codec.
 */
import type { CurvatureApi, FileHandle } from '../../../app/ui';
import { createApiClient, decodeJson, encodeJson, type ApiMethod, type ApiTransport, type PushMessage } from '../../../app/ui';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string } | { push: PushMessage };

/** Reads the access token from `?token=` (or `#token=`) of the page URL. */
export function tokenFromLocation(location: { search: string; hash: string }): string | null {
  return new URLSearchParams(location.search).get('token') ?? new URLSearchParams(location.hash.slice(1)).get('token');
}

export function apiSocketUrl(location: { protocol: string; host: string }, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

export function webSocketTransport(url: string, WebSocketImpl: typeof WebSocket = WebSocket): ApiTransport {
  const pending = new Map<number, Pending>();
  const listeners = new Set<(m: PushMessage) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      socket = ws;
      ws.onopen = () => resolve(ws);
      ws.onmessage = (e: MessageEvent) => {
        const reply = decodeJson(String(e.data)) as Reply;
        if ('push' in reply) {
          for (const l of listeners) l(reply.push);
          return;
        }
        const p = pending.get(reply.id);
        pending.delete(reply.id);
        if (!p) return;
        if (reply.ok) p.resolve(reply.result);
        else p.reject(new Error(reply.error));
      };
      ws.onclose = (e: CloseEvent) => {
        const why =
          e.code === 1006 && pending.size === 0
            ? 'Could not connect to the Curvature server (is it running, and is the token in the URL right?).'
            : `The connection to the Curvature server closed (${e.code}${e.reason ? ': ' + e.reason : ''}).`;
        for (const p of pending.values()) p.reject(new Error(why));
        pending.clear();
        reject(new Error(why));
        // The next call reconnects.
        opened = null;
        socket = null;
      };
    });
    return opened;
  };

  return {
    kind: 'websocket',
    async invoke(method: ApiMethod, payload: Record<string, unknown>) {
      const ws = await connect();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(encodeJson({ id, method, payload }));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      // Pushes only reach an open socket: subscribing opens it.
      if (!socket) void connect().catch(() => {});
      return () => listeners.delete(listener);
    },
  };
}

/** Browser-mode upload limit (the server enforces it too, while the bytes arrive). */
export const MAX_UPLOAD_BYTES = 1024 ** 3;

/** The HTTP upload endpoint next to an API socket URL (ws://host/api?token=… → http://host/upload). */
export function uploadUrl(socketUrl: string, name: string): { url: string; token: string } {
  const u = new URL(socketUrl);
  const token = u.searchParams.get('token') ?? '';
  const http = new URL(`${u.protocol === 'wss:' ? 'https:' : 'http:'}//${u.host}/upload`);
  http.searchParams.set('name', name);
  return { url: http.href, token };
}

/**
 * Streams a file to the server's /upload endpoint: the browser sends the Blob from disk, so no
 * string of the whole file is ever built (base64 over the socket capped uploads near 400 MB).
 */
export async function uploadOverHttp(
  socketUrl: string,
  file: Blob,
  name: string,
  fetchImpl: typeof fetch = fetch,
  onProgress?: (sent: number, total: number) => void,
): Promise<FileHandle> {
  if (file.size > MAX_UPLOAD_BYTES) {
    throw new Error(`${name}: larger than the upload limit of 1 GiB; open a file this large with the desktop app or the CLI`);
  }
  const { url, token } = uploadUrl(socketUrl, name);
  // fetch() reports no upload progress; XMLHttpRequest does, so the page can say how far a large file got.
  if (onProgress && typeof XMLHttpRequest !== 'undefined') return uploadWithProgress(url, token, file, name, onProgress);
  let response: Response;
  try {
    response = await fetchImpl(url, { method: 'POST', body: file, headers: { 'X-Curvature-Token': token, 'Content-Type': 'application/octet-stream' } });
  } catch (err) {
    throw new Error(`${name}: the upload failed (${err instanceof Error ? err.message : String(err)}). Is the Curvature server still running?`);
  }
  const body = (await response.json().catch(() => null)) as (FileHandle & { error?: string }) | null;
  if (!response.ok || !body) throw new Error(body?.error ?? `${name}: the upload was refused (HTTP ${response.status})`);
  return body;
}

function uploadWithProgress(url: string, token: string, file: Blob, name: string, onProgress: (sent: number, total: number) => void): Promise<FileHandle> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('X-Curvature-Token', token);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new Error(`${name}: the upload failed. Is the Curvature server still running?`));
    xhr.onload = () => {
      let body: (FileHandle & { error?: string }) | null = null;
      try {
        body = JSON.parse(xhr.responseText) as FileHandle & { error?: string };
      } catch {
        body = null;
      }
      if (xhr.status < 200 || xhr.status >= 300 || !body) reject(new Error(body?.error ?? `${name}: the upload was refused (HTTP ${xhr.status})`));
      else resolve(body);
    };
    xhr.send(file);
  });
}

export function createWebSocketApi(url: string, WebSocketImpl?: typeof WebSocket, fetchImpl?: typeof fetch): CurvatureApi {
  return {
    ...createApiClient(webSocketTransport(url, WebSocketImpl)),
    uploadBlob: (file, name, onProgress) => uploadOverHttp(url, file, name, fetchImpl, onProgress),
  };
}
