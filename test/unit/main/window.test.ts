/** The window's security settings, with Electron replaced by a recording fake. */
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const created: FakeWindow[] = [];
const openExternal = vi.fn();

type HeadersHandler = (d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
type PermissionHandler = (wc: unknown, p: string, cb: (ok: boolean) => void) => void;

class FakeSession {
  headersHandler: HeadersHandler | null = null;
  permissionHandler: PermissionHandler | null = null;
  permissionCheck: (() => boolean) | null = null;
  webRequest = { onHeadersReceived: (h: HeadersHandler) => (this.headersHandler = h) };
  setPermissionRequestHandler(h: PermissionHandler) {
    this.permissionHandler = h;
  }
  setPermissionCheckHandler(h: () => boolean) {
    this.permissionCheck = h;
  }
}

class FakeWebContents {
  handlers = new Map<string, (...args: unknown[]) => void>();
  windowOpenHandler: ((d: { url: string }) => { action: string }) | null = null;
  session = new FakeSession();
  on(event: string, handler: (...args: unknown[]) => void) {
    this.handlers.set(event, handler);
  }
  setWindowOpenHandler(h: FakeWebContents['windowOpenHandler']) {
    this.windowOpenHandler = h;
  }
}

class FakeWindow {
  webContents = new FakeWebContents();
  loaded: string | null = null;
  constructor(public options: Record<string, unknown>) {
    created.push(this);
  }
  once() {}
  loadFile(file: string) {
    this.loaded = pathToFileURL(file).href;
    return Promise.resolve();
  }
  loadURL(url: string) {
    this.loaded = url;
    return Promise.resolve();
  }
}

vi.mock('electron', () => ({ BrowserWindow: FakeWindow, shell: { openExternal } }));

const { createMainWindow } = await import('../../../main/window');

function navigate(win: FakeWindow, event: string, url: string): boolean {
  const preventDefault = vi.fn();
  win.webContents.handlers.get(event)!({ preventDefault }, url);
  return preventDefault.mock.calls.length === 0;
}

describe('main window', () => {
  beforeEach(() => {
    created.length = 0;
    openExternal.mockReset();
  });

  const open = () =>
    createMainWindow({
      preloadPath: '/app/out/preload/index.cjs',
      rendererDir: '/app/out/renderer',
      bounds: { width: 1000, height: 700 },
    }) as unknown as FakeWindow;

  it('runs the page sandboxed, context-isolated, without Node and with web security', () => {
    const win = open();
    expect(win.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(win.loaded).toBe('app://curvature/index.html');
    expect((win.options.webPreferences as { devTools?: boolean }).devTools).toBe(false);
  });

  it('blocks navigation and redirects away from the app page', () => {
    const win = open();
    expect(navigate(win, 'will-navigate', 'https://example.com/')).toBe(false);
    expect(navigate(win, 'will-navigate', 'file:///etc/passwd')).toBe(false);
    expect(navigate(win, 'will-navigate', 'file:///app/out/renderer/index.html')).toBe(false);
    expect(navigate(win, 'will-navigate', 'app://evil/index.html')).toBe(false);
    expect(navigate(win, 'will-navigate', 'app://curvature.evil/index.html')).toBe(false);
    expect(navigate(win, 'will-redirect', 'http://127.0.0.1:1/')).toBe(false);
    expect(navigate(win, 'will-navigate', 'app://curvature/index.html#/data')).toBe(true);
  });

  it('never opens a new window; only allow-listed documentation links go to the system browser', () => {
    const win = open();
    const docs = 'https://github.com/curvature-app/curvature/blob/main/README.md#exports';
    expect(win.webContents.windowOpenHandler!({ url: docs })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith(docs);
    for (const url of [
      'file:///etc/passwd',
      'https://curvature.example/docs',
      'http://github.com/curvature-app/curvature/',
      'https://github.com/curvature-app/curvature/../../evil/repo',
      'https://github.com/curvature-app/curvature.evil/',
      'https://user:pw@github.com/curvature-app/curvature/',
      'smb://host/share',
      'ms-msdt:/id',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(win.webContents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(openExternal).toHaveBeenCalledTimes(1);
    const attach = vi.fn();
    win.webContents.handlers.get('will-attach-webview')!({ preventDefault: attach });
    expect(attach).toHaveBeenCalled();
  });

  it('adds a strict Content-Security-Policy to every response and grants no permission', () => {
    const win = open();
    let headers: Record<string, string[]> = {};
    win.webContents.session.headersHandler!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders));
    const csp = headers['Content-Security-Policy'][0];
    expect(headers['X-Other']).toEqual(['1']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/connect-src 'self'(;|$)/); // the desktop page talks to main by IPC only
    let granted: boolean | null = null;
    win.webContents.session.permissionHandler!(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);
    expect(win.webContents.session.permissionCheck!()).toBe(false);
  });
});
