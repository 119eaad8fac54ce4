/** The trainer's command handling, with an in-memory transport and engine (no process, no tfjs). */
import { describe, expect, it, vi } from 'vitest';
import type { ExperimentEvent } from '../../../app/train/events';
import type { ExperimentHandle, ExperimentOutcome, RunOptions } from '../../../app/train/runner';
import type { EngineBridge, ExportRequest } from '../../../main/trainer/engine-bridge';
import type { TrainerCommand, TrainerMessage } from '../../../main/trainer/protocol';
import { TrainerService } from '../../../main/trainer/service';
import { seedExperiment } from '../../integration/helpers';

function setup(options: { failStart?: boolean } = {}) {
  const sent: TrainerMessage[] = [];
  let deliver: (m: unknown) => void = () => {};
  let finish: (o: ExperimentOutcome) => void = () => {};
  let onEvent: RunOptions['onEvent'] = () => {};
  const handle: ExperimentHandle = {
    experimentId: 'e1',
    stopRun: vi.fn(),
    stopAll: vi.fn(),
    done: new Promise((r) => (finish = r)),
  };
  const exports: ExportRequest[] = [];
  const spectra: { runId: string; k: number; baseDir?: string }[] = [];
  const engine: EngineBridge = {
    runner: async () => (_experiment, opts) => {
      if (options.failStart) throw new Error('data.source: file not found');
      onEvent = opts.onEvent;
      return handle;
    },
    exportRun: async (req) => {
      exports.push(req);
      return { directory: req.directory, files: ['weights.json'] };
    },
    previewDataset: async () => {
      throw new Error('x.csv, row 3: bad');
    },
    checkData: async () => ({ ok: true, problems: [], notes: [] }),
    spectrum: async ({ run, k, baseDir }) => {
      spectra.push({ runId: run.summary.runId, k, baseDir });
      return { n: 5, largest: [2], smallest: [-1], method: 'dense', hessianVectorProducts: 5, kind: 'saddle', verdict: 'saddle: 1 negative direction (λ_min = -1)', negativeCount: 1, flatCount: 0, conditionNumber: null, tolerance: 1e-6 };
    },
    importModel: async () => {
      throw new Error('m.h5: refused');
    },
    engineReport: async () => ({ name: 'cpu', tfBackend: 'cpu', label: 'CPU', device: 'cpu', package: 'p', version: '1', skipped: [], selection: 'auto' }),
  };
  const exit = vi.fn();
  const service = new TrainerService(
    { send: (m) => sent.push(m), onMessage: (l) => (deliver = l), onDisconnect: () => {} },
    engine,
    exit,
  );
  service.listen();
  const command = async (c: TrainerCommand) => {
    deliver(c);
    await new Promise((r) => setTimeout(r, 0));
  };
  const events = () => sent.flatMap((m) => (m.type === 'events' ? m.events : []));
  const replies = () => sent.filter((m) => m.type === 'reply');
  return { sent, command, handle, finish, emit: (e: ExperimentEvent) => onEvent(e), exports, spectra, exit, events, replies };
}

const outcome: ExperimentOutcome = {
  experimentId: 'e1',
  backend: 'cpu',
  inputDim: 4,
  preprocessing: { featureColumns: [], inputNames: [], standardization: [], oneHot: [], target: 'y', task: 'regression', missing: { policy: 'error', droppedRows: 0, filledCells: 0 } },
  initialWeights: [],
  runs: [{ summary: { runId: 'lbfgs' } as never, layers: [{ name: 'dense', fanIn: 4, units: 1, activation: 'sigmoid', kernel: new Float32Array(4), bias: new Float32Array(1) }], history: [] }],
};

describe('TrainerService', () => {
  it('announces itself, forwards stops, and exports only finished runs with their weights', async () => {
    const t = setup();
    expect(t.sent[0]).toEqual({ type: 'ready', pid: process.pid });
    await t.command({ type: 'start', experimentId: 'e1', experiment: seedExperiment() });
    await t.command({ type: 'stop-run', runId: 'lbfgs' });
    expect(t.handle.stopRun).toHaveBeenCalledWith('lbfgs');

    await t.command({ type: 'export', requestId: 1, runId: 'lbfgs', formats: ['json'], directory: '/out/x', overwrite: false });
    expect(t.replies().at(-1)).toEqual({ type: 'reply', requestId: 1, ok: false, error: 'Nothing to export: the experiment has not finished.' });

    t.emit({ type: 'experiment-finished', experimentId: 'e1', summaries: [] });
    t.finish(outcome);
    await new Promise((r) => setTimeout(r, 0));
    expect(t.events().at(-1)?.type).toBe('experiment-finished');

    await t.command({ type: 'export', requestId: 2, runId: 'lbfgs', formats: ['json'], directory: '/out/x', overwrite: true });
    expect(t.replies().at(-1)).toEqual({ type: 'reply', requestId: 2, ok: true, result: { directory: '/out/x', files: ['weights.json'] } });
    expect(t.exports[0]).toMatchObject({ directory: '/out/x', overwrite: true, run: outcome.runs[0], outcome });
    await t.command({ type: 'export', requestId: 3, runId: 'adam', formats: ['json'], directory: '/out/y', overwrite: false });
    expect(t.replies().at(-1)).toMatchObject({ requestId: 3, ok: false, error: 'No finished run "adam" in experiment e1.' });
  });

  it('computes a finished run\'s spectrum on demand, with the experiment\'s base folder', async () => {
    const t = setup();
    await t.command({ type: 'start', experimentId: 'e1', experiment: seedExperiment(), baseDir: '/data' });
    await t.command({ type: 'spectrum', requestId: 7, runId: 'lbfgs', k: 3 });
    expect(t.replies().at(-1)).toEqual({ type: 'reply', requestId: 7, ok: false, error: 'No spectrum yet: the experiment has not finished.' });
    t.finish(outcome);
    await new Promise((r) => setTimeout(r, 0));
    await t.command({ type: 'spectrum', requestId: 8, runId: 'lbfgs', k: 3 });
    expect(t.replies().at(-1)).toMatchObject({ requestId: 8, ok: true, result: { verdict: 'saddle: 1 negative direction (λ_min = -1)' } });
    expect(t.spectra).toEqual([{ runId: 'lbfgs', k: 3, baseDir: '/data' }]);
    await t.command({ type: 'spectrum', requestId: 9, runId: 'adam', k: 3 });
    expect(t.replies().at(-1)).toMatchObject({ requestId: 9, ok: false, error: 'No finished run "adam" in experiment e1.' });
  });

  it('reports a runner that fails before starting as an error event', async () => {
    const t = setup({ failStart: true });
    await t.command({ type: 'start', experimentId: 'e9', experiment: seedExperiment() });
    expect(t.events()).toMatchObject([{ type: 'error', experimentId: 'e9', message: 'data.source: file not found' }]);
  });

  it('answers requests with the engine error message, and exits on shutdown', async () => {
    const t = setup();
    await t.command({ type: 'preview', requestId: 5, path: '/x.csv' });
    expect(t.replies().at(-1)).toEqual({ type: 'reply', requestId: 5, ok: false, error: 'x.csv, row 3: bad' });
    await t.command({ type: 'backend-report', requestId: 6 });
    expect(t.replies().at(-1)).toMatchObject({ requestId: 6, ok: true, result: { name: 'cpu' } });
    await t.command({ type: 'shutdown' });
    expect(t.exit).toHaveBeenCalledWith(0);
  });
});
