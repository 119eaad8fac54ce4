/**
 * The packaged renderer is served through a privileged custom scheme, `app://curvature/…`, instead
 * of `file://`: every response then carries the CSP header (file:// responses may not), the page has
 * a real origin, and no path outside the renderer folder can be named. Free of Electron imports so
 * tests can call the handler with plain fetch Requests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isWithin, realExisting } from '../app/util/paths';
import { CONTENT_TYPES } from './content-types';

export const APP_SCHEME = 'app';
export const APP_HOST = 'curvature';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** For `protocol.registerSchemesAsPrivileged`, which must run before the app is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const;


/**
 * The handler for `protocol.handle(APP_SCHEME, …)`: files of `rendererDir` only, each with the CSP
 * and nosniff headers; anything malformed, outside the folder or missing gets a plain error status.
 */
export function appProtocolHandler(rendererDir: string, csp: string): (request: Request) => Promise<Response> {
  const root = realExisting(path.resolve(rendererDir));
  const headers = (extra: Record<string, string> = {}) => ({
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...extra,
  });
  const fail = (status: number, text: string) => new Response(text, { status, headers: headers({ 'Content-Type': 'text/plain; charset=utf-8' }) });
  return async (request) => {
    let relative: string;
    try {
      const url = new URL(request.url);
      if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return fail(404, 'Not found');
      if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'Method not allowed');
      relative = decodeURIComponent(url.pathname);
    } catch {
      return fail(400, 'Bad request');
    }
    if (relative.includes('\0') || relative.includes('\\')) return fail(400, 'Bad request');
    if (relative === '/' || relative === '') relative = '/index.html';
    const file = path.resolve(root, '.' + relative);
    // Both the lexical path and the real one (symbolic links followed) must stay in the folder.
    if (!isWithin(root, file) || !isWithin(root, realExisting(file))) return fail(403, 'Forbidden');
    let body: Buffer;
    try {
      body = await fs.promises.readFile(file);
    } catch {
      return fail(404, 'Not found');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: headers({ 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' }),
    });
  };
}
