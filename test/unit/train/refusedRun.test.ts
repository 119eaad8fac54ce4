/**
 * Levenberg–Marquardt raced on a classification problem: its run is refused with the reason and
 * the method to use instead, while the other runs train. The refusal reports no solver, no
 * Jacobians and no "best validation" weights, since it never started.
 */
import { describe, expect, it } from 'vitest';
import { startExperiment } from '../../../app/train/runner';
import { parseExperiment } from '../../../app/schema/experiment';
import { seededRandom } from '../../../app/util/random';

describe('a refused run beside a trained one', () => {
  it('says why, names L-BFGS, and claims no solver or best-validation weights', async () => {
    const rand = seededRandom(3);
    const rows = Array.from({ length: 120 }, () => {
      const a = rand() * 2 - 1;
      const b = rand() * 2 - 1;
      return [a, b, a * b > 0 ? 'same' : 'opposite'];
    });
    const experiment = parseExperiment(
      {
        name: 'refused',
        data: { source: { kind: 'inline', columns: ['a', 'b', 'sign'], rows }, target: 'sign' },
        model: { layers: [{ units: 6, activation: 'tanh' }] },
        preset: 'fitting',
        runs: [{ optimizer: { kind: 'lm' } }, { optimizer: { kind: 'lbfgs' }, stopping: { maxIterations: 30 } }],
      },
      'test',
    );
    const outcome = await startExperiment(experiment, { baseDir: process.cwd(), onEvent: () => {} }).done;
    const [lm, lbfgs] = outcome.runs.map((r) => r.summary);
    expect(lm.status).toBe('refused');
    expect(lm.message).toMatch(/binary-crossentropy.*L-BFGS/);
    expect(lm.message).not.toMatch(/Weights from iteration/);
    expect(lm.levenbergMarquardt).toBeUndefined();
    expect(lbfgs.status).not.toBe('refused');
    expect(lbfgs.iterations).toBeGreaterThan(0);
  });

  it('refuses a huber or mae loss for its own reason, not cross-entropy\'s', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i / 40, Math.sin(i / 5)]);
    for (const loss of ['huber', 'mae'] as const) {
      const experiment = parseExperiment(
        {
          name: loss,
          data: { source: { kind: 'inline', columns: ['x', 'y'], rows }, target: 'y', task: 'regression' },
          model: { layers: [{ units: 4, activation: 'tanh' }], loss },
          runs: [{ optimizer: { kind: 'br' } }],
        },
        'test',
      );
      const outcome = await startExperiment(experiment, { baseDir: process.cwd(), onEvent: () => {} }).done;
      const br = outcome.runs[0].summary;
      expect(br.status).toBe('refused');
      expect(br.message).toMatch(new RegExp(`loss is ${loss}\\. .*use the mse loss for LM, or L-BFGS \\(or BFGS\\) for ${loss}`));
      expect(br.message).not.toMatch(/cross-entropy/);
    }
  });
});
