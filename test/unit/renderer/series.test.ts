import { describe, expect, it } from 'vitest';
import type { IterationPoint } from '../../../app/train/events';
import { PointCache, RunSeries } from '../../../renderer/src/lib/series';

function point(i: number, f: number, extra: Partial<IterationPoint> = {}): IterationPoint {
  return {
    iteration: i, f, trainLoss: f, gradInfNorm: 1, gradNorm2: 1 / (i + 1), step: i === 0 ? 0 : 0.5, stepNorm: 0,
    lineSearchEvaluations: 1, curvature: null, pairSkipped: false, memoryReset: false,
    functionEvaluations: 2 * i + 1, gradientEvaluations: 2 * i + 1, elapsedMs: 10 * i, ...extra,
  };
}

describe('chart series', () => {
  it('appends only new points and keeps the same array for chart.js', () => {
    const s = new RunSeries();
    const cache = new PointCache('evaluations', 'trainLoss');
    s.push(point(0, 1));
    s.push(point(1, 0.5));
    const first = cache.sync(s, false);
    expect(first).toEqual([{ x: 1, y: 1 }, { x: 3, y: 0.5 }]);
    s.push(point(2, 0.25));
    const second = cache.sync(s, false);
    expect(second).toBe(first);
    expect(second[2]).toEqual({ x: 5, y: 0.25 });
  });

  it('leaves out missing validation and values a log axis cannot show (lines span them; LTTB chokes on NaN)', () => {
    const s = new RunSeries();
    s.push(point(0, 0));
    s.push(point(1, 0.5, { validationLoss: 0.7 }));
    expect(s.hasValidation).toBe(true);
    const val = new PointCache('iteration', 'validationLoss').sync(s, false);
    expect(val).toEqual([{ x: 1, y: 0.7 }]);
    const logTrain = new PointCache('seconds', 'trainLoss').sync(s, true);
    expect(logTrain).toEqual([{ x: 0.01, y: 0.5 }]);
    // The start record has no step; the next point after a skipped one is still appended once.
    const stepCache = new PointCache('iteration', 'step');
    expect(stepCache.sync(s, true).every((p) => p.y > 0 && Number.isFinite(p.y))).toBe(true);
    s.push(point(2, 0.25));
    const again = stepCache.sync(s, true);
    expect(new Set(again.map((p) => p.x)).size).toBe(again.length);
  });
});

describe('smoothing', () => {
  it('smooths noise but ends exactly at the latest raw value', async () => {
    const { SmoothCache } = await import('../../../renderer/src/lib/smooth');
    const raw = Array.from({ length: 200 }, (_, i) => ({ x: i, y: i % 2 === 0 ? 1 : 100 }));
    const cache = new SmoothCache(0.1, true);
    const out = cache.sync(raw.slice(0, 100));
    const mid = out.slice(50, 98).map((p) => p.y);
    expect(Math.max(...mid) / Math.min(...mid)).toBeLessThan(3); // the raw zig-zag is 100×
    expect(out.at(-1)).toEqual(raw[99]);
    const more = cache.sync(raw);
    expect(more.length).toBe(200);
    expect(more.at(-1)).toEqual(raw[199]);
    expect(more[99].y).not.toBe(raw[99].y); // the old raw tail was replaced by its smoothed value
  });
});
