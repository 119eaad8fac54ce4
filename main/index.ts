/**
 * Electron main process: one secure window, the application menu, the API over IPC, and trainer
 * utility processes. Kept to wiring; each concern lives in its own module.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen } from 'electron';
import type { PushMessage } from '../app/api/client';
import { aboutText } from './about';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appProtocolHandler } from './app-protocol';
import { desktopPlatform } from './desktop-platform';
import { ApiHost } from './host/api-host';
import { listExamples } from './host/examples';
import { FileRegistry } from './host/file-registry';
import { TrainerHost } from './host/trainer-host';
import { PUSH_CHANNEL } from './ipc-channels';
import { registerApiHandlers, senderCheck } from './ipc';
import { menuTemplate } from './menu';
import { experimentFileFromArgv } from './open-file';
import { appUrlPrefix, contentSecurityPolicy, type AppLocation } from './security';
import { utilityTrainerLauncher } from './utility-launcher';
import { createMainWindow } from './window';
import { initialBounds, loadWindowState, saveWindowState } from './window-state';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Reload and DevTools exist only when running from source, never in a packaged app. */
const development = !app.isPackaged;
const location: AppLocation = {
  devServerUrl: development ? process.env.ELECTRON_RENDERER_URL : undefined,
  rendererDir: path.join(here, '../renderer'),
};
const PRELOAD = path.join(here, '../preload/index.cjs');
const TRAINER_ENTRY = path.join(here, 'trainer.js');
const EXAMPLES_DIR = app.isPackaged ? path.join(process.resourcesPath, 'examples') : path.join(app.getAppPath(), 'app/examples');

let win: BrowserWindow | null = null;
/** Set once start() ran: opens an experiment file handed over by the OS. */
let openFromOs: ((filePath: string) => void) | null = null;
let pendingOsFile: string | null = experimentFileFromArgv(process.argv.slice(1));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Must happen before 'ready': app:// gets a real origin, fetch, and a secure context.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME_PRIVILEGES.scheme, privileges: { ...APP_SCHEME_PRIVILEGES.privileges } }]);
  app.enableSandbox();
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = experimentFileFromArgv(argv.slice(1), workingDirectory);
    if (file) openFromOs?.(file);
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // macOS delivers double-clicked documents as events, possibly before the app is ready.
  app.on('open-file', (event, filePath) => {
    event.preventDefault();
    if (openFromOs) openFromOs(filePath);
    else pendingOsFile = filePath;
  });
  // Belt and braces for any web contents, not only our window.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  void app.whenReady().then(start);
}

function start(): void {
  // The packaged page and its assets: only files of the renderer folder, each with the CSP header.
  protocol.handle(APP_SCHEME, appProtocolHandler(location.rendererDir, contentSecurityPolicy()));
  const push = (message: PushMessage) => {
    if (win && !win.isDestroyed()) win.webContents.send(PUSH_CHANNEL, message);
  };
  const trainers = new TrainerHost({
    launch: utilityTrainerLauncher(TRAINER_ENTRY),
    onEvent: (event) => push({ channel: 'experiment-event', event }),
    onState: (state) => push({ channel: 'trainer-state', state }),
  });
  const uploadDir = fs.mkdtempSync(path.join(app.getPath('temp'), 'curvature-uploads-'));
  // Also on paths that skip before-quit (a crash in main we can still see, process.exit).
  process.once('exit', () => fs.rmSync(uploadDir, { recursive: true, force: true }));
  const platform = desktopPlatform(dialog, () => win, app.getPath('documents'));
  const api = new ApiHost({
    platform,
    trainers,
    files: new FileRegistry(),
    examplesDir: EXAMPLES_DIR,
    uploadDir,
  });
  registerApiHandlers(ipcMain, api, senderCheck(() => win?.webContents.id, appUrlPrefix(location)));

  const showAbout = async () => {
    const report = await trainers.engineReport().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    const options = { type: 'info' as const, title: 'About Curvature', message: 'Curvature', detail: aboutText(app.getVersion(), process.versions, report) };
    if (win) await dialog.showMessageBox(win, options);
    else await dialog.showMessageBox(options);
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        { send: (command) => push({ channel: 'menu-command', command }), showAbout: () => void showAbout() },
        listExamples(EXAMPLES_DIR),
        process.platform,
        { development },
      ),
    ),
  );

  const userData = app.getPath('userData');
  const saved = loadWindowState(userData);
  win = createMainWindow({
    ...location,
    preloadPath: PRELOAD,
    devTools: development,
    bounds: initialBounds(saved, screen.getAllDisplays().map((d) => d.workArea)),
    maximized: saved?.maximized,
  });
  win.on('close', () => {
    if (!win) return;
    const b = win.getNormalBounds();
    saveWindowState(userData, { ...b, maximized: win.isMaximized() });
  });
  win.on('closed', () => {
    win = null;
  });

  // The renderer answers 'open-experiment' by calling openExperiment(), which takes the queued file.
  openFromOs = (filePath) => {
    platform.queueExperimentFile(filePath);
    push({ channel: 'menu-command', command: { command: 'open-experiment' } });
  };
  if (pendingOsFile) {
    const file = pendingOsFile;
    pendingOsFile = null;
    win.webContents.once('did-finish-load', () => openFromOs?.(file));
  }

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    // Stop trainers cleanly first (they flush their last events), then really quit.
    event.preventDefault();
    void trainers.shutdown().finally(() => {
      stopped = true;
      fs.rmSync(uploadDir, { recursive: true, force: true });
      app.quit();
    });
  });
  app.on('window-all-closed', () => app.quit());
}
