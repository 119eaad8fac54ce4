/**
 * Spectra along runs: at the start (shared by the runs of one start point), at a hand-off switch,
 * at the end, and a dense BFGS run's model B = H⁻¹ beside the truth; the policy's on/off rules.
 */
import { describe, expect, it } from 'vitest';
import { startExperiment } from '../../../app/train/runner';
import { EXAMPLES_DIR } from '../../../app/examples';
import { parseExperiment, type ExperimentInput } from '../../../app/schema/experiment';
import { spectrumOfWeights, spectrumPolicy } from '../../../app/train/curvature';

function spirals(extra: Partial<ExperimentInput>): ExperimentInput {
  return {
    name: 'spirals',
    data: { source: { kind: 'file', path: 'data/spirals.csv' }, target: 'species', split: { validation: 0 } },
    model: { layers: [{ units: 6, activation: 'tanh' }] },
    runs: [
      { optimizer: { kind: 'bfgs' }, stopping: { maxIterations: 30 } },
      { optimizer: { kind: 'sequence', phases: [{ optimizer: { kind: 'adam', learningRate: 0.05 }, until: { iterations: 10 } }, { optimizer: { kind: 'newton-cg' } }] }, stopping: { maxIterations: 25 } },
    ],
    ...extra,
  };
}

describe('spectra along runs', () => {
  it('initial (shared), at the switch, final, and BFGS model eigenvalues', async () => {
    const outcome = await startExperiment(parseExperiment(spirals({ spectrum: { k: 3, when: 'always' } })), { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;
    const [bfgs, sequence] = outcome.runs.map((r) => r.summary);
    expect(bfgs.spectrum?.initial).toBeDefined();
    expect(sequence.spectrum?.initial).toEqual(bfgs.spectrum?.initial);
    const initial = bfgs.spectrum!.initial!;
    expect(initial.method).toBe('dense');
    expect(initial.largest).toHaveLength(3);
    expect(initial.hessianVectorProducts).toBe(initial.n);
    expect(bfgs.spectrum!.switches).toEqual([]);
    expect(sequence.spectrum!.switches).toHaveLength(1);
    expect(sequence.spectrum!.switches[0]).toMatchObject({ phase: 1, iteration: 10 });
    // The final spectrum is taken where the run ends: its loss is the run's objective.
    expect(bfgs.spectrum!.final!.loss).toBeCloseTo(bfgs.objective, 5);
    const model = bfgs.spectrum!.final!.model!;
    expect(model.largest).toHaveLength(3);
    expect(model.largest[0]).toBeGreaterThanOrEqual(model.largest[2]);
    expect(model.smallest[0]).toBeGreaterThan(0); // BFGS keeps B positive definite
    expect(sequence.spectrum!.final!.model).toBeUndefined();
    expect(sequence.hessianVectorProducts).toBeGreaterThan(0);

    // On demand (the GUI's "compute now"): from the run's exported weights, the same spectrum.
    const experiment = parseExperiment(spirals({ spectrum: { k: 3, when: 'always' } }));
    const again = await spectrumOfWeights(experiment, EXAMPLES_DIR, outcome.runs[0].layers, 3);
    const final = bfgs.spectrum!.final!;
    expect(again.verdict.split(' ')[0]).toBe(final.verdict.split(' ')[0]);
    for (let i = 0; i < 3; i++) expect(Math.abs(again.largest[i] - final.largest[i])).toBeLessThan(1e-4 * Math.abs(final.largest[0]));
  });

  it("policy: auto is on for the dense size only; 'off' is off; 'always' uses Lanczos above the bound", () => {
    const e = (spectrum?: ExperimentInput['spectrum']) => parseExperiment(spirals(spectrum ? { spectrum } : {}));
    expect(spectrumPolicy(e(), 50)).toEqual({ k: 5, method: 'dense' });
    expect(spectrumPolicy(e(), 5000)).toBeNull();
    // auto also stays off when n products over the training rows would take long
    expect(spectrumPolicy(e(), 300, 100)).toEqual({ k: 5, method: 'dense' });
    expect(spectrumPolicy(e(), 300, 1_000_000)).toBeNull();
    expect(spectrumPolicy(e({ k: 5, when: 'always' }), 300, 1_000_000)).toEqual({ k: 5, method: 'dense' });
    expect(spectrumPolicy(e({ k: 4, when: 'always' }), 5000)).toEqual({ k: 4, method: 'lanczos' });
    expect(spectrumPolicy(e({ k: 4, when: 'off' }), 50)).toBeNull();
  });
});
