/**
 * What a trainer process does with host commands: runs one experiment at a time through the engine,
 * streams its events through the coalescer, keeps finished runs' weights for export, and answers
 * one-off requests (dataset preview, backend report).
 */
import type { ExperimentEvent } from '../../app/train/events';
import type { ExperimentHandle, ExperimentOutcome } from '../../app/train/runner';
import type { Experiment } from '../../app/schema/experiment';
import { EventCoalescer, realClock, type Clock } from './coalescer';
import type { EngineBridge } from './engine-bridge';
import type { TrainerCommand, TrainerReplyPayload, TrainerRequest } from './protocol';
import type { TrainerTransport } from './transport';

export class TrainerService {
  private handle: ExperimentHandle | null = null;
  private experiment: Experiment | null = null;
  private baseDir: string | undefined;
  private outcome: ExperimentOutcome | null = null;
  private readonly coalescer: EventCoalescer;

  constructor(
    private readonly transport: TrainerTransport,
    private readonly engine: EngineBridge,
    private readonly exit: (code: number) => void,
    clock: Clock = realClock,
  ) {
    this.coalescer = new EventCoalescer((events) => transport.send({ type: 'events', events }), undefined, clock);
  }

  listen(): void {
    this.transport.onMessage((m) => void this.handleCommand(m as TrainerCommand));
    this.transport.onDisconnect(() => this.shutdown());
    this.transport.send({ type: 'ready', pid: process.pid });
  }

  async handleCommand(command: TrainerCommand): Promise<void> {
    switch (command?.type) {
      case 'start':
        return this.start(command.experiment, command.experimentId, command.baseDir);
      case 'stop-run':
        this.handle?.stopRun(command.runId);
        return;
      case 'stop-all':
        this.handle?.stopAll();
        return;
      case 'export':
      case 'spectrum':
      case 'preview':
      case 'check-data':
      case 'backend-report':
      case 'import-model':
        return this.answer(command);
      case 'shutdown':
        return this.shutdown();
      default:
        process.stderr.write(`trainer: ignoring unknown command ${JSON.stringify(command)?.slice(0, 200)}\n`);
    }
  }

  private emit = (event: ExperimentEvent) => this.coalescer.push(event);

  private async start(experiment: Experiment, experimentId: string, baseDir?: string): Promise<void> {
    if (this.handle) {
      this.emit({ type: 'error', experimentId, message: 'This trainer is already running an experiment.' });
      return;
    }
    try {
      const startExperiment = await this.engine.runner();
      this.experiment = experiment;
      this.baseDir = baseDir;
      this.handle = startExperiment(experiment, { onEvent: this.emit, baseDir, experimentId });
      this.outcome = await this.handle.done;
    } catch (err) {
      // The runner emits its own 'error' event before rejecting; this covers failures before it ran.
      if (!this.handle) this.emit({ type: 'error', experimentId, message: errorMessage(err), detail: errorDetail(err) });
    } finally {
      this.coalescer.flush();
    }
  }

  private async answer(request: TrainerRequest): Promise<void> {
    try {
      const result = await this.compute(request);
      this.transport.send({ type: 'reply', requestId: request.requestId, ok: true, result });
    } catch (err) {
      this.transport.send({ type: 'reply', requestId: request.requestId, ok: false, error: errorMessage(err) });
    }
  }

  private async compute(request: TrainerRequest): Promise<TrainerReplyPayload> {
    const engine = this.engine;
    switch (request.type) {
      case 'preview':
        return engine.previewDataset(request.path);
      case 'check-data':
        return engine.checkData(request.data);
      case 'backend-report':
        return engine.engineReport();
      case 'spectrum': {
        const outcome = this.outcome;
        if (!outcome || !this.experiment) throw new Error('No spectrum yet: the experiment has not finished.');
        const run = outcome.runs.find((r) => r.summary.runId === request.runId);
        if (!run) throw new Error(`No finished run "${request.runId}" in experiment ${outcome.experimentId}.`);
        return engine.spectrum({ experiment: this.experiment, baseDir: this.baseDir, run, k: request.k });
      }
      case 'import-model':
        return engine.importModel(request.path, request.layers);
      case 'export': {
        const outcome = this.outcome;
        if (!outcome || !this.experiment) throw new Error('Nothing to export: the experiment has not finished.');
        const run = outcome.runs.find((r) => r.summary.runId === request.runId);
        if (!run) throw new Error(`No finished run "${request.runId}" in experiment ${outcome.experimentId}.`);
        return engine.exportRun({
          experiment: this.experiment,
          outcome,
          run,
          formats: request.formats,
          directory: request.directory,
          overwrite: request.overwrite,
          baseDir: this.baseDir,
        });
      }
    }
  }

  private shutdown(): void {
    this.handle?.stopAll();
    this.coalescer.flush();
    this.exit(0);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorDetail(err: unknown): string | undefined {
  return err instanceof Error ? err.stack : undefined;
}
