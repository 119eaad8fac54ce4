/**
 * One measurement of `npm run bench -- load`, in its own process so its peak RSS is its own:
 * prepareData (load + checks + standardisation + split) on FILE; the reader comes from
 * CURVATURE_DATA_READER (unset: DuckDB first; javascript: the papaparse loader). Prints JSON.
 */
import { loadTable } from '../../app/data/load';
import { prepareData } from '../../app/data/prepare';

const [file, target, mode] = process.argv.slice(2);
const t0 = performance.now();
let reader: string | undefined;
let rows: number;
if (mode === 'load') {
  const table = await loadTable({ kind: 'file', path: file });
  reader = table.reader;
  rows = table.rowCount;
} else {
  const prepared = await prepareData({ source: { kind: 'file', path: file }, target, split: { validation: 0, test: 0 } });
  rows = prepared.train.rows;
}
console.log(JSON.stringify({ reader, rows, s: (performance.now() - t0) / 1000, peakMb: process.resourceUsage().maxRSS / 1024 }));
