/**
 * Benchmark (prints, never asserts): the race charts with 6 runs streaming to 5000 points each,
 * then 6 run specs × 5 repeats × 2000 points drawn as median + IQR bands, in Debian Chromium over
 * the in-memory fake API. Reports frame rate, chart redraws per second and
 * the cost of an x-axis switch. Run: `npm run bench` (or `npx tsx bench/charts.ts`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, REPO } from '../support/browser';

const OUT = path.join(REPO, 'out/renderer-fake');
const POINTS = 5000;
const REPEATS = 5;
const REPEAT_POINTS = 2000;

const build = spawnSync(process.execPath, [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--mode', 'fake', '--logLevel', 'warn'], {
  cwd: REPO,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(1);

const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
  const file = path.join(OUT, path.normalize(rel));
  if (!file.startsWith(OUT) || !fs.existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;

const browser = await launchBrowser();

interface Stats {
  drawP50: number;
  drawP95: number;
  frames: number;
  p50: number;
  p95: number;
  max: number;
  redraws: number;
  points: number;
  seconds: number;
}

/** Streams a race of 6 run specs × `repeats` starts to `points` iterations each and measures the page meanwhile. */
async function measure(page: Page, points: number, repeats: number): Promise<Stats> {
  // 10 points per run every 33 ms: ~300 points/s per run, far above what a real trainer sends.
  await page.goto(`http://127.0.0.1:${port}/?iterations=${2 * points}&batch=10&tick=33`);
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await page.getByRole('tab', { name: 'Optimizers' }).click();
  for (const k of ['BFGS', 'SGD', 'RMSprop', 'Adagrad']) await page.getByRole('button', { name: `+ ${k}`, exact: true }).click();
  await page.locator('section[aria-labelledby="budget-title"]').getByLabel('Max iterations', { exact: true }).fill(String(points));
  await page.getByLabel(/^Repeats/).fill(String(repeats));
  await page.getByRole('tab', { name: 'Race' }).click();

  // A string, not a function: tsx's keepNames helpers do not exist inside the page.
  await page.evaluate(`(() => {
    const bench = { frames: [], redraws: 0, drawMs: [], stop: false };
    window.bench = bench;
    const watch = () => {
      const f = document.querySelector('figure[data-chart="Loss"]');
      if (f) new MutationObserver(() => { bench.redraws++; bench.drawMs.push(Number(f.dataset.drawMs)); }).observe(f, { attributes: true, attributeFilter: ['data-points'] });
      else setTimeout(watch, 10);
    };
    watch();
    let last = performance.now();
    const loop = (t) => {
      bench.frames.push(t - last);
      last = t;
      if (!bench.stop) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  })()`);
  const started = Date.now();
  await page.getByRole('button', { name: /Start race/ }).click();
  await page.waitForFunction((n) => document.querySelectorAll('table.results tr[data-phase="finished"]').length === n, 6 * repeats, { timeout: 600_000 });
  const seconds = (Date.now() - started) / 1000;
  const stats = (await page.evaluate(`(() => {
    window.bench.stop = true;
    const f = window.bench.frames.slice(5).sort((a, b) => a - b);
    const points = Number(document.querySelector('figure[data-chart="Loss"]')?.getAttribute('data-points'));
    const d = window.bench.drawMs.sort((a, b) => a - b);
    return { drawP50: d[Math.floor(d.length / 2)], drawP95: d[Math.floor(d.length * 0.95)], frames: f.length, p50: f[Math.floor(f.length / 2)], p95: f[Math.floor(f.length * 0.95)], max: f[f.length - 1], redraws: window.bench.redraws, points };
  })()`)) as Omit<Stats, 'seconds'>;
  return { ...stats, seconds };
}

function report(title: string, s: Stats): void {
  console.log(title);
  console.log(`  streamed for ${s.seconds.toFixed(1)} s: ${(s.frames / s.seconds).toFixed(1)} frames/s (target ≥ 30), frame p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`);
  console.log(`  chart redraws: ${s.redraws} (${(s.redraws / s.seconds).toFixed(1)}/s, target ≥ 30/s capped at ~30)`);
  console.log(`  loss chart update() cost: p50 ${s.drawP50.toFixed(1)} ms, p95 ${s.drawP95.toFixed(1)} ms`);
}

const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const single = await measure(page, POINTS, 1);
report(`race charts, 6 runs × ${POINTS} points (train + validation lines: ${single.points} points in the loss chart)`, single);
const switchStart = Date.now();
await page.getByText('Function evaluations', { exact: true }).click();
await page.waitForFunction(() => document.querySelector('figure[data-chart="Loss"]')?.getAttribute('data-x-axis') === 'evaluations');
console.log(`  x-axis switch with all points: ${Date.now() - switchStart} ms`);

// Repeats: every frame also updates a median, q1 and q3 per run spec from 5 streaming repeats.
const repeated = await measure(page, REPEAT_POINTS, REPEATS);
report(
  `race charts with repeats, 6 run specs × ${REPEATS} repeats × ${REPEAT_POINTS} points, median + IQR band per spec (${repeated.points} median points in the loss chart)`,
  repeated,
);
await browser.close();
server.close();
