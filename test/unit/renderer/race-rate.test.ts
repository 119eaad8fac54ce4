import { describe, expect, it } from 'vitest';
import { raceRate } from '../../../renderer/src/lib/race-rate';

describe('raceRate', () => {
  it('iterations per second of wall clock, and the time the furthest-behind running run needs at its pace', () => {
    const r = raceRate(
      [
        { running: true, iterations: 300, progress: 0.3 },
        { running: true, iterations: 100, progress: 0.1 },
        { running: false, iterations: 50, progress: 1 },
      ],
      10,
    );
    expect(r).toEqual({ perSecond: 45, etaSeconds: 90 });
  });

  it('says nothing before the clock starts or once every run ended; no ETA before any progress', () => {
    expect(raceRate([{ running: true, iterations: 0, progress: 0 }], null)).toBeNull();
    expect(raceRate([{ running: false, iterations: 9, progress: 1 }], 3)).toBeNull();
    expect(raceRate([{ running: true, iterations: 0, progress: 0 }], 2)).toEqual({ perSecond: 0, etaSeconds: null });
  });
});
