import { describe, expect, it } from 'vitest';
import { logTickLabel, logTicks } from '../../../renderer/src/lib/log-ticks';

describe('log axis ticks', () => {
  it('labels every decade, with 2 and 5 between when there is room', () => {
    expect(logTicks(1e-4, 10, 300)).toEqual([1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]);
    expect(logTicks(1e-4, 10, 100)).toEqual([1e-4, 1e-3, 0.01, 0.1, 1, 10]);
  });

  it('gives a 0.035–1 range enough labels to read values off (the range that showed only 0.1 and 0.2)', () => {
    expect(logTicks(0.035, 1, 300)).toEqual([0.05, 0.1, 0.2, 0.5, 1]);
  });

  it('fills ranges shorter than a decade with 3, 4, 6… and thins out very long ranges', () => {
    expect(logTicks(0.031, 0.09, 300)).toEqual([0.04, 0.05, 0.06, 0.07, 0.08, 0.09]);
    const wide = logTicks(1e-12, 1e12, 120);
    expect(wide.length).toBeLessThanOrEqual(7);
    expect(wide).toContain(1);
  });

  it('writes labels compactly', () => {
    expect([1e-5, 2e-4, 0.002, 0.05, 1, 20, 500, 2e6].map(logTickLabel)).toEqual(['1e-5', '2e-4', '0.002', '0.05', '1', '20', '500', '2e6']);
  });
});
