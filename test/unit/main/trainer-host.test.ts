/** TrainerHost bookkeeping with scripted fake processes: queueing, state, crashes, retirement. */
import { describe, expect, it } from 'vitest';
import type { TrainerState } from '../../../app/api/contract';
import type { ExperimentEvent } from '../../../app/train/events';
import { TrainerHost } from '../../../main/host/trainer-host';
import type { ExitInfo, TrainerProcess } from '../../../main/host/trainer-process';
import type { TrainerCommand, TrainerMessage } from '../../../main/trainer/protocol';
import { seedExperiment } from '../../integration/helpers';

class FakeTrainer implements TrainerProcess {
  static all: FakeTrainer[] = [];
  pid = 1000 + FakeTrainer.all.length;
  received: TrainerCommand[] = [];
  private message: (m: TrainerMessage) => void = () => {};
  private stderr: (c: string) => void = () => {};
  private exit: (i: ExitInfo) => void = () => {};
  constructor() {
    FakeTrainer.all.push(this);
  }
  send(c: TrainerCommand) {
    this.received.push(c);
    if (c.type === 'shutdown') setTimeout(() => this.exit({ code: 0, signal: null }), 0);
  }
  onMessage(l: (m: TrainerMessage) => void) {
    this.message = l;
  }
  onStderr(l: (c: string) => void) {
    this.stderr = l;
  }
  onExit(l: (i: ExitInfo) => void) {
    this.exit = l;
  }
  kill() {
    this.exit({ code: null, signal: 'SIGKILL' });
  }
  say(m: TrainerMessage) {
    this.message(m);
  }
  die(code: number, stderr = '') {
    this.stderr(stderr);
    this.exit({ code, signal: null });
  }
}

function host(keepFinished = 3) {
  FakeTrainer.all = [];
  const events: ExperimentEvent[] = [];
  const states: TrainerState[] = [];
  const h = new TrainerHost({ launch: () => new FakeTrainer(), onEvent: (e) => events.push(e), onState: (s) => states.push(s), keepFinished, shutdownGraceMs: 50 });
  return { h, events, states };
}

const finished = (id: string): TrainerMessage => ({ type: 'events', events: [{ type: 'experiment-finished', experimentId: id, summaries: [] }] });
const started = (id: string): TrainerMessage => ({
  type: 'events',
  events: [{ type: 'experiment-started', experimentId: id, name: 'x', task: 'binary', parameterCount: 5, backend: 'cpu', runs: [], notes: [] }],
});

describe('TrainerHost', () => {
  it('holds commands until the trainer says ready, and tracks starting → running → idle', () => {
    const { h, states } = host();
    h.startExperiment('a', seedExperiment());
    const t = FakeTrainer.all[0];
    expect(t.received).toEqual([]);
    expect(h.state()).toBe('starting');
    h.stopRun('a', 'lbfgs');
    t.say({ type: 'ready', pid: t.pid });
    expect(t.received.map((c) => c.type)).toEqual(['start', 'stop-run']);
    t.say(started('a'));
    expect(h.state()).toBe('running');
    t.say(finished('a'));
    expect(h.state()).toBe('idle');
    expect(states).toEqual(['starting', 'running', 'idle']);
    expect(() => h.startExperiment('a', seedExperiment())).toThrow(/already running/);
  });

  it('turns a crash into an error event with the stderr tail, rejects pending requests, and recovers', async () => {
    const { h, events } = host();
    h.startExperiment('a', seedExperiment());
    const t = FakeTrainer.all[0];
    t.say({ type: 'ready', pid: t.pid });
    t.say(started('a'));
    const preview = h.previewDataset('/data.csv'); // goes to the separate helper trainer
    const helper = FakeTrainer.all[1];
    helper.say({ type: 'ready', pid: helper.pid });
    helper.die(134, 'Aborted (core dumped)\n');
    await expect(preview).rejects.toThrow(/stopped \(exit code 134\) before answering\.\nAborted/);
    expect(events).toHaveLength(1); // the helper's death is not an experiment error

    t.die(9, Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n'));
    await new Promise((r) => setTimeout(r, 0)); // exits are handled asynchronously
    const error = events.at(-1)!;
    expect(error).toMatchObject({ type: 'error', experimentId: 'a', message: 'The trainer process stopped unexpectedly (exit code 9).' });
    expect(error.type === 'error' && error.detail!.split('\n')).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 10}`));
    expect(h.state()).toBe('crashed');
    h.startExperiment('b', seedExperiment());
    expect(FakeTrainer.all).toHaveLength(3);
    expect(h.state()).toBe('starting');
  });

  it('keeps only the newest finished trainers alive and shuts all down on quit', async () => {
    const { h, events } = host(1);
    for (const id of ['a', 'b', 'c']) {
      h.startExperiment(id, seedExperiment());
      const t = FakeTrainer.all.at(-1)!;
      t.say({ type: 'ready', pid: t.pid });
      t.say(finished(id));
    }
    await new Promise((r) => setTimeout(r, 10));
    // Starting c retired a (b was still the one kept); a's exit was expected, so no error event.
    expect(FakeTrainer.all[0].received.at(-1)?.type).toBe('shutdown');
    expect(() => h.stopAll('a')).toThrow(/No trainer holds experiment a/);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    await h.shutdown();
    expect(FakeTrainer.all.slice(1).every((t) => t.received.at(-1)?.type === 'shutdown')).toBe(true);
  });

  it('refuses to export before the experiment finished', async () => {
    const { h } = host();
    h.startExperiment('a', seedExperiment());
    await expect(h.exportRun('a', { runId: 'r', formats: ['json'], directory: '/x', overwrite: false })).rejects.toThrow(/Wait until the experiment has finished/);
  });
});

describe('TrainerHost helper (issue 18: files are opened there, never in the host)', () => {
  it('launches the helper in its role, gives up an unanswered request after the timeout, kills it and starts a fresh one', async () => {
    FakeTrainer.all = [];
    const roles: (string | undefined)[] = [];
    const h = new TrainerHost({
      launch: (role) => (roles.push(role), new FakeTrainer()),
      onEvent: () => {},
      helperTimeoutMs: 50,
      shutdownGraceMs: 50,
    });
    const first = h.importModel('/m/model.json');
    FakeTrainer.all[0].say({ type: 'ready', pid: 1 });
    expect(roles).toEqual(['helper']);
    expect(FakeTrainer.all[0].received).toEqual([{ type: 'import-model', path: '/m/model.json', layers: undefined, requestId: 1 }]);
    await expect(first).rejects.toThrow(/took longer than 0.05 s to open and was given up; the helper process was restarted/);
    expect(h.helperPid()).toBeUndefined();

    const second = h.importModel('/m/good.h5');
    expect(FakeTrainer.all).toHaveLength(2);
    FakeTrainer.all[1].say({ type: 'ready', pid: 2 });
    FakeTrainer.all[1].say({ type: 'reply', requestId: 2, ok: true, result: { fileName: 'good.h5', format: 'f', layers: [], inputDim: 1, notes: [] } });
    await expect(second).resolves.toMatchObject({ fileName: 'good.h5' });
    await h.shutdown();
  });
});
