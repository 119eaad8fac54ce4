/**
 * `npm run bench [-- <suite> [flags]]`: runs one benchmark suite, or the default ones.
 *   (none)      bench/optimizer.ts then bench/charts.ts (cost of an iteration, chart frame rate)
 *   optimizers  bench/optimizers/main.ts (the optimizer reference suite; flags pass through)
 * Each suite runs in its own Node process, as a plain `tsx <file>` would.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUITES: Record<string, string[]> = {
  default: ['optimizer.ts', 'charts.ts'],
  optimizers: ['optimizers/main.ts'],
};

const [name = 'default', ...flags] = process.argv.slice(2);
const files = SUITES[name];
if (!files) {
  console.error(`No bench suite "${name}". Suites: ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}
for (const file of files) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(HERE, file), ...flags], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
