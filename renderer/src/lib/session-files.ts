/**
 * Browser mode: remembers uploaded data files (name → host handle) for this tab, so an experiment
 * opened after a reload can find its data again without another upload. Handles stay opaque tokens.
 */
import type { FileHandle } from '../../../app/ui';

const KEY = 'curvature.uploads';

function read(): Record<string, FileHandle> {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, FileHandle>) : {};
  } catch {
    return {};
  }
}

export function rememberUpload(handle: FileHandle): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ ...read(), [handle.name]: handle }));
  } catch {
    // Storage full or disabled: the user re-picks the file after a reload, nothing else breaks.
  }
}

export function findUpload(name: string): FileHandle | null {
  const base = name.split(/[\\/]/).pop() ?? name;
  return read()[base] ?? null;
}

/** Starts a browser download of a URL the host handed out. */
export function download(url: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
