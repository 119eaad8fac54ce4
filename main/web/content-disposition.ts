/**
 * `Content-Disposition: attachment` for any file name (RFC 6266 with RFC 5987 `filename*`): an ASCII
 * fallback for old clients plus the exact UTF-8 name. Node refuses header values outside Latin-1,
 * so a name like `adam-β` must never be written raw.
 */
export function contentDisposition(name: string): string {
  const fallback =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\x20-\x7e]|["\\%;]/g, '_')
      .trim() || 'download';
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** Percent-encodes everything but RFC 5987 attr-chars. */
function encodeRfc5987(value: string): string {
  // encodeURIComponent throws on a lone surrogate; such a name gets U+FFFD in its place.
  const wellFormed = value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return encodeURIComponent(wellFormed).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
