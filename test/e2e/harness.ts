import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureRendererBuilt, launchBrowser, openApp, startServer, type PageProblems, type RunningServer } from '../../support/browser';
export * from '../../support/browser';

export interface AppSession {
  server: RunningServer;
  browser: Browser;
  page: Page;
  problems: PageProblems;
}

/**
 * Registers a test file's lifecycle: build the renderer (once), start browser mode, open the app in
 * Chromium; close both after the file. Read the fields inside tests, once beforeAll has run.
 */
export function useAppSession(): AppSession {
  const session = {} as AppSession;
  beforeAll(async () => {
    await ensureRendererBuilt();
    session.server = await startServer();
    session.browser = await launchBrowser();
    Object.assign(session, await openApp(session.browser, session.server.url));
  }, 180_000);
  afterAll(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  return session;
}
