/** Shared by the speed suites (startup, load, bfgs, ttt): the Python side, timing, the table. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../../app/train/stats';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
export const PYTHON = '/usr/bin/python3';

/** What /usr/bin/python3 lacks for a mode (null when it has it all). */
export function pythonMissing(modules: string[]): string | null {
  const r = spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
  return r.status === 0 ? null : `${PYTHON} lacks ${modules.join('/')} (${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)})`;
}

export function python<T>(args: string[], timeoutMs = 600_000): T {
  const r = spawnSync(PYTHON, [path.join(HERE, 'python_side.py'), ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`python_side.py ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** Median of the values, or null for none. */
export const mid = (values: number[]): number | null => (values.length ? median(values) : null);

export function fmt(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  return `${a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(2)}${unit}`;
}

export const ratio = (a: number | null, b: number | null): string => (a !== null && b !== null && b > 0 ? `${(a / b).toFixed(2)}×` : '—');

/** A table with the ratio column first (what the targets are written in). */
export function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
