/**
 * The rule for ids that become file or folder names (run ids, experiment ids). Platform-free: the
 * schema (and so the renderer) uses it; util/paths turns such names into paths.
 */
import { z } from 'zod';

/** Letters, digits, '.', '_' and '-'; not starting with '.'; 1–64 characters. Safe as a file name on every OS. */
export const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
export const SAFE_NAME_RULE = 'use 1–64 letters, digits, ".", "_" or "-", not starting with "."';

/** Windows refuses these as file names whatever the extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name) && !WINDOWS_RESERVED.test(name);
}

/** zod schema for ids that become file or folder names (run ids, experiment ids). */
export const safeNameSchema = z.string().refine(isSafeName, { message: `not a safe name; ${SAFE_NAME_RULE}` });
