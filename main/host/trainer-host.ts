/**
 * Owns the trainer processes: one per experiment (tensor work is synchronous and must never block
 * the host), plus one lazily started helper for previews and the backend report. Turns an
 * unexpected exit into an 'error' event carrying the last lines of the trainer's stderr, and starts
 * a fresh process for the next experiment.
 */
import type { SpectrumReport } from '../../app/optim/spectrumVerdict';
import type { ExportFormat, ExportResult, ModelImportInfo, TrainerState } from '../../app/api/contract';
import type { LayerSpec } from '../../app/model/spec';
import type { DatasetPreview } from '../../app/data/preview';
import type { DataCheck } from '../../app/data/check-result';
import type { DataSpec } from '../../app/data/spec';
import type { EngineReport } from '../../app/engine/types';
import type { ExperimentEvent } from '../../app/train/events';
import type { Experiment } from '../../app/schema/experiment';
import type { TrainerCommand, TrainerMessage, TrainerReplyPayload, TrainerRequestBody } from '../trainer/protocol';
import type { ExitInfo, TrainerLauncher, TrainerProcess } from './trainer-process';

const STDERR_TAIL_LINES = 20;

interface Pending {
  resolve: (value: TrainerReplyPayload) => void;
  reject: (error: Error) => void;
}

class TrainerSlot {
  ready = false;
  exited = false;
  expectedExit = false;
  /** Experiment slot only: true once experiment-finished (or a fatal error) arrived. */
  finished = false;
  startedEvents = false;
  private queue: TrainerCommand[] = [];
  private stderr = '';
  readonly pending = new Map<number, Pending>();
  readonly exitPromise: Promise<ExitInfo>;

  constructor(
    readonly proc: TrainerProcess,
    readonly experimentId: string | null,
  ) {
    this.exitPromise = new Promise((resolve) => proc.onExit(resolve));
    proc.onStderr((chunk) => {
      this.stderr = (this.stderr + chunk).slice(-16_384);
    });
  }

  send(command: TrainerCommand): void {
    if (this.exited) return;
    if (this.ready) this.proc.send(command);
    else this.queue.push(command);
  }

  markReady(): void {
    this.ready = true;
    for (const c of this.queue.splice(0)) this.proc.send(c);
  }

  stderrTail(): string {
    return this.stderr.split(/\r?\n/).filter((l) => l.trim() !== '').slice(-STDERR_TAIL_LINES).join('\n');
  }
}

export interface TrainerHostOptions {
  launch: TrainerLauncher;
  onEvent: (event: ExperimentEvent) => void;
  onState?: (state: TrainerState) => void;
  /** Finished experiments whose trainer (and weights, for export) stay alive. */
  keepFinished?: number;
  /** How long shutdown waits for a trainer to exit on its own before killing it. */
  shutdownGraceMs?: number;
  /** A model import unanswered by then ends the helper (default 120 s); the next request starts a fresh one. */
  helperTimeoutMs?: number;
}

export class TrainerHost {
  private readonly experiments = new Map<string, TrainerSlot>();
  private helper: TrainerSlot | null = null;
  private nextRequestId = 1;
  private lastState: TrainerState = 'idle';
  private crashed = false;

  constructor(private readonly options: TrainerHostOptions) {}

  startExperiment(experimentId: string, experiment: Experiment, baseDir?: string): void {
    if (this.experiments.has(experimentId)) throw new Error(`Experiment ${experimentId} is already running.`);
    const slot = this.spawn(experimentId);
    this.experiments.set(experimentId, slot);
    this.crashed = false;
    slot.send({ type: 'start', experimentId, experiment, baseDir });
    this.updateState();
    this.retireOldFinished();
  }

  stopRun(experimentId: string, runId: string): void {
    this.slotFor(experimentId).send({ type: 'stop-run', runId });
  }

  stopAll(experimentId: string): void {
    this.slotFor(experimentId).send({ type: 'stop-all' });
  }

  computeSpectrum(experimentId: string, runId: string, k: number): Promise<SpectrumReport> {
    const slot = this.slotFor(experimentId);
    if (!slot.finished) return Promise.reject(new Error('Wait until the experiment has finished to compute a spectrum on demand.'));
    return this.request(slot, { type: 'spectrum', runId, k }) as Promise<SpectrumReport>;
  }

  exportRun(
    experimentId: string,
    request: { runId: string; formats: ExportFormat[]; directory: string; overwrite: boolean },
  ): Promise<ExportResult> {
    const slot = this.slotFor(experimentId);
    if (!slot.finished) return Promise.reject(new Error('Wait until the experiment has finished before exporting.'));
    return this.request(slot, { type: 'export', ...request }) as Promise<ExportResult>;
  }

  previewDataset(path: string): Promise<DatasetPreview> {
    return this.request(this.helperSlot(), { type: 'preview', path }) as Promise<DatasetPreview>;
  }

  checkData(data: DataSpec): Promise<DataCheck> {
    return this.request(this.helperSlot(), { type: 'check-data', data }) as Promise<DataCheck>;
  }

  /** Opens a model file in the helper process (never here): its layers for the editor, or the refusal. */
  importModel(path: string, layers?: LayerSpec[]): Promise<ModelImportInfo> {
    return this.request(this.helperSlot(), { type: 'import-model', path, layers }) as Promise<ModelImportInfo>;
  }

