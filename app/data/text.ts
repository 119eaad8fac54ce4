/**
 * Text decoding for data files. UTF-8 is checked, never silently repaired: a file that is not valid
 * UTF-8 is read as Windows-1252 (the usual encoding of spreadsheets saved on Western Windows
 * systems; every byte maps to a character) with a note naming the first offending byte, and a file
 * holding NUL bytes — binary data or UTF-16 text — is refused with the offset. Replacement
 * characters (U+FFFD) would merge distinct categories ("café" and "cafÉ" both becoming "caf\ufffd").
 */
import { Transform } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { DataError } from './types';

export type TextEncodingName = 'utf-8' | 'windows-1252';

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i; // truncated at the end
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;

/** The loading note for a file read as Windows-1252 because of the byte at `offset`. */
export function windows1252Note(offset: number, byte: number | undefined): string {
  const what = byte === undefined ? 'a truncated character at the end' : `byte ${hex(byte)} at offset ${offset}`;
  return `not valid UTF-8 (${what}); read as Windows-1252 — check accented and special characters, or save the file as UTF-8`;
}

/** Refuses text with a NUL byte: binary data or UTF-16, where reading it as a table would be garbage. */
export function refuseNul(bytes: Uint8Array, file: string, base = 0): void {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new DataError(`not a text file: NUL byte at offset ${base + nul} (binary data or UTF-16 text); save the table as UTF-8 text`, { file });
  }
}

/** Decodes a whole file's bytes; `note` is set when it was not UTF-8. */
export function decodeText(bytes: Uint8Array, file: string): { text: string; encoding: TextEncodingName; note?: string } {
  if (isUtf8(bytes)) return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' };
  const offset = firstInvalidUtf8(bytes);
  refuseNul(bytes, file);
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252', note: windows1252Note(offset, bytes[offset]) };
}

/** Thrown by the UTF-8 stream check; the loader restarts as Windows-1252. */
export class NotUtf8Error extends Error {
  constructor(
    readonly offset: number,
    readonly byte: number | undefined,
  ) {
    super(`not valid UTF-8 at offset ${offset}`);
    this.name = 'NotUtf8Error';
  }
}

/** Bytes of `buf` up to the end of its last complete UTF-8 sequence (the rest waits for the next chunk). */
export function completeLength(buf: Uint8Array): number {
  for (let k = 1; k <= Math.min(4, buf.length); k++) {
    const b = buf[buf.length - k];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? buf.length - k : buf.length;
  }
  return buf.length;
}

/**
 * Bytes in, strings out (object mode, for papaparse). UTF-8 is validated chunk by chunk with the
 * native checker and fails with NotUtf8Error at the first bad byte; Windows-1252 never fails but
 * refuses NUL bytes. Memory stays one chunk.
 */
export function textDecodingStream(encoding: TextEncodingName, file: string): Transform {
  let offset = 0;
  let carry: Buffer = Buffer.alloc(0);
  const decoder = new TextDecoder(encoding);
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      try {
        if (encoding === 'windows-1252') {
          refuseNul(chunk, file, offset);
          offset += chunk.length;
          done(null, decoder.decode(chunk, { stream: true }));
          return;
        }
        const all = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
        const n = completeLength(all);
        const piece = all.subarray(0, n);
        carry = Buffer.from(all.subarray(n));
        if (!isUtf8(piece)) {
          const at = firstInvalidUtf8(piece);
          throw new NotUtf8Error(offset + at, piece[at]);
        }
        offset += piece.length;
        done(null, piece.toString('utf8'));
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      if (encoding === 'utf-8' && carry.length > 0) done(new NotUtf8Error(offset, undefined));
      else done(null, encoding === 'utf-8' ? undefined : decoder.decode());
    },
  });
}
