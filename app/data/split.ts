/** Seeded train/validation/test splits, optionally stratified by class. */
import { type Random, seededRandom } from '../util/random';
import { DataError } from './types';

export { seededRandom, type Random };

/** Fisher–Yates shuffle driven by `random`. */
export function shuffleInPlace(a: Int32Array | number[], random: Random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

export interface SplitOptions {
  validation: number;
  test: number;
  seed: number;
  /** Named in the error when there are too few rows. */
  file?: string;
  /** Class index per candidate row (same length as `rows`) to stratify by; omit for a plain shuffle. */
  strata?: Int32Array;
}

/** Rows in a split of fraction `f` of `n`: at least one when f > 0. */
const share = (n: number, f: number) => (f > 0 ? Math.max(1, Math.round(n * f)) : 0);

/**
 * Largest-remainder apportionment of `total` over groups of the given sizes, never more than a
 * group's `room`. Ties go to the lower group index, so the result is deterministic.
 */
function apportion(sizes: number[], room: number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (n > 0 ? (s * total) / n : 0));
  const out = exact.map((e, k) => Math.min(Math.floor(e), room[k]));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, k) => k).sort((a, b) => exact[b] - Math.floor(exact[b]) - (exact[a] - Math.floor(exact[a])) || a - b);
  // Two passes: first by remainder, then anywhere with room (when clamping left some over).
  for (const pass of [0, 1]) {
    for (const k of order) {
      if (left === 0) break;
      if (out[k] < room[k] && (pass === 1 || exact[k] > out[k])) {
        out[k]++;
        left--;
      }
    }
  }
  return out;
}

/** Splits `rows` (indices into the table) into shuffled train/validation/test index sets. */
export function splitRows(rows: Int32Array, options: SplitOptions): SplitIndices {
  const n = rows.length;
  const nTest = share(n, options.test);
  const nVal = share(n, options.validation);
  if (n - nTest - nVal < 1) {
    throw new DataError(
      `${n} usable rows are too few for a validation share of ${options.validation} and a test share of ${options.test}`,
      { file: options.file, field: 'split' },
    );
  }
  const random = seededRandom(options.seed);
  // Typed arrays of known size: on big tables, growing number[]s would cost several times the memory.
  const train = new Int32Array(n - nTest - nVal);
  const validation = new Int32Array(nVal);
  const test = new Int32Array(nTest);
  let nt = 0;
  let nv = 0;
  let ns = 0;
  const place = (r: number, toTest: boolean, toValidation: boolean) => {
    if (toTest) test[ns++] = r;
    else if (toValidation) validation[nv++] = r;
    else train[nt++] = r;
  };

  if (options.strata === undefined) {
    const order = rows.slice();
    shuffleInPlace(order, random);
    test.set(order.subarray(0, nTest));
    validation.set(order.subarray(nTest, nTest + nVal));
    train.set(order.subarray(nTest + nVal));
    ns = nTest;
    nv = nVal;
    nt = train.length;
  } else {
    const strata = options.strata;
    const groups = new Map<number, number>();
    for (const g of strata) groups.set(g, (groups.get(g) ?? 0) + 1);
    const keys = [...groups.keys()].sort((a, b) => a - b);
    const sizes = keys.map((k) => groups.get(k) as number);
    const testPer = apportion(sizes, sizes, nTest);
    const valPer = apportion(sizes, sizes.map((s, k) => s - testPer[k]), nVal);
    // Counting sort of the rows by group, then each group's slice is shuffled and dealt out.
    const groupOf = new Map(keys.map((key, k) => [key, k]));
    const start = new Int32Array(keys.length + 1);
    sizes.forEach((size, k) => (start[k + 1] = start[k] + size));
    const fill = start.slice(0, keys.length);
    const grouped = new Int32Array(n);
    for (let i = 0; i < n; i++) grouped[fill[groupOf.get(strata[i]) as number]++] = rows[i];
    keys.forEach((_, k) => {
      const members = grouped.subarray(start[k], start[k + 1]);
      shuffleInPlace(members, random);
      for (let i = 0; i < members.length; i++) place(members[i], i < testPer[k], i < testPer[k] + valPer[k]);
    });
  }
  // apportion could fall short only if every group were full, which the size check above rules out.
  if (nt !== train.length || nv !== nVal || ns !== nTest) throw new Error('splitRows: apportionment did not fill the splits');
  const finish = (a: Int32Array) => {
    shuffleInPlace(a, random);
    return a;
  };
  return { train: finish(train), validation: finish(validation), test: finish(test) };
}
