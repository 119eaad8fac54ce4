/**
 * Date cells as text: recognising them (the Data view's hint) and reading them as calendar dates
 * (data.expandDates). One set of patterns serves both, so a column the hint calls a date is one the
 * expansion can read. Time of day and UTC offsets are accepted and not used: the parts are those of
 * the calendar date as written.
 */

/** ISO order: 2024-03-01, 2024/03/01, 2024.03.01, optionally with a time (and offset). */
const ISO = /^(\d{4})([-/.])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
/** Day and month first in either order, then a 2- or 4-digit year: 01.03.2024, 3/1/24, 01-03-2024 12:00. */
const DAY_MONTH = /^(0?[1-9]|[12]\d|3[01])([-/.])(0?[1-9]|[12]\d|3[01])\2(\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/;

export function looksLikeDate(text: string): boolean {
  const s = text.trim();
  return ISO.test(s) || DAY_MONTH.test(s);
}

/** How a column's dates are written: year first (ISO), day first or month first. */
export type DateOrder = 'ymd' | 'dmy' | 'mdy';

/** A date as written; `first`/`second` are the two leading fields when the year comes last. */
type Written = { kind: 'iso'; y: number; m: number; d: number } | { kind: 'day-month'; first: number; second: number; y: number; sep: string };

function read(text: string): Written | null {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) return { kind: 'iso', y: +m[1], m: +m[3], d: +m[4] };
  m = DAY_MONTH.exec(s);
  if (!m) return null;
  // Two-digit years pivot as POSIX strptime's %y does: 69–99 → 1969–1999, 00–68 → 2000–2068.
  const y = m[4].length === 2 ? (+m[4] >= 69 ? 1900 : 2000) + +m[4] : +m[4];
  return { kind: 'day-month', first: +m[1], second: +m[3], y, sep: m[2] };
}

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Milliseconds at 00:00 UTC of a date; setUTCFullYear, unlike Date.UTC, keeps years 0–99 as written. */
function utc(year: number, monthIndex: number, day: number): number {
  return new Date(0).setUTCFullYear(year, monthIndex, day);
}

function daysInMonth(y: number, m: number): number {
  return new Date(utc(y, m, 0)).getUTCDate();
}

/**
 * The calendar date a cell names under `order` (which only matters when the year comes last), or a
 * reason it names none.
 */
export function parseDate(text: string, order: Exclude<DateOrder, 'ymd'>): CalendarDate | string {
  const w = read(text);
  if (w === null) return 'not a date (expected e.g. 2024-03-01, 01.03.2024 or 3/1/2024)';
  const date = w.kind === 'iso' ? { year: w.y, month: w.m, day: w.d } : order === 'dmy' ? { year: w.y, month: w.second, day: w.first } : { year: w.y, month: w.first, day: w.second };
  if (date.month > 12) return `month ${date.month} does not exist (the dates are read ${order === 'dmy' ? 'day/month/year' : 'month/day/year'})`;
  if (date.day > daysInMonth(date.year, date.month)) return `${date.year}-${String(date.month).padStart(2, '0')} has no day ${date.day}`;
  return date;
}

/** The order a column's dates are written in, or which cells (indices into the caller's cells) leave it undecided. */
export type OrderDecision =
  | { order: DateOrder }
  | { problem: 'mixed'; dayFirst: number; monthFirst: number }
  | { problem: 'ambiguous'; at: number };

/**
 * Decides whether day or month comes first from the cells themselves: a leading field above 12 is
 * a day (day first), a second field above 12 a day (month first); seeing both is a contradiction.
 * When no field is above 12, dots decide day first (01.03.2024 is day-first wherever it is written);
 * slashes and dashes stay ambiguous unless every such date reads the same both ways (05/05/2024).
 * `texts(k)` yields the k-th non-missing cell.
 */
export function decideDateOrder(count: number, texts: (k: number) => string): OrderDecision {
  let dayFirst = -1;
  let monthFirst = -1;
  let ambiguous = -1;
  let dotted = true;
  let dayMonth = false;
  for (let k = 0; k < count; k++) {
    const w = read(texts(k));
    if (w === null || w.kind === 'iso') continue;
    dayMonth = true;
    if (w.first > 12) {
      if (dayFirst < 0) dayFirst = k;
    } else if (w.second > 12) {
      if (monthFirst < 0) monthFirst = k;
    } else if (w.first !== w.second && ambiguous < 0) ambiguous = k;
    if (w.sep !== '.') dotted = false;
  }
  if (!dayMonth) return { order: 'ymd' };
  if (dayFirst >= 0 && monthFirst >= 0) return { problem: 'mixed', dayFirst, monthFirst };
  if (dayFirst >= 0) return { order: 'dmy' };
  if (monthFirst >= 0) return { order: 'mdy' };
  if (dotted || ambiguous < 0) return { order: 'dmy' };
  return { problem: 'ambiguous', at: ambiguous };
}

/** The numeric inputs one date becomes, in input order. */
export const DATE_PARTS = ['year', 'month', 'day', 'weekday', 'dayOfYearSin', 'dayOfYearCos', 'daysSince1970'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

const DAY_MS = 86_400_000;

/**
 * The parts of one date: year, month (1–12), day of month (1–31), weekday (0 = Monday … 6 = Sunday,
 * as pandas' dayofweek and Python's date.weekday()), the day of the year on a circle (sin and cos of
 * 2π·(day of year − 1)/days in the year, so 31 December sits next to 1 January), and the days since
 * 1970-01-01 (the trend).
 */
export function dateParts(d: CalendarDate, out: Float64Array = new Float64Array(DATE_PARTS.length)): Float64Array {
  const t = utc(d.year, d.month - 1, d.day);
  const days = Math.round(t / DAY_MS);
  const start = utc(d.year, 0, 1);
  const dayOfYear = Math.round((t - start) / DAY_MS); // 0-based
  const yearLength = Math.round((utc(d.year + 1, 0, 1) - start) / DAY_MS);
  const angle = (2 * Math.PI * dayOfYear) / yearLength;
  out[0] = d.year;
  out[1] = d.month;
  out[2] = d.day;
  out[3] = (new Date(t).getUTCDay() + 6) % 7;
  out[4] = Math.sin(angle);
  out[5] = Math.cos(angle);
  out[6] = days;
  return out;
}
