/** Browser file reading for uploads and drops. */

export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

/** The host names its private copy of an upload (/tmp/…/uploads/…/x.csv); the user knows it as x.csv. */
export function withFileName(message: string, name: string): string {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(`(?:[A-Za-z]:)?[^\\s"'(]*[\\\\/]${escaped}\\b`, 'g'), name);
}

/** A host path the user did not type (temporary upload folders, the trainer's source files). */
const HOST_PATH = /(?:[A-Za-z]:\\|\/)(?:[^\s"'`()<>,;:]+[\\/])+([^\s"'`()<>,;:]+)/g;

/**
 * An error as the page shows it: no "Error:" class prefixes, no stack lines, host paths reduced to
 * their file name (`name`, when given, is the name the user knows the data file by).
 */
export function humanError(message: string, name?: string): string {
  let text = name ? withFileName(message, name) : message;
  text = text
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join('\n')
    .replace(/^(?:\w*Error|ApiError|DataError|ConfigError):\s*/, '');
  return scrubPaths(text).trim();
}

/** Host paths reduced to their last part (for details such as stacks, which keep their lines). */
export function scrubPaths(text: string, name?: string): string {
  return (name ? withFileName(text, name) : text).replace(HOST_PATH, '$1');
}
