/**
 * Seeded mutations of valid CSV, JSON, .npy and .npz files. Every case must either prepare into
 * consistent finite matrices or fail with a DataError that names the file: never another exception
 * type, never a hang.
 */
import { afterAll, expect, it } from 'vitest';
import { type DataSpecInput, prepareData } from '../../../app/data/prepare';
import { DataError, type PreparedData, type Split } from '../../../app/data/types';
import { type Random, seededRandom } from '../../../app/util/random';
import { npy, npz, tempDir } from './helpers';

const tmp = tempDir('curvature-fuzz-');
afterAll(() => tmp.cleanup());

const CASE_TIMEOUT_MS = 5000;
const encoder = new TextEncoder();

const pick = <T,>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const int = (random: Random, n: number) => Math.floor(random() * n);

function baseCsv(random: Random): string {
  const d = pick(random, [',', ';', '\t']);
  const lines = [['a', 'b', 'color', 'y'].join(d)];
  for (let i = 0; i < 12; i++) {
    const color = pick(random, ['red', 'blue', '"dark, green"', '"two\nlines"']);
    lines.push([(random() * 10).toFixed(3), int(random, 100), color, i % 3 === 0 ? 'yes' : 'no'].join(d));
  }
  return (random() < 0.3 ? '\ufeff' : '') + lines.join(random() < 0.3 ? '\r\n' : '\n') + '\n';
}

function baseJson(random: Random): string {
  const rows = Array.from({ length: 12 }, (_, i) => ({ a: random() * 10, b: int(random, 100), color: pick(random, ['red', 'blue']), y: i % 4 }));
  if (random() < 0.5) return JSON.stringify(rows, null, random() < 0.5 ? 2 : undefined);
  return JSON.stringify({ columns: ['a', 'b', 'color', 'y'], rows: rows.map((r) => [r.a, r.b, r.color, r.y]) });
}

function baseNpyX(random: Random): Uint8Array {
  const dtype = pick(random, ['f4', 'f8', 'i4', 'u1', 'i8'] as const);
  return npy(dtype, [10, 3], Array.from({ length: 30 }, (_, i) => (i % 3 === 2 ? i % 2 : int(random, 50))), { version: random() < 0.8 ? 1 : 2 });
}

function baseNpz(random: Random): Uint8Array {
  const x = baseNpyX(random);
  const y = npy('i8', [10], Array.from({ length: 10 }, (_, i) => i % 2));
  return npz({ 'X.npy': x, 'y.npy': y }, random() < 0.5 ? 0 : 6);
}

/** Text-level mutations that aim at the CSV/JSON grammar. */
function mutateText(text: string, random: Random): string {
  const at = int(random, text.length + 1);
  const insert = (s: string) => text.slice(0, at) + s + text.slice(at);
  switch (int(random, 12)) {
    case 0: return insert(pick(random, [',', ';', '\t']));
    case 1: return insert('"');
    case 2: return insert(pick(random, ['NaN', 'nan', 'NA', '?', 'Infinity', '-', '1e999', '1e39', '[1,2]', '{}', 'null']));
    case 3: return insert(pick(random, ['\n', '\r\n', '\r', '\n\n']));
    case 4: return text.slice(0, at);
    case 5: return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + int(random, 8)));
    case 6: {
      // Empty a cell: remove the text between two delimiters.
      const m = /[^,;\t\n]+/g;
      const cells = [...text.matchAll(m)];
      if (cells.length === 0) return text;
      const c = pick(random, cells);
      return text.slice(0, c.index) + text.slice((c.index ?? 0) + c[0].length);
    }
    case 7: {
      // Corrupt the header line.
      const nl = text.indexOf('\n');
      const header = pick(random, ['', 'a,a,a,a', 'y', '1,2,3,4', 'a;b;c', '"unclosed,b,c,y', 'a,b,color,y,extra', '\ufeff\ufeff']);
      return header + (nl === -1 ? '' : text.slice(nl));
    }
    case 8: {
      const lines = text.split('\n');
      const k = int(random, lines.length);
      if (random() < 0.5) lines.splice(k, 1);
      else lines.splice(k, 0, lines[int(random, lines.length)]);
      return lines.join('\n');
    }
    case 9: return insert(pick(random, ['\u0000', '\ufeff', '\u00e9', '\ud800', 'é']));
    case 10: return text.replace(/yes|no|red|blue/, pick(random, ['', 'YES', '1', ' ', 'maybe']));
    default: return insert(String.fromCharCode(int(random, 128)));
  }
}

