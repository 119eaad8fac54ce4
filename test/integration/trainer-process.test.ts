/**
 * The trainer entry in a real Node child process, driven through TrainerHost exactly as browser
 * mode drives it (Electron differs only in the launcher).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TrainerHost } from '../../main/host/trainer-host';
import { nodeTrainerLauncher } from '../../main/host/node-launcher';
import type { TrainerLauncher } from '../../main/host/trainer-process';
import type { TrainerState } from '../../app/api/contract';
import type { ExperimentEvent } from '../../app/train/events';
import { longExperiment, seedExperiment, waitFor } from './helpers';

const env = { ...process.env, ...(process.env.SHELL_TEST_RUNNER ? { CURVATURE_TRAINER_RUNNER: process.env.SHELL_TEST_RUNNER } : {}) };

let host: TrainerHost | null = null;
afterEach(async () => {
  await host?.shutdown();
  host = null;
});

function makeHost(launch: TrainerLauncher = nodeTrainerLauncher({ env })) {
  const events: ExperimentEvent[] = [];
  const states: TrainerState[] = [];
  host = new TrainerHost({ launch, onEvent: (e) => events.push(e), onState: (s) => states.push(s), shutdownGraceMs: 3000 });
  return { host, events, states };
}

describe('trainer process (plain Node child)', () => {
  it('runs the seed experiment: run-started, iterations and run-finished arrive in order', async () => {
    const { host, events, states } = makeHost();
    const experiment = seedExperiment();
    host.startExperiment('seed-1', experiment);
    await waitFor(events, (e) => e.type === 'experiment-finished', 60_000);

    const first = events.find((e) => e.type !== 'progress')!; // start-up stages come first
    expect(first.type).toBe('experiment-started');
    const started = first.type === 'experiment-started' ? first.runs.map((r) => r.runId) : [];
    expect(started).toHaveLength(experiment.runs.length);
    for (const runId of started) {
      const mine = events.filter((e) => 'runId' in e && e.runId === runId);
      expect(mine[0].type).toBe('run-started');
      expect(mine.at(-1)!.type).toBe('run-finished');
      const iterations = mine.filter((e) => e.type === 'iteration').map((e) => (e.type === 'iteration' ? e.point.iteration : -1));
      expect(iterations.length).toBeGreaterThan(1);
      expect(iterations).toEqual(iterations.map((_, i) => i)); // 0, 1, 2, … with none missing
      expect(mine.slice(1, -1).every((e) => e.type === 'iteration')).toBe(true);
    }
    expect(events.at(-1)!.type).toBe('experiment-finished');
    expect(states).toContain('running');
    expect(host.state()).toBe('idle');
  });

  it('stops a long run mid-way with stopped-by-user within 1 s', async () => {
    const { host, events } = makeHost();
    host.startExperiment('long-1', longExperiment());
    await waitFor(events, (e) => e.type === 'iteration' && e.point.iteration >= 20, 60_000);
    const asked = performance.now();
    host.stopRun('long-1', 'long');
    const finished = await waitFor(events, (e) => e.type === 'run-finished', 5_000);
    const latency = performance.now() - asked;
    console.log(`stop latency ${latency.toFixed(0)} ms`);
    expect(latency).toBeLessThan(1000);
    expect(finished.type === 'run-finished' && finished.summary.status).toBe('stopped-by-user');
    expect(finished.type === 'run-finished' && finished.summary.iterations).toBeLessThan(1_000_000);
    await waitFor(events, (e) => e.type === 'experiment-finished', 5_000);
  });

  it('turns a killed trainer into an error event and starts a fresh one for the next experiment', async () => {
    const { host, events, states } = makeHost();
    host.startExperiment('doomed', longExperiment());
    await waitFor(events, (e) => e.type === 'iteration', 60_000);
    const pid = host.trainerPid('doomed')!;
    process.kill(pid, 'SIGKILL');
    const error = await waitFor(events, (e) => e.type === 'error', 5_000);
    expect(error.experimentId).toBe('doomed');
    expect(error.type === 'error' && error.message).toMatch(/trainer process stopped unexpectedly \(signal SIGKILL\)/);
    expect(host.state()).toBe('crashed');
    expect(states).toContain('crashed');
    expect(() => host.stopAll('doomed')).toThrow(/No trainer holds experiment doomed/);

    host.startExperiment('next', seedExperiment());
    await waitFor(events, (e) => e.type === 'experiment-finished' && e.experimentId === 'next', 60_000);
    expect(host.trainerPid('next')).not.toBe(pid);
  });

  it('puts the last stderr lines of a crashed trainer in the error detail', async () => {
    const { host, events } = makeHost(nodeTrainerLauncher({ env, entry: new URL('./fixtures/crashing-trainer.ts', import.meta.url).pathname }));
    host.startExperiment('crash', seedExperiment());
    const error = await waitFor(events, (e) => e.type === 'error', 30_000);
    expect(error.type === 'error' && error.message).toMatch(/exit code 3/);
    expect(error.type === 'error' && error.detail).toContain('out of memory in the fixture');
  });

  it('coalesces 5000 fast iterations into at most ~30 messages per second, keeping every point', async () => {
    const sentAt: number[] = [];
    const inner = nodeTrainerLauncher({ env });
    const counting: TrainerLauncher = () => {
      const proc = inner();
      proc.onMessage((m) => {
        if (m.type === 'events') sentAt.push(performance.now());
      });
      return proc;
    };
    const { host, events } = makeHost(counting);
    host.startExperiment('fast', longExperiment(5000));
    await waitFor(events, (e) => e.type === 'experiment-finished', 120_000);
    const batches = sentAt.length;
    // Messages are received, not sent, here: IPC delivery jitter can bunch two together.
    const seconds = (sentAt.at(-1)! - sentAt[0]) / 1000;
    const points = events.filter((e) => e.type === 'iteration');
    const finished = events.find((e) => e.type === 'run-finished');
    console.log(`5000 iterations: ${seconds.toFixed(2)} s, ${batches} messages, ${(batches / seconds).toFixed(1)} messages/s`);
    expect(points).toHaveLength(5001); // start record plus 5000 iterations
    expect(finished?.type === 'run-finished' && finished.summary.iterations).toBe(5000);
    expect(batches).toBeLessThanOrEqual(Math.ceil(seconds * 30.3) + 3);
  });
});
