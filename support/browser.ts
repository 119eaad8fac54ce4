/**
 * Browser-mode e2e plumbing: build the renderer once per test run, start `main/web/server.ts` on a
 * free port as a child process, drive Debian's Chromium with playwright-core, run axe-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitForTokenUrl } from './tokenUrl';

export const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
export const RENDERER_OUT = path.join(REPO, 'out/renderer-e2e');
export const ARTIFACTS = path.join(REPO, 'test-artifacts/e2e');
export const FIXTURES = path.join(REPO, 'test/e2e/fixtures');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? listFiles(p) : [p];
  });
}

/** Hash of everything the bundle is made from, so an unchanged renderer is not rebuilt. */
function sourceHash(): string {
  const h = createHash('sha256');
  // The renderer imports schemas and helpers from all over app/: hash all of it rather than keep a list.
  const files = [...listFiles(path.join(REPO, 'renderer')), ...listFiles(path.join(REPO, 'app'))].filter(
    (f) => !f.includes('node_modules') && !f.includes(path.join('examples', 'data')),
  );
  for (const f of files.sort()) {
    h.update(f).update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Builds out/renderer-e2e unless it is current. Test files run in parallel, so one builds, the others wait. */
export async function ensureRendererBuilt(): Promise<void> {
  const stamp = path.join(RENDERER_OUT, '.source-hash');
  const hash = sourceHash();
  const lock = `${RENDERER_OUT}.lock`;
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return;
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // Another file is building; a stale lock (crashed build) expires after 3 minutes.
      if (waited > 180_000) fs.rmSync(lock, { recursive: true, force: true });
      await sleep(250);
    }
  }
  try {
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return;
    const r = spawnSync(
      process.execPath,
      [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--outDir', RENDERER_OUT, '--logLevel', 'warn'],
      { cwd: REPO, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`renderer build failed:\n${r.stdout}\n${r.stderr}`);
    fs.writeFileSync(stamp, hash);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface RunningServer {
  url: string;
  origin: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts the browser-mode server on a random free port and waits for the URL it prints. */
export async function startServer(): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'main/web/server.ts'), '--port', '0', '--no-build', '--renderer', RENDERER_OUT],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
  );
  const { url: printed, output } = await waitForTokenUrl(child);
  const url = printed.href;
  return {
    url,
    origin: new URL(url).origin,
    process: child,
    output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface PageProblems {
  /** Uncaught exceptions and console errors, CSP violations included. */
  errors: string[];
}

export async function openApp(browser: Browser, url: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('pageerror', (e) => problems.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.text()) && !/Failed to load resource.*404/.test(m.text())) problems.errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.getByRole('tab', { name: 'Data' }).waitFor();
  return { context, page, problems };
}

const AXE_SOURCE = fs.readFileSync(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Serious or critical axe-core violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // evaluate() goes through the DevTools protocol, so the page's CSP (no inline scripts) stays intact.
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export async function selectView(page: Page, name: 'Data' | 'Model' | 'Optimizers' | 'Race' | 'Export'): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await page.locator(`[role=tabpanel][aria-labelledby="tab-${name.toLowerCase()}"]`).waitFor();
}

/**
 * Opens a bundled example from the Data view and waits until its data preview is shown: the
 * example replaces the whole experiment, so settings made before it has loaded would be lost.
 */
export async function openExample(page: Page, title: RegExp): Promise<void> {
  await page.getByRole('button', { name: title }).click();
  await page.locator('section[aria-labelledby="preview-title"]').waitFor({ timeout: 60_000 });
}

/** Uploads a data file through the page's file picker, as a person would. */
export async function uploadData(page: Page, file: string): Promise<void> {
  await page.locator('#data-file-input').setInputFiles(file);
}

/** Fills a budget field (shared stopping rules) by its label. */
export async function setBudget(page: Page, label: string, value: string): Promise<void> {
  const input = page.locator('section[aria-labelledby="budget-title"]').getByLabel(label, { exact: true });
  await input.fill(value);
}

