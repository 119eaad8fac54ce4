/**
 * Zip members of a model file (.keras, weights.npz), inflated only when needed and only after their
 * declared sizes passed the budget. fflate inflates into a buffer of the declared size, so a member
 * that lies about its size cannot grow past it; overlapping entries (a zip bomb) count once each.
 */
import { unzipSync } from 'fflate';
import { ModelImportError, printable } from './errors';
import { formatBytes, MODEL_LIMITS } from './limits';

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b;
}

/** Names of every member, without inflating any. */
export function zipMemberNames(file: string, bytes: Uint8Array): string[] {
  const names: string[] = [];
  scan(file, bytes, (f) => {
    if (names.length >= MODEL_LIMITS.zipEntries) throw new ModelImportError(file, `the zip has more than ${MODEL_LIMITS.zipEntries} entries (the limit)`);
    names.push(f.name);
    return false;
  });
  return names;
}

/**
 * The members `wanted` accepts, inflated. A first pass reads only the central directory: entries
 * are counted against the limit and the declared inflated size of each wanted member (and of all
 * of them together) is checked; only then does a second pass inflate the wanted members.
 */
export function readZip(file: string, bytes: Uint8Array, wanted: (name: string) => boolean, jsonMember: (name: string) => boolean = () => false): Record<string, Uint8Array> {
  let entries = 0;
  let total = 0;
  const seen = new Set<string>();
  scan(file, bytes, (f) => {
    if (++entries > MODEL_LIMITS.zipEntries) throw new ModelImportError(file, `the zip has more than ${MODEL_LIMITS.zipEntries} entries (the limit)`);
    if (!wanted(f.name)) return false;
    const member = `member "${printable(f.name)}"`;
    if (seen.has(f.name)) throw new ModelImportError(file, `${member} appears twice in the zip`);
    seen.add(f.name);
    if (f.originalSize > f.size * 1100 + 1024) {
      throw new ModelImportError(file, `${member} claims ${f.originalSize} bytes from ${f.size} compressed ones, more than deflate can expand`);
    }
    if (jsonMember(f.name) && f.originalSize > MODEL_LIMITS.jsonBytes) {
      throw new ModelImportError(file, `${member} has ${f.originalSize} bytes of JSON (${formatBytes(f.originalSize)}), more than the limit of ${formatBytes(MODEL_LIMITS.jsonBytes)}`);
    }
    total += f.originalSize;
    if (total > MODEL_LIMITS.inflatedBytes) {
      throw new ModelImportError(file, `${member} brings the inflated members to ${total} bytes (${formatBytes(total)}), more than the limit of ${formatBytes(MODEL_LIMITS.inflatedBytes)}`);
    }
    return false;
  });
  return scan(file, bytes, (f) => wanted(f.name));
}

type Filter = NonNullable<Parameters<typeof unzipSync>[1]>['filter'];

function scan(file: string, bytes: Uint8Array, filter: Filter): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes, { filter });
  } catch (e) {
    if (e instanceof ModelImportError) throw e;
    throw new ModelImportError(file, `corrupt zip archive (${(e as Error).message.slice(0, 200)})`);
  }
}
