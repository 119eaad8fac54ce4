/**
 * `npm run bench` runs the default suites (engines, overhead, charts); `npm run bench -- engines overhead`
 * runs those; `npm run bench -- optimizers [flags]` runs the optimizer reference suite (20+ minutes in
 * full; flags such as --only pass through to it). Each suite is its own process (tfjs backends, browsers
 * and native libraries do not leak from one into the next). Adding a suite is one line in SUITES.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const SUITES: Record<string, { file: string; about: string; byDefault: boolean }> = {
  engines: { file: 'engines.ts', about: 'ms per evaluation, GFLOP/s and speed-ups of every engine on the three issue-9 models', byDefault: true },
  overhead: { file: 'optimizer.ts', about: 'L-BFGS iteration / raw forward+backward, per engine', byDefault: true },
  charts: { file: 'charts.ts', about: 'race chart frame rate in Chromium', byDefault: true },
  hessian: { file: 'hessian.ts', about: 'Hv ÷ gradient per engine, k = 10 spectrum time on the issue-9 models, dense eigensolver by n', byDefault: false },
  startup: { file: 'speed/startup.ts', about: 'curvature --help and the first digits iteration from process start, next to node -e 0 and PyTorch', byDefault: false },
  load: { file: 'speed/load.ts', about: 'load + prepare a 10⁶-row CSV (DuckDB and the JavaScript loader) next to pandas.read_csv', byDefault: false },
  bfgs: { file: 'speed/bfgs.ts', about: 'dense BFGS host work per iteration at n = 481 / 4810 (WebAssembly and JavaScript sweeps) next to scipy BLAS', byDefault: false },
  ttt: { file: 'speed/ttt.ts', about: 'digits L-BFGS in-run time to each loss target next to PyTorch LBFGS (1 thread)', byDefault: false },
  optimizers: { file: 'optimizers/main.ts', about: 'BFGS / L-BFGS variants and scipy on the reference problems', byDefault: false },
};

const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith('-') && a in SUITES);
const flags = args.filter((a) => !wanted.includes(a));
const unknown = flags.filter((a) => !a.startsWith('-') && !wanted.includes('optimizers'));
if (unknown.length > 0) {
  console.error(`Unknown bench suite ${unknown.join(', ')}; use one of: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}
const tsx = path.join(here, '../node_modules/tsx/dist/cli.mjs');
let failed = 0;
for (const name of wanted.length > 0 ? wanted : Object.keys(SUITES).filter((s) => SUITES[s].byDefault)) {
  console.log(`\n=== bench ${name}: ${SUITES[name].about}`);
  const r = spawnSync(process.execPath, [tsx, path.join(here, SUITES[name].file), ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
