/**
 * main/index.ts wired end to end with a fake Electron: a window, the menu and IPC handlers come up,
 * the seed experiment runs in a real trainer child (standing in for a utilityProcess) with its
 * events pushed to the window, and quitting stops the trainer before the app really quits.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { ApiReply, PushMessage } from '../../app/api/client';
import { REPO, seedExperiment } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-main-'));
const appEvents = new Map<string, (...args: unknown[]) => void>();
const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<ApiReply>>();
const pushed: PushMessage[] = [];
const forked: ReturnType<typeof fork>[] = [];
const quit = vi.fn();
const windows: { options: Record<string, unknown> }[] = [];
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** What main did with the protocol module, in order ('privileged:app' must come before 'handle:app'). */
const protocolCalls: string[] = [];
const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();

vi.mock('electron', () => {
  const webContents = {
    id: 1,
    session: { webRequest: { onHeadersReceived: () => {} }, setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} },
    on: () => {},
    once: () => {},
    setWindowOpenHandler: () => {},
    send: (_channel: string, message: PushMessage) => pushed.push(message),
  };
  class BrowserWindow {
    webContents = webContents;
    constructor(public options: Record<string, unknown>) {
      windows.push(this);
    }
    once() {}
    on() {}
    loadFile() {
      return Promise.resolve();
    }
    loadURL() {
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
  }
  return {
    app: {
      isPackaged: false,
      getAppPath: () => REPO,
      getPath: (name: string) => path.join(tmp, name),
      getVersion: () => '0.0.0-test',
      requestSingleInstanceLock: () => true,
      enableSandbox: () => {},
      on: (event: string, fn: (...args: unknown[]) => void) => appEvents.set(event, fn),
      whenReady: () => Promise.resolve(),
      quit,
    },
    BrowserWindow,
    dialog: {},
    ipcMain: { handle: (channel: string, h: (e: unknown, p: unknown) => Promise<ApiReply>) => handlers.set(channel, h), removeHandler: () => {} },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
    protocol: {
      registerSchemesAsPrivileged: (schemes: { scheme: string }[]) => schemes.forEach((s) => protocolCalls.push(`privileged:${s.scheme}`)),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        protocolCalls.push(`handle:${scheme}`);
        protocolHandlers.set(scheme, handler);
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    shell: { openExternal: () => {} },
    // A utilityProcess behaves like a forked Node child with structured-clone messages.
    utilityProcess: {
      fork: () => {
        const child = fork(path.join(REPO, 'main/trainer/entry.ts'), [], {
          execArgv: ['--import', tsxLoader],
          stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
          serialization: 'advanced',
        });
        forked.push(child);
        return {
          pid: child.pid,
          stderr: child.stderr,
          postMessage: (m: unknown) => child.send(m as never),
          on: (event: string, l: (...args: unknown[]) => void) => child.on(event, l),
          once: (event: string, l: (...args: unknown[]) => void) => child.once(event, l),
          kill: () => child.kill(),
        };
      },
    },
  };
});

describe('Electron main process wiring (fake Electron, real trainer)', () => {
  it('opens one secure window, serves the API, streams events and stops trainers on quit', async () => {
    fs.mkdirSync(path.join(tmp, 'temp'), { recursive: true });
    await import('../../main/index');
    await new Promise((r) => setTimeout(r, 0));

    expect(windows).toHaveLength(1);
    expect(windows[0].options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    // The page comes from app://curvature/, served by main's protocol handler with the CSP header.
    expect(protocolCalls).toEqual(['privileged:app', 'handle:app']);
    const page = await protocolHandlers.get('app')!(new Request('app://curvature/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/connect-src 'self'(;|$)/);
    expect((await protocolHandlers.get('app')!(new Request('app://curvature/..%2f..%2fpackage.json'))).status).toBe(403);
    const own = { sender: { id: 1 }, senderFrame: { url: 'app://curvature/index.html', parent: null } };
    const fileFrame = { sender: { id: 1 }, senderFrame: { url: pathToFileURL(path.join(REPO, 'renderer/index.html')).href, parent: null } };
    const refused = await handlers.get('curvature:invoke:listExamples')!(fileFrame, {});
    expect(refused.ok).toBe(false);
    const call = (method: string, payload: unknown) => handlers.get(`curvature:invoke:${method}`)!(own, payload);

    const examples = await call('listExamples', {});
    expect(examples.ok && (examples.result as { name: string }[]).map((e) => e.name)).toContain('seed');
    const started = await call('startExperiment', { experiment: seedExperiment() });
    expect(started.ok).toBe(true);
    const experimentId = started.ok ? (started.result as { experimentId: string }).experimentId : '';

    const deadline = Date.now() + 60_000;
    const done = () => pushed.some((m) => m.channel === 'experiment-event' && m.event.type === 'experiment-finished');
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const events = pushed.flatMap((m) => (m.channel === 'experiment-event' && m.event.type !== 'progress' ? [m.event] : []));
    expect(events[0]).toMatchObject({ type: 'experiment-started', experimentId });
    expect(events.at(-1)).toMatchObject({ type: 'experiment-finished', experimentId });
    expect(pushed.some((m) => m.channel === 'trainer-state' && m.state === 'running')).toBe(true);

    // Quit: the first before-quit is held back until trainers are down, then the app quits.
    const preventDefault = vi.fn();
    appEvents.get('before-quit')!({ preventDefault });
    expect(preventDefault).toHaveBeenCalled();
    while (quit.mock.calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(quit).toHaveBeenCalled();
    expect(forked.length).toBeGreaterThan(0);
    expect(forked.every((c) => c.exitCode !== null || c.signalCode !== null)).toBe(true);
  });
});
