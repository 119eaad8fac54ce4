/**
 * Text that is not UTF-8 is read as Windows-1252 with a note naming the first bad byte, never with
 * U+FFFD; NUL bytes (binary, UTF-16) are refused with the offset; .npz members are CRC-checked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../../app/data/load';
import { prepareData } from '../../../app/data/prepare';
import { centralDirectoryCrcs } from '../../../app/data/npy';
import { firstInvalidUtf8 } from '../../../app/data/text';
import { DataError } from '../../../app/data/types';
import { errorOf, npy, npz, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Windows-1252 bytes of a string (only Latin-1 characters here). */
const cp1252 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const textCells = (t: Awaited<ReturnType<typeof loadTable>>, name: string) => {
  const col = t.columns.find((c) => c.name === name)!;
  return Array.from({ length: t.rowCount }, (_, i) => col.text(i));
};

describe('text encodings', () => {
  it('a Latin-1 CSV keeps distinct categories distinct and says how it was read', async () => {
    const p = tmp.write('latin1.csv', cp1252('x,city,y\n1,café,0\n2,cafÉ,1\n3,Köln,0\n4,café,1\n'));
    const t = await loadTable({ kind: 'file', path: p });
    expect(textCells(t, 'city')).toEqual(['café', 'cafÉ', 'Köln', 'café']);
    expect(t.notes[0]).toBe('not valid UTF-8 (byte 0xE9 at offset 14); read as Windows-1252 — check accented and special characters, or save the file as UTF-8');
    const d = await prepareData({ source: { kind: 'file', path: p }, target: 'y', split: { validation: 0 } });
    expect(d.notes[0]).toMatch(/^not valid UTF-8/);
    expect(d.preprocessing.inputNames.some((n) => n.includes('\ufffd'))).toBe(false);
  });

  it('finds a bad byte far past the 64 kB sniffing sample (re-reads the file) and names its offset', async () => {
    const head = 'x,tag,y\n' + Array.from({ length: 8000 }, (_, i) => `${i},plain,${i % 2}`).join('\n') + '\n';
    const p = tmp.write('late.csv', new Uint8Array([...Buffer.from(head), ...cp1252('9,naïve,1\n')]));
    const t = await loadTable({ kind: 'file', path: p });
    expect(head.length).toBeGreaterThan(65536);
    expect(t.notes[0]).toContain(`byte 0xEF at offset ${head.length + 4}`);
    expect(textCells(t, 'tag').at(-1)).toBe('naïve');
    expect(t.rowCount).toBe(8001);
  });

  it('UTF-8 characters split across 1 MiB read chunks are not mistaken for bad bytes', async () => {
    // The loader reads 1 MiB chunks: put a 4-byte character across that boundary at every alignment.
    for (let shift = 0; shift < 4; shift++) {
      const k = 1048576 - 12 + shift;
      const text = 'a,tag,y\n' + 'z'.repeat(k) + ',😀é,1\n' + 'q,€,0\n';
      expect(Buffer.from(text).indexOf(Buffer.from('😀'))).toBe(1048573 + shift);
      const q = tmp.write(`shift${shift}.csv`, text);
      const u = await loadTable({ kind: 'file', path: q });
      expect(u.notes.some((n) => n.includes('UTF-8')), `shift ${shift}`).toBe(false);
      expect(textCells(u, 'tag'), `shift ${shift}`).toEqual(['😀é', '€']);
    }
  });

  it('a Latin-1 JSON file is read as Windows-1252 with a note', async () => {
    const p = tmp.write('latin1.json', cp1252('[{"x": 1, "c": "crème", "y": 0}, {"x": 2, "c": "brûlée", "y": 1}]'));
    const t = await loadTable({ kind: 'file', path: p });
    expect(textCells(t, 'c')).toEqual(['crème', 'brûlée']);
    expect(t.notes[0]).toMatch(/^not valid UTF-8 \(byte 0xE8 at offset 18\); read as Windows-1252/);
  });

  it('refuses NUL bytes (binary or UTF-16 text) naming the offset, in CSV and JSON', async () => {
    const utf16 = Buffer.from('\ufeffx,y\n1,2\n', 'utf16le');
    for (const name of ['utf16.csv', 'utf16.json']) {
      const p = tmp.write(name, utf16);
      const e = await errorOf(() => loadTable({ kind: 'file', path: p }));
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toBe(`${p}: not a text file: NUL byte at offset 3 (binary data or UTF-16 text); save the table as UTF-8 text`);
    }
  });

  it('firstInvalidUtf8 agrees with the WHATWG decoder on overlongs, surrogates and truncation', () => {
    const cases: [number[], number][] = [
      [[0x61, 0x62], -1],
      [[0xc3, 0xa9], -1],
      [[0xc0, 0xaf], 0], // overlong '/'
      [[0x61, 0xed, 0xa0, 0x80], 1], // UTF-16 surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0x61, 0xe2, 0x82], 1], // truncated €
      [[0xe2, 0x82, 0xac, 0xff], 3],
    ];
    for (const [bytes, want] of cases) expect(firstInvalidUtf8(Uint8Array.from(bytes)), JSON.stringify(bytes)).toBe(want);
  });
});

describe('.npz CRC-32', () => {
  const x = npy('f8', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const y = npy('i8', [4], [0, 1, 0, 1]);

  it('reads the CRCs the archive records', () => {
    const crcs = centralDirectoryCrcs(npz({ 'X.npy': x, 'y.npy': y }, 0), 'a.npz');
    expect([...crcs.keys()]).toEqual(['X.npy', 'y.npy']);
  });

  it('a flipped bit in a stored member is "corrupt member X.npy", naming the file', async () => {
    const bytes = npz({ 'X.npy': x, 'y.npy': y }, 0);
    // The last data byte of X.npy's payload (the float 8.0) sits right before y.npy's local header.
    const yHeader = Buffer.from(bytes).indexOf(Buffer.from('PK\x03\x04'), 10);
    bytes[yHeader - 3] ^= 0x10;
    const p = tmp.write('flipped.npz', bytes);
    const e = await errorOf(() => loadTable({ kind: 'file', path: p }));
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*: corrupt member X\\.npy: its CRC-32 is 0x[0-9a-f]{8} but the archive records 0x[0-9a-f]{8}$`));
  });
});
