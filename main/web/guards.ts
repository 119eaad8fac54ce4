/**
 * The checks every browser-mode request passes: the token (compared in constant time), the Host
 * header (DNS rebinding), the Origin (only our own page), plus the security headers and the bounded,
 * printable form of what a client sent, for one-line log entries.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';

export const HOST = '127.0.0.1';

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
export class Refusal extends Error {
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

export interface Guards {
  tokenMatches(candidate: string | null | undefined): boolean;
  hostAllowed(host: string | undefined): boolean;
  originAllowed(origin: string | undefined): boolean;
  securityHeaders(): Record<string, string>;
  describe(req: http.IncomingMessage): string;
}

/** The guards of one server; `port` is read when a request arrives (the server listens on a random one). */
export function createGuards(token: string, port: () => number): Guards {
  const tokenBytes = Buffer.from(token);
  return {
    tokenMatches: (candidate) => {
      if (typeof candidate !== 'string') return false;
      const bytes = Buffer.from(candidate);
      return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
    },
    // DNS rebinding: a foreign site whose name resolves to 127.0.0.1 still sends its own Host header.
    hostAllowed: (host) => host === `${HOST}:${port()}` || host === `localhost:${port()}`,
    // A page on another site could reach 127.0.0.1; only our own page (or a non-browser client,
    // which sends no Origin) is let in, and only with the token.
    originAllowed: (origin) => origin === undefined || origin === `http://${HOST}:${port()}` || origin === `http://localhost:${port()}`,
    securityHeaders: () => ({
      'Content-Security-Policy': contentSecurityPolicy(port()),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    }),
    describe: (req) => `${logSafe(req.method, 20)} ${logSafe(req.url)} from ${req.socket.remoteAddress ?? '?'}`,
  };
}

/**
 * Writes a bare status answer and closes the socket once it is flushed (destroying right away
 * could drop the answer under load); a peer that never reads is cut off after two seconds.
 */
export function answerAndClose(socket: Duplex, status: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), 2_000).unref();
}
