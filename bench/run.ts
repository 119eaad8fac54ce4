/**
 * `npm run bench` runs every suite; `npm run bench -- engines overhead` runs those. Each suite is its
 * own process (tfjs backends, browsers and native libraries do not leak from one into the next).
 * Adding a suite is one line in SUITES.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const SUITES: Record<string, { file: string; about: string }> = {
  engines: { file: 'engines.ts', about: 'ms per evaluation, GFLOP/s and speed-ups of every engine on the three issue-9 models' },
  overhead: { file: 'optimizer.ts', about: 'L-BFGS iteration / raw forward+backward, per engine' },
  charts: { file: 'charts.ts', about: 'race chart frame rate in Chromium' },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in SUITES));
if (unknown.length > 0) {
  console.error(`Unknown bench suite ${unknown.join(', ')}; use one of: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}
const tsx = path.join(here, '../node_modules/tsx/dist/cli.mjs');
let failed = 0;
for (const name of wanted.length > 0 ? wanted : Object.keys(SUITES)) {
  console.log(`\n=== bench ${name}: ${SUITES[name].about}`);
  const r = spawnSync(process.execPath, [tsx, path.join(here, SUITES[name].file)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
