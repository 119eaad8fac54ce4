/** JSON from a model file, with its size and nesting checked before it is parsed or walked. */
import { ModelImportError } from './errors';
import { formatBytes, MODEL_LIMITS } from './limits';

/** Deepest nesting of arrays/objects in a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > stopAbove) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** Decodes and parses one JSON text of a model file; too large, too deep or invalid is a refusal naming `what`. */
export function parseModelJson(file: string, source: string | Uint8Array, what: string): unknown {
  const size = typeof source === 'string' ? source.length : source.byteLength;
  if (size > MODEL_LIMITS.jsonBytes) {
    throw new ModelImportError(file, `${what} has ${size} bytes of JSON (${formatBytes(size)}), more than the limit of ${formatBytes(MODEL_LIMITS.jsonBytes)}`);
  }
  const text = typeof source === 'string' ? source : new TextDecoder().decode(source);
  const depth = jsonDepth(text, MODEL_LIMITS.jsonDepth);
  if (depth > MODEL_LIMITS.jsonDepth) {
    throw new ModelImportError(file, `${what} nests arrays and objects more than ${MODEL_LIMITS.jsonDepth} levels deep (the limit)`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelImportError(file, `${what} is not valid JSON (${(e as Error).message.slice(0, 200)})`);
  }
}