const STRANGE_VALUES: unknown[] = [null, '', 'abc', 'NaN', '1e400', 1e300, -1e39, true, false, [1, 2], { k: 1 }, '  7 ', 0, 'red'];

/** Structure-aware JSON mutations: the result still parses, so the table logic itself is exercised. */
function mutateJsonValue(text: string, random: Random): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return mutateText(text, random);
  }
  const rows: unknown[] = Array.isArray(value) ? value : ((value as { rows?: unknown[] }).rows ?? []);
  if (rows.length === 0) return JSON.stringify(value);
  const k = int(random, rows.length);
  const row = rows[k];
  switch (int(random, 6)) {
    case 0:
      rows[k] = pick(random, STRANGE_VALUES);
      break;
    case 1:
      rows.splice(k, 1);
      break;
    case 2:
      if (Array.isArray(row)) row.splice(int(random, row.length + 1), 0, pick(random, STRANGE_VALUES));
      else if (row && typeof row === 'object') (row as Record<string, unknown>)[pick(random, ['extra', 'y', 'a'])] = pick(random, STRANGE_VALUES);
      break;
    case 3:
      if (Array.isArray(row)) row.pop();
      else if (row && typeof row === 'object') delete (row as Record<string, unknown>)[pick(random, ['a', 'b', 'color', 'y'])];
      break;
    case 4:
      if (!Array.isArray(value) && value && typeof value === 'object') (value as Record<string, unknown>).columns = pick(random, [['a'], ['a', 'a', 'b', 'y'], 'a,b', [1, 2, 3, 4], []]);
      else rows.splice(0, rows.length - 1);
      break;
    default:
      for (const r of rows) if (r && typeof r === 'object' && !Array.isArray(r)) (r as Record<string, unknown>).y = 5;
  }
  return JSON.stringify(value);
}

