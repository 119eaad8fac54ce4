/** Number and size formatting for tables and hints. */

export function formatNumber(v: number | undefined | null, digits = 4): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10 ** Math.max(5, digits) || a < 1e-3) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return Number(v.toPrecision(digits)).toString();
}

export function formatInt(v: number | undefined): string {
  return v === undefined ? '—' : v.toLocaleString('en-US');
}

/** The app's one byte formatter (KiB, MiB, GiB; three significant digits), as the CLI and trainer notes use it. */
export { formatBytes } from '../../../app/ui';

/** A validation metric as every table shows it: accuracy in percent (96.5%), R² as a plain number. */
export function formatMetric(v: number | undefined | null, kind: 'accuracy' | 'r2'): string {
  if (v === undefined || v === null || !Number.isFinite(v)) return formatNumber(v);
  return kind === 'accuracy' ? `${(v * 100).toFixed(1)}%` : formatNumber(v, 4);
}

export function formatSeconds(s: number | undefined): string {
  if (s === undefined) return '—';
  return s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : Math.round(s).toString();
}

/** A time left as people say it: "40 s", "12 min", "2 h 5 min". */
export function formatDuration(s: number): string {
  if (s < 120) return `${formatSeconds(s)} s`;
  const minutes = Math.round(s / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "1 column", "2 columns": a count with its noun. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : nouns}`;
}

/** Significant digits tables show; the full value is in the cell's title. */
export const TABLE_DIGITS = 6;

/** A numeric cell as a table shows it: ~6 significant digits ("0.243962" for 0.24396182484939288). */
export function shortCell(text: string): string {
  const t = text.trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return text;
  if (/^[-+]?\d+$/.test(t) && t.length <= 15) return text; // whole numbers (ids, counts) stay exact
  const digits = t.replace(/^[-+]?0*\.?0*|e.*$|\./gi, '').length;
  if (digits <= TABLE_DIGITS + 1 && t.length <= 12) return text;
  return formatNumber(Number(t), TABLE_DIGITS);
}
