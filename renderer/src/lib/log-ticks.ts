/**
 * Ticks for logarithmic chart axes: every decade in range, with 2 and 5 between when the axis has
 * room for them (and 3, 4, 6, 7, 8, 9 in ranges shorter than a decade), so values can be read off.
 */

/** Height (or width) in pixels one tick label needs. */
export const PX_PER_LABEL = 16;

const STEPS: readonly (readonly number[])[] = [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];

export function logTicks(min: number, max: number, pixels: number): number[] {
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) return [];
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const room = Math.max(2, Math.floor(pixels / PX_PER_LABEL));
  const inRange = (v: number) => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const candidates = (mantissas: readonly number[]) => {
    const out: number[] = [];
    for (let e = lo; e <= hi; e++) for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (inRange(v)) out.push(v);
    }
    return out;
  };
  let decades = candidates(STEPS[0]);
  // Too many decades for the axis: label every k-th one.
  if (decades.length > room) {
    const k = Math.ceil(decades.length / room);
    decades = decades.filter((v) => Math.round(Math.log10(v)) % k === 0);
    return decades;
  }
  let best = decades;
  for (const mantissas of STEPS.slice(1)) {
    const ticks = candidates(mantissas);
    if (ticks.length <= room) best = ticks;
    // Stop refining once a level gives enough labels to read values off.
    if (best.length >= 4) break;
  }
  return best;
}

/** Compact label: 0.02, 5, 300, 1e-5, 2e6. */
export function logTickLabel(value: number): string {
  if (!(value > 0)) return '';
  if (value >= 1e4 || value < 1e-3) return value.toExponential(0).replace('e+', 'e');
  return String(Number(value.toPrecision(2)));
}