/** Byte-level mutations for any format, weighted toward the .npy header for binary files. */
function mutateBytes(bytes: Uint8Array, random: Random, headerBytes: number): Uint8Array {
  const out = bytes.slice();
  switch (int(random, 6)) {
    case 0: {
      const i = int(random, out.length);
      out[i] ^= 1 << int(random, 8);
      return out;
    }
    case 1: {
      const i = int(random, Math.min(out.length, headerBytes));
      out[i] = int(random, 256);
      return out;
    }
    case 2: return out.slice(0, int(random, out.length));
    case 3: {
      const i = int(random, out.length);
      const junk = Uint8Array.from({ length: 1 + int(random, 8) }, () => int(random, 256));
      const grown = new Uint8Array(out.length + junk.length);
      grown.set(out.subarray(0, i));
      grown.set(junk, i);
      grown.set(out.subarray(i), i + junk.length);
      return grown;
    }
    case 4: {
      // Rewrite a digit of the shape or a character of the dtype in the header text.
      const text = new TextDecoder('latin1').decode(out.subarray(0, Math.min(out.length, headerBytes)));
      const spots = [...text.matchAll(/\d|'[<|>]|[fiub]\d/g)];
      if (spots.length === 0) return out;
      const s = pick(random, spots);
      out[(s.index ?? 0) + int(random, s[0].length)] = pick(random, [0x30, 0x39, 0x3e, 0x63, 0x20, 0x28, 0x27]);
      return out;
    }
    default: {
      const i = int(random, out.length);
      out[i] = 0xff;
      return out;
    }
  }
}

function checkPrepared(d: PreparedData): void {
  const check = (s: Split | undefined) => {
    if (!s) return;
    expect(s.x.length).toBe(s.rows * d.inputDim);
    expect(s.y.length).toBe(s.rows * d.outputDim);
    for (const v of s.x) if (!Number.isFinite(v)) throw new Error(`non-finite input ${v}`);
    for (const v of s.y) if (!Number.isFinite(v)) throw new Error(`non-finite target ${v}`);
  };
  check(d.train);
  check(d.validation);
  check(d.test);
  expect(d.train.rows).toBeGreaterThan(0);
  expect(d.preprocessing.inputNames.length).toBe(d.inputDim);
}

async function withTimeout<T>(p: Promise<T>, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${label} did not settle in ${CASE_TIMEOUT_MS} ms`)), CASE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

it('1200 mutated inputs either prepare cleanly or fail with a located DataError', async () => {
  const random = seededRandom(Number(process.env.FUZZ_SEED ?? 20260101));
  const formats = ['csv', 'json', 'npy', 'npz'] as const;
  const outcomes: Record<string, { loaded: number; dataError: number }> = {};
  const messages = new Set<string>();
  for (let c = 0; c < 1200; c++) {
    const format = formats[c % formats.length];
    let bytes: Uint8Array;
    let target = 'y';
    const mutations = 1 + int(random, 3);
    if (format === 'csv' || format === 'json') {
      let text = format === 'csv' ? baseCsv(random) : baseJson(random);
      for (let m = 0; m < mutations; m++) {
        const u = random();
        if (format === 'json' && u < 0.5) text = mutateJsonValue(text, random);
        else if (u < 0.85) text = mutateText(text, random);
        else text = new TextDecoder().decode(mutateBytes(encoder.encode(text), random, 64));
      }
      bytes = encoder.encode(text);
    } else if (format === 'npy') {
      bytes = baseNpyX(random);
      target = 'x2';
      for (let m = 0; m < mutations; m++) bytes = mutateBytes(bytes, random, 128);
    } else {
      bytes = baseNpz(random);
      for (let m = 0; m < mutations; m++) bytes = mutateBytes(bytes, random, 200);
    }
    const path = tmp.write(`case-${c}.${format}`, bytes);
    const spec: DataSpecInput = {
      source: { kind: 'file', path },
      target,
      preprocessing: { missing: pick(random, ['error', 'drop', 'fill-mean'] as const), standardize: random() < 0.7 },
      split: { validation: pick(random, [0, 0.2, 0.5]), test: pick(random, [0, 0.1]), seed: c },
    };
    const tally = (outcomes[format] ??= { loaded: 0, dataError: 0 });
    try {
      const d = await withTimeout(prepareData(spec), path);
      checkPrepared(d);
      tally.loaded++;
    } catch (e) {
      if (!(e instanceof DataError)) {
        throw new Error(`case ${c} (${format}) threw ${(e as Error).name}: ${(e as Error).message}\ninput: ${JSON.stringify(new TextDecoder('latin1').decode(bytes).slice(0, 400))}`);
      }
      expect(e.file, e.message).toBeDefined();
      expect((e.file as string).startsWith(path), e.message).toBe(true);
      expect(e.message.startsWith(e.file as string)).toBe(true);
      tally.dataError++;
      messages.add(e.message.slice((e.file as string).length).replace(/\d+/g, 'N').slice(0, 70));
    }
  }
  if (process.env.FUZZ_VERBOSE) console.log([...messages].sort().join("\n"));
  console.log(`fuzz outcomes: ${JSON.stringify(outcomes)}; ${messages.size} distinct error shapes`);
  // The corpus must exercise both outcomes for every format, or the mutations are too weak/strong.
  for (const f of formats) {
    expect(outcomes[f].loaded, f).toBeGreaterThan(10);
    expect(outcomes[f].dataError, f).toBeGreaterThan(10);
  }
}, 300_000);

/** Offsets of each member's data in a stored (level 0) zip, from its local headers. */
function storedMemberSpans(zip: Uint8Array): { name: string; start: number; end: number }[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const spans: { name: string; start: number; end: number }[] = [];
  for (let p = 0; p + 30 <= zip.length && view.getUint32(p, true) === 0x04034b50; ) {
    const size = view.getUint32(p + 18, true);
    const nameLength = view.getUint16(p + 26, true);
    const extra = view.getUint16(p + 28, true);
    const start = p + 30 + nameLength + extra;
    spans.push({ name: new TextDecoder().decode(zip.subarray(p + 30, p + 30 + nameLength)), start, end: start + size });
    p = start + size;
  }
  return spans;
}

const LATIN1_WORDS = ['café', 'cafÉ', 'naïve', 'Köln', 'crème', 'señor', 'Ærø', '£5', '¿qué?', 'ß'];

it('400 corrupted .npz members and non-UTF-8 texts: never trained on silently, never U+FFFD', async () => {
  const random = seededRandom(Number(process.env.FUZZ_SEED ?? 20260102));
  const tally = { corruptMember: 0, otherNpzError: 0, npzIntact: 0, latin1Loaded: 0, textError: 0, nulRefused: 0 };
  for (let c = 0; c < 400; c++) {
    const kind = c % 4;
    if (kind < 2) {
      // A flipped bit inside a member's data. Stored: the CRC must catch it, naming the member.
      // Deflated: inflate or the CRC must catch it, or the flip hit metadata that leaves the data unchanged.
      const level = kind === 0 ? 0 : 6;
      const x = baseNpyX(random);
      const y = npy('i8', [10], Array.from({ length: 10 }, (_, i) => i % 2));
      const zip = npz({ 'X.npy': x, 'y.npy': y }, level);
      const spans = level === 0 ? storedMemberSpans(zip) : [];
      const bytes = zip.slice();
      let target: string | undefined;
      if (level === 0) {
        const span = pick(random, spans);
        target = span.name;
        bytes[span.start + int(random, span.end - span.start)] ^= 1 << int(random, 8);
      } else {
        const body = 40 + int(random, Math.max(1, bytes.length - 160));
        bytes[body] ^= 1 << int(random, 8);
      }
      const path = tmp.write(`zip-${c}.npz`, bytes);
      try {
        await withTimeout(prepareData({ source: { kind: 'file', path }, target: 'y', split: { validation: 0 } }), path);
        expect(level, `stored archive with a flipped bit in ${target} loaded`).toBe(6);
        tally.npzIntact++;
      } catch (e) {
        if (!(e instanceof DataError)) throw new Error(`case ${c} threw ${(e as Error).name}: ${(e as Error).message}`);
        expect(e.message.startsWith(path)).toBe(true);
        if (level === 0) expect(e.message).toContain(`corrupt member ${target}`);
        if (/corrupt member/.test(e.message)) tally.corruptMember++;
        else tally.otherNpzError++;
      }
    } else {
      // CSV or JSON with Latin-1 words written as Windows-1252, plus random high bytes; sometimes a NUL.
      const csv = kind === 2;
      const words = Array.from({ length: 12 }, () => pick(random, LATIN1_WORDS));
      const text = csv
        ? 'a,word,y\n' + words.map((w, i) => `${i},${w},${i % 2}`).join('\n') + '\n'
        : JSON.stringify(words.map((w, i) => ({ a: i, word: w, y: i % 2 })));
      let bytes = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
      const nul = random() < 0.15;
      if (nul || random() < 0.5) {
        const at = int(random, bytes.length);
        bytes = Uint8Array.from([...bytes.subarray(0, at), nul ? 0 : 0x80 + int(random, 128), ...bytes.subarray(at)]);
      }
      const path = tmp.write(`text-${c}.${csv ? 'csv' : 'json'}`, bytes);
      try {
        const d = await withTimeout(prepareData({ source: { kind: 'file', path }, target: 'y', split: { validation: 0 } }), path);
        expect(nul, 'a file with a NUL byte loaded').toBe(false);
        expect(d.notes.some((n) => /^not valid UTF-8 \((byte 0x[0-9A-F]{2} at offset \d+|a truncated character at the end)\); read as Windows-1252/.test(n))).toBe(true);
        expect(d.preprocessing.inputNames.join('|')).not.toContain('\ufffd');
        tally.latin1Loaded++;
      } catch (e) {
        if (!(e instanceof DataError)) throw new Error(`case ${c} threw ${(e as Error).name}: ${(e as Error).message}`);
        expect(e.message.startsWith(path), e.message).toBe(true);
        expect(e.message).not.toContain('\ufffd');
        if (nul) {
          expect(e.message).toMatch(/NUL byte at offset \d+/);
          tally.nulRefused++;
        } else tally.textError++;
      }
    }
  }
  console.log(`fuzz (zip CRC, encodings): ${JSON.stringify(tally)}`);
  expect(tally.corruptMember).toBeGreaterThan(50);
  expect(tally.latin1Loaded).toBeGreaterThan(100);
  expect(tally.nulRefused).toBeGreaterThan(5);
}, 300_000);
