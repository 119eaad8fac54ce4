import { describe, expect, it } from 'vitest';
import { experimentFromFlags, type TrainFlags } from '../../../app/cli/trainOptions';

const flags = (extra: Partial<TrainFlags>): TrainFlags => ({ target: 'y', optimizer: 'lbfgs', standardize: true, scaleTarget: true, ...extra });

describe('train flags for repeats and hand-off runs', () => {
  it('--optimizer adam>lbfgs --switch-after 200 is one sequence run; hyperparameters reach the matching phase', () => {
    const e = experimentFromFlags('d.csv', flags({ optimizer: 'lbfgs,adam>lbfgs', switchAfter: 200, lr: 0.02, history: 5, repeats: 4 }), '/tmp');
    expect(e.repeats).toBe(4);
    expect(e.runs[0].optimizer).toMatchObject({ kind: 'lbfgs', history: 5 });
    expect(e.runs[1].optimizer).toMatchObject({
      kind: 'sequence',
      phases: [
        { optimizer: { kind: 'adam', learningRate: 0.02 }, until: { iterations: 200 } },
        { optimizer: { kind: 'lbfgs', history: 5 } },
      ],
    });
    expect(e.runs[1].optimizer.kind === 'sequence' && e.runs[1].optimizer.phases[1].until).toBeUndefined();
  });

  it('--switch-on-plateau W:TOL, alone or with --switch-after', () => {
    const e = experimentFromFlags('d.csv', flags({ optimizer: 'adam>lbfgs', switchOnPlateau: '50:1e-4', switchAfter: 500 }), '/tmp');
    expect(e.runs[0].optimizer).toMatchObject({ phases: [{ until: { iterations: 500, plateau: { window: 50, tolerance: 1e-4 } } }, {}] });
  });

  it('says what is wrong with a hand-off that cannot run', () => {
    expect(() => experimentFromFlags('d.csv', flags({ optimizer: 'adam>lbfgs' }))).toThrow(/needs --switch-after N or --switch-on-plateau W:TOL/);
    expect(() => experimentFromFlags('d.csv', flags({ optimizer: 'adam>newton', switchAfter: 3 }))).toThrow(/unknown optimizer "newton"/);
    expect(() => experimentFromFlags('d.csv', flags({ optimizer: 'adam>lbfgs', switchOnPlateau: '50' }))).toThrow(/--switch-on-plateau must be WINDOW:TOLERANCE/);
    expect(() => experimentFromFlags('d.csv', flags({ optimizer: 'adam', switchAfter: 3 }))).toThrow(/apply to hand-off optimizers/);
  });
});
