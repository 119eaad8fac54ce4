/**
 * The one application window: secure webPreferences, a CSP header on every response, no
 * navigation away from the app, no new windows (allow-listed documentation links open in the
 * system browser), and no permission (camera, notifications, …) ever granted.
 */
import { BrowserWindow, shell, type Session } from 'electron';
import { appPageUrl, appUrlPrefix, contentSecurityPolicy, isAllowedExternalUrl, isAppUrl, secureWebPreferences } from './security';
import type { Rect } from './window-state';
import type { AppLocation } from './security';

export interface WindowOptions extends AppLocation {
  preloadPath: string;
  /** DevTools only in development (never in a packaged app). */
  devTools?: boolean;
  bounds: Partial<Rect> & { width: number; height: number };
  maximized?: boolean;
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    ...options.bounds,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Curvature',
    backgroundColor: '#1e1e1e',
    webPreferences: { ...secureWebPreferences(options.preloadPath), devTools: options.devTools ?? false },
  });
  hardenSession(win.webContents.session, options.devServerUrl);
  guardNavigation(win, appUrlPrefix(options));
  win.once('ready-to-show', () => {
    if (options.maximized) win.maximize();
    win.show();
  });
  void win.loadURL(appPageUrl(options));
  return win;
}

export function hardenSession(session: Session, devServerUrl?: string): void {
  const csp = contentSecurityPolicy(devServerUrl);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function guardNavigation(win: BrowserWindow, appPrefix: string): void {
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appPrefix)) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appPrefix)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
