/** The renderer's security settings in one place, so tests can hold them to account. */
import type { WebPreferences } from 'electron';
import { APP_INDEX_URL, APP_ORIGIN } from './app-protocol';

/** Where the app's page comes from: the dev server, or the built renderer served as app://curvature/. */
export interface AppLocation {
  devServerUrl?: string;
  /** The built renderer folder behind app://curvature/. */
  rendererDir: string;
}

/** The URL the window loads. */
export function appPageUrl(options: AppLocation): string {
  return options.devServerUrl ?? APP_INDEX_URL;
}

/**
 * Links the app may hand to the system browser: https pages of the project's documentation only.
 * Anything else (other sites, file:, custom schemes that start programs) is never opened.
 */
export const EXTERNAL_URL_ALLOW_LIST = ['https://github.com/curvature-app/curvature/', 'https://curvature-app.github.io/curvature/'];

export function isAllowedExternalUrl(raw: string, allowList: readonly string[] = EXTERNAL_URL_ALLOW_LIST): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  // Compare the normalised form, so `https://github.com/curvature-app/curvature/../../evil` cannot pass.
  return allowList.some((prefix) => url.href.startsWith(prefix));
}

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/**
 * Strict CSP for the desktop app (sent as a header on every app:// response and by the session for
 * the dev server): `connect-src 'self'` — the desktop page talks to main only by IPC. `devServer`
 * adds only what Vite's dev server needs.
 */
export function contentSecurityPolicy(devServer?: string): string {
  const dev = devServer ? new URL(devServer) : null;
  return [
    "default-src 'self'",
    `script-src 'self'${dev ? ` ${dev.origin}` : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ` ${dev.origin} ws://${dev.host}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "worker-src 'none'",
  ].join('; ');
}

/** The URL prefix of the app's own pages: the dev server's origin, or app://curvature/. */
export function appUrlPrefix(options: AppLocation): string {
  return (options.devServerUrl ? new URL(options.devServerUrl).origin : APP_ORIGIN) + '/';
}

/** True when a URL is the app's own page (navigation there is a reload, not an escape). */
export function isAppUrl(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const rest = url.slice(prefix.length);
  // Both prefixes are origins ending in '/': any page of our own origin (the protocol handler keeps
  // it inside the renderer folder). A prefix without '/' allows only ?query and #hash after it.
  return prefix.endsWith('/') || rest === '' || rest.startsWith('?') || rest.startsWith('#');
}

