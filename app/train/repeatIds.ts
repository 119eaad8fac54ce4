/** Run ids of repeated experiments, shared by the runner and the renderer (pure: no engine imports). */

/** Repeat 0 keeps the spec's id, so that a single-start experiment reads exactly as before; `_r` keeps ids inside safe-name patterns (letters, digits, _ and -). */
export function repeatRunId(specId: string, repeat: number): string {
  return repeat === 0 ? specId : `${specId}_r${repeat}`;
}