  /** Pid of the helper process, when one is running (tests measure its memory). */
  helperPid(): number | undefined {
    return this.helper && !this.helper.exited ? this.helper.proc.pid : undefined;
  }

  engineReport(): Promise<EngineReport> {
    return this.request(this.helperSlot(), { type: 'backend-report' }) as Promise<EngineReport>;
  }

  state(): TrainerState {
    const slots = [...this.experiments.values()].filter((s) => !s.finished && !s.exited);
    if (slots.some((s) => s.startedEvents)) return 'running';
    if (slots.length > 0) return 'starting';
    return this.crashed ? 'crashed' : 'idle';
  }

  /** Pids of live experiment trainers, for diagnostics and tests. */
  trainerPid(experimentId: string): number | undefined {
    return this.experiments.get(experimentId)?.proc.pid;
  }

  /** Asks every trainer to stop and exit; kills those that do not within the grace period. */
  async shutdown(): Promise<void> {
    const slots = [...this.experiments.values(), ...(this.helper ? [this.helper] : [])];
    await Promise.all(slots.map((s) => this.retire(s)));
    this.experiments.clear();
    this.helper = null;
  }

  private async retire(slot: TrainerSlot): Promise<void> {
    if (slot.exited) return;
    slot.expectedExit = true;
    slot.send({ type: 'shutdown' });
    const grace = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), this.options.shutdownGraceMs ?? 2000).unref?.());
    if ((await Promise.race([slot.exitPromise, grace])) === 'timeout') slot.proc.kill();
    await slot.exitPromise;
  }

  private retireOldFinished(): void {
    const keep = this.options.keepFinished ?? 3;
    const finished = [...this.experiments.entries()].filter(([, s]) => s.finished);
    for (const [id, slot] of finished.slice(0, Math.max(0, finished.length - keep))) {
      this.experiments.delete(id);
      void this.retire(slot);
    }
  }

  private slotFor(experimentId: string): TrainerSlot {
    const slot = this.experiments.get(experimentId);
    if (!slot || slot.exited) throw new Error(`No trainer holds experiment ${experimentId}; start it again.`);
    return slot;
  }

  private helperSlot(): TrainerSlot {
    if (!this.helper || this.helper.exited) this.helper = this.spawn(null, 'helper');
    return this.helper;
  }

  private request(slot: TrainerSlot, body: TrainerRequestBody): Promise<TrainerReplyPayload> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      // Model imports are bounded by their budgets, so one that hangs is hostile; data checks of large files may legitimately take long.
      if (slot === this.helper && body.type === 'import-model') {
        const ms = this.options.helperTimeoutMs ?? 120_000;
        timer = setTimeout(() => {
          slot.pending.delete(requestId);
          reject(new Error(`The file took longer than ${ms / 1000} s to open and was given up; the helper process was restarted.`));
          slot.proc.kill();
        }, ms);
        timer.unref?.();
      }
      const done = () => timer && clearTimeout(timer);
      slot.pending.set(requestId, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
      });
      slot.send({ ...body, requestId } as TrainerCommand);
    });
  }

  private spawn(experimentId: string | null, role: 'experiment' | 'helper' = 'experiment'): TrainerSlot {
    const slot = new TrainerSlot(this.options.launch(role), experimentId);
    slot.proc.onMessage((m) => this.onMessage(slot, m));
    void slot.exitPromise.then((info) => this.onExit(slot, info));
    return slot;
  }

  private onMessage(slot: TrainerSlot, message: TrainerMessage): void {
    switch (message.type) {
      case 'ready':
        slot.markReady();
        return;
      case 'events':
        for (const event of message.events) {
          slot.startedEvents = true;
          if (event.type === 'experiment-finished' || (event.type === 'error' && !event.runId)) slot.finished = true;
          this.options.onEvent(event);
        }
        this.updateState();
        return;
      case 'reply': {
        const p = slot.pending.get(message.requestId);
        slot.pending.delete(message.requestId);
        if (message.ok) p?.resolve(message.result);
        else p?.reject(new Error(message.error));
        return;
      }
    }
  }

  private onExit(slot: TrainerSlot, info: ExitInfo): void {
    slot.exited = true;
    const how = info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
    const tail = slot.stderrTail();
    for (const p of slot.pending.values()) {
      p.reject(new Error(`The trainer process stopped (${how}) before answering.${tail ? '\n' + tail : ''}`));
    }
    slot.pending.clear();
    if (slot === this.helper) this.helper = null;
    if (slot.experimentId !== null && this.experiments.get(slot.experimentId) === slot) {
      if (!slot.expectedExit && !slot.finished) {
        this.crashed = true;
        this.options.onEvent({
          type: 'error',
          experimentId: slot.experimentId,
          message: `The trainer process stopped unexpectedly (${how}).`,
          detail: tail || undefined,
        });
      }
      this.experiments.delete(slot.experimentId);
    }
    this.updateState();
  }

  private updateState(): void {
    const state = this.state();
    if (state !== this.lastState) {
      this.lastState = state;
      this.options.onState?.(state);
    }
  }
}
