/**
 * A 200 MB CSV is prepared in a child process, by each reader, whose peak RSS must stay under a
 * bound: holding the text, the parsed rows and the matrix at once would need well over 3×. The
 * JavaScript loader stays under 2.5× the file size. DuckDB adds its own read buffers and chunk
 * copies on top of the same table and matrices: it is held to 2.8× (measured 2.5–2.66× here; the
 * whole-run memory target of issue 25 is still open, docs/performance.md).
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { seededRandom } from '../../../app/util/random';
import { tempDir } from './helpers';

const TARGET_BYTES = 200 * 1024 * 1024;
const FEATURES = 10;
const child = fileURLToPath(new URL('./fixtures/prepareChild.ts', import.meta.url));
const tmp = tempDir('curvature-bigcsv-');
afterAll(() => tmp.cleanup());

/**
 * Writes rows of FEATURES numbers with 6 decimals and a 0/1 label until the file reaches `bytes`.
 * Cells come from a pool of pre-formatted values: formatting 20M numbers would dominate the test.
 */
function writeCsv(path: string, bytes: number): { rows: number } {
  const random = seededRandom(123);
  const pool = Array.from({ length: 1 << 16 }, () => ((random() - 0.5) * 20).toFixed(6));
  const fd = openSync(path, 'w');
  let written = writeSync(fd, [...Array.from({ length: FEATURES }, (_, j) => `f${j}`), 'label'].join(',') + '\n');
  let rows = 0;
  try {
    while (written < bytes) {
      let block = '';
      for (let k = 0; k < 20_000; k++) {
        let line = '';
        for (let j = 0; j < FEATURES; j++) line += pool[(random() * pool.length) | 0] + ',';
        block += line + (random() < 0.5 ? '0\n' : '1\n');
      }
      rows += 20_000;
      written += writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return { rows };
}

let written: { path: string; rows: number; size: number; writeSeconds: number } | undefined;
function bigCsv(): { path: string; rows: number; size: number; writeSeconds: number } {
  if (!written) {
    const path = join(tmp.dir, 'big.csv');
    const t0 = performance.now();
    const { rows } = writeCsv(path, TARGET_BYTES);
    written = { path, rows, size: statSync(path).size, writeSeconds: (performance.now() - t0) / 1000 };
  }
  return written;
}

it.each([
  { reader: 'javascript', bound: 2.5 },
  { reader: 'duckdb', bound: 2.8 },
])('streams a 200 MB CSV with the $reader reader, peak RSS under $bound× the file size', async ({ reader, bound }) => {
  const { path, rows, size, writeSeconds } = bigCsv();
  const env = { ...process.env, CURVATURE_DATA_READER: reader };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', child, path, 'label'], { env, maxBuffer: 1 << 20, cwd: fileURLToPath(new URL('../../..', import.meta.url)) }, (err, out, errOut) =>
      err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
    );
  });
  const r = JSON.parse(stdout.trim().split('\n').pop() as string) as {
    rows: number;
    inputDim: number;
    task: string;
    seconds: number;
    baselineRss: number;
    maxRss: number;
    reader?: string;
  };
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  console.log(
    `big CSV (${reader}): ${mb(size)} MB, ${r.rows} rows × ${FEATURES} features prepared in ${r.seconds.toFixed(1)} s ` +
      `(${(size / 1024 / 1024 / r.seconds).toFixed(0)} MB/s); peak RSS ${mb(r.maxRss)} MB = ${(r.maxRss / size).toFixed(2)}× file ` +
      `(process baseline ${mb(r.baselineRss)} MB); writing it took ${writeSeconds.toFixed(1)} s`,
  );
  expect(r.rows).toBe(rows);
  expect(r.inputDim).toBe(FEATURES);
  expect(r.task).toBe('binary');
  if (r.reader !== undefined) expect(r.reader).toBe(reader);
  expect(r.maxRss).toBeLessThan(bound * size);
}, 120_000);
