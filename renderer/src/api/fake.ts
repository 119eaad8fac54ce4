/**
 * An in-memory CurvatureApi for design work and component tests: parses small CSV uploads, fakes
 * training curves on timers. It never touches the file system; export paths are invented.
 */
import type { DataCheck } from '../../../app/ui';
import type { CurvatureApi, ExampleInfo, ExportFormat, ExportResult, FileHandle, ModelImportInfo, TrainerState } from '../../../app/ui';
import type { EngineReport } from '../../../app/ui';
import type { ColumnInfo, DatasetPreview } from '../../../app/ui';
import type { Experiment } from '../../../app/ui';
import { experimentSchema } from '../../../app/ui';
import type { ExperimentEvent, RunSummary } from '../../../app/ui';
import { isQuasiNewton, optimizerLabel } from '../../../app/ui';
import { repeatRunId } from '../../../app/ui';
import { spectrumVerdict, type SpectrumReport } from '../../../app/ui';

interface FakeRun {
  runId: string;
  summary?: RunSummary;
  stop: boolean;
}

function parseCsv(text: string, file: string): { columns: string[]; rows: string[][] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`${file}: no data rows`);
  const columns = lines[0].split(',').map((c) => c.trim());
  const rows = lines.slice(1).map((l, i) => {
    const cells = l.split(',').map((c) => c.trim());
    if (cells.length !== columns.length) {
      throw new Error(`${file}, row ${i + 2}: expected ${columns.length} fields, found ${cells.length}`);
    }
    return cells;
  });
  return { columns, rows };
}

function describe(name: string, values: string[]): ColumnInfo {
  const present = values.filter((v) => v !== '');
  const nums = present.map(Number);
  const distinct = new Set(present).size;
  if (nums.every((n) => Number.isFinite(n))) {
    const mean = nums.reduce((a, b) => a + b, 0) / Math.max(1, nums.length);
    const std = Math.sqrt(nums.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, nums.length));
    return { name, kind: 'numeric', missing: values.length - present.length, distinct, min: Math.min(...nums), max: Math.max(...nums), mean, std };
  }
  const counts = new Map<string, number>();
  for (const v of present) counts.set(v, (counts.get(v) ?? 0) + 1);
  const topValues = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([value, count]) => ({ value, count }));
  return { name, kind: 'categorical', missing: values.length - present.length, distinct, topValues };
}

const IRIS_LIKE = (() => {
  const rows: string[] = ['sepal_length,sepal_width,petal_length,petal_width,species'];
  const species = ['setosa', 'versicolor', 'virginica'];
  for (let i = 0; i < 150; i++) {
    const k = i % 3;
    const j = (i * 7919) % 97;
    rows.push([4.8 + k * 0.9 + (j % 10) / 20, 3.4 - k * 0.3 + (j % 7) / 30, 1.4 + k * 2.1 + (j % 9) / 15, 0.2 + k * 0.8 + (j % 5) / 25, species[k]].map(String).join(','));
  }
  return rows.join('\n');
})();

export class FakeApi implements CurvatureApi {
  readonly transport = 'websocket' as const;
  private files = new Map<string, { name: string; text: string }>();
  private listeners = new Set<(e: ExperimentEvent) => void>();
  private stateListeners = new Set<(s: TrainerState) => void>();
  private experiments = new Map<string, FakeRun[]>();
  private saved: Experiment | null = null;
  private nextId = 1;
  /** Simulated iterations per run; large values exercise the charts. */
  constructor(
    private readonly iterationsPerRun = 400,
    private readonly tickMs = 16,
    /** Iterations emitted per tick per run; large values stress the charts. */
    private readonly batch = 1,
  ) {
    this.files.set('example-iris', { name: 'iris.csv', text: IRIS_LIKE });
  }

  async getEngineReport(): Promise<EngineReport> {
    return {
      name: 'wasm', tfBackend: 'wasm', label: 'WebAssembly (CPU) — GPU backend not installed', device: 'CPU, 2 threads, SIMD',
      package: '@tensorflow/tfjs-backend-wasm', version: '4.22.0', selection: 'auto',
      skipped: [
        { name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed' },
        { name: 'tensorflow', reason: '@tensorflow/tfjs-node is not installed' },
      ],
    };
  }
  async getTrainerState(): Promise<TrainerState> { return 'idle'; }
  async chooseDataset(): Promise<FileHandle | null> { return null; }
  async chooseModel(): Promise<FileHandle | null> { return null; }
  async importModel(file: string): Promise<ModelImportInfo> {
    throw new Error(`${this.files.get(file)?.name ?? file}: model import needs the real host (npm start)`);
  }
  async uploadFileSet(files: { name: string; base64: string }[]): Promise<FileHandle> {
    return this.uploadFile(files[0].name, files[0].base64);
  }
  async uploadFile(name: string, base64: string): Promise<FileHandle> {
    const text = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const token = `upload-${this.nextId++}`;
    this.files.set(token, { name, text });
    return { token, name, bytes: text.length };
  }
  async previewDataset(file: string): Promise<DatasetPreview> {
    const f = this.files.get(file);
    if (!f) throw new Error(`unknown file handle ${file}`);
    const { columns, rows } = parseCsv(f.text, f.name);
    const infos = columns.map((c, i) => describe(c, rows.map((r) => r[i])));
    const target = infos[infos.length - 1];
    const inferredTask = target.kind === 'categorical' ? (target.distinct === 2 ? 'binary' : 'multiclass') : target.distinct === 2 ? 'binary' : 'regression';
    return { file: f.name, format: 'csv', rowCount: rows.length, columns: infos, head: rows.slice(0, 20), suggestedTarget: target.name, inferredTask };
  }
  async saveResultFile(name: string): Promise<{ fileName: string } | null> {
    return { fileName: name };
  }
  /** The fake accepts every setting: the real check runs in the trainer (covered by e2e tests). */
  async checkData(): Promise<DataCheck> {
    return { ok: true, problems: [], notes: [] };
  }
  async listExamples(): Promise<ExampleInfo[]> {
    return [{ name: 'iris', title: 'Iris flowers', description: '150 flowers, 4 measurements, 3 species (multiclass).' }];
  }
  async openExample(name: string): Promise<{ experiment: Experiment; dataFile?: FileHandle }> {
    if (name !== 'iris') throw new Error(`no example named ${name}`);
    const experiment = experimentSchema.parse({
      name: 'Iris: L-BFGS vs Adam',
      data: { source: { kind: 'file', path: 'iris.csv' }, target: 'species' },
      model: { layers: [{ units: 16, activation: 'tanh' }, { units: 3, activation: 'softmax' }] },
      runs: [{ id: 'lbfgs', optimizer: { kind: 'lbfgs' } }, { id: 'adam', optimizer: { kind: 'adam', learningRate: 0.01 } }],
    });
    return { experiment, dataFile: { token: 'example-iris', name: 'iris.csv', bytes: IRIS_LIKE.length } };
  }
  async openExperiment() {
    return this.saved ? { experiment: structuredClone(this.saved), fileName: 'experiment.json' } : null;
  }
  async saveExperiment(experiment: Experiment): Promise<{ fileName: string } | null> {
    this.saved = structuredClone(experiment);
    return { fileName: 'experiment.json' };
  }
  async startExperiment(experiment: Experiment): Promise<{ experimentId: string }> {
    const experimentId = `exp-${this.nextId++}`;
    // Every spec from each start (repeat-major, as the runner); a sequence switches at its first `until`.
    const plan = Array.from({ length: experiment.repeats ?? 1 }, (_, repeat) =>
      experiment.runs.map((r, index) => ({ r, index, repeat, runId: repeatRunId(r.id ?? `${r.optimizer.kind}-${index}`, repeat) })),
    ).flat();
    const runs = plan.map((p) => ({ runId: p.runId, stop: false }));
    this.experiments.set(experimentId, runs);
    this.setState('running');
    const infos = plan.map((p) => ({ runId: p.runId, optimizer: p.r.optimizer.kind, label: p.r.label ?? optimizerLabel(p.r.optimizer) }));
    setTimeout(() => {
      this.emit({ type: 'experiment-started', experimentId, name: experiment.name, task: 'multiclass', parameterCount: 123, backend: 'wasm', runs: infos, notes: [] });
      plan.forEach((p, i) => {
        const o = p.r.optimizer;
        const switchAt = o.kind === 'sequence' ? (o.phases[0].until?.iterations ?? 50) : undefined;
        this.simulate(experimentId, runs[i], infos[i], p.r.stopping.maxIterations, p.index, p.repeat, switchAt);
      });
    }, 10);
    return { experimentId };
  }
  private simulate(experimentId: string, run: FakeRun, info: { runId: string; optimizer: RunSummary['optimizer']; label: string }, maxIter: number, index: number, repeat = 0, switchAt?: number) {
    this.emit({ type: 'run-started', experimentId, ...info });
    let qn = isQuasiNewton(info.optimizer);
    const total = Math.min(maxIter, qn ? Math.round(this.iterationsPerRun / 2) : this.iterationsPerRun);
    // Starts differ: each repeat converges a little faster or slower.
    const spread = 1 + 0.25 * (((repeat * 3) % 5) - 2) / 2;
    let rate = (qn ? 0.03 : 0.008 + index * 0.002) * spread;
    let it = 0, fe = 0, t = 0;
    const timer = setInterval(() => {
      for (let b = 0; b < this.batch && !run.summary; b++) tick();
    }, this.tickMs);
    let offset = 0;
    const tick = () => {
      if (switchAt !== undefined && it === switchAt + 1) {
        // Hand-off: the quasi-Newton phase continues from the same loss, faster.
        const faster = 0.03 * spread;
        offset = it - (rate * it) / faster;
        rate = faster;
        qn = true;
      }
      const f = 0.05 + Math.exp(-rate * (it - offset)) * (1 + 0.05 * Math.sin(it / 3));
      fe += qn ? 1 + (it % 3 === 0 ? 1 : 0) : 1;
      t += qn ? 4 : 1.5;
      this.emit({
        type: 'iteration', experimentId, runId: run.runId,
        point: {
          iteration: it, f, trainLoss: f, validationLoss: f * 1.1 + 0.01, validationAccuracy: 1 - f / 2, gradInfNorm: f / 3, gradNorm2: f / 2,
          step: it === 0 ? 0 : qn ? 1 : 0.01, stepNorm: 0.1 * f, lineSearchEvaluations: 1, curvature: null, pairSkipped: false, memoryReset: false,
          functionEvaluations: fe, gradientEvaluations: fe, elapsedMs: t,
          ...(switchAt !== undefined && { phase: it > switchAt ? 1 : 0 }),
        },
      });
      it++;
      if (run.stop || it > total) {
        clearInterval(timer);
        const stopped = run.stop;
        run.summary = {
          runId: run.runId, optimizer: info.optimizer, label: info.label,
          status: stopped ? 'stopped-by-user' : qn ? 'function-tolerance' : 'max-iterations',
          success: !stopped && qn,
          message: stopped ? 'Stopped by the user.' : qn ? 'Optimization terminated successfully.' : 'Maximum number of iterations has been exceeded.',
          iterations: it - 1, functionEvaluations: fe, gradientEvaluations: fe, trainLoss: f, objective: f,
          metrics: { validationLoss: f * 1.1 + 0.01, validationAccuracy: 1 - f / 2 }, seconds: t / 1000,
        };
        this.emit({ type: 'run-finished', experimentId, runId: run.runId, summary: run.summary });
        const all = this.experiments.get(experimentId) ?? [];
        if (all.every((r) => r.summary)) {
          this.emit({ type: 'experiment-finished', experimentId, summaries: all.map((r) => r.summary as RunSummary) });
          this.setState('idle');
        }
      }
    };
  }
  async stopRun(experimentId: string, runId: string): Promise<void> {
    const run = this.experiments.get(experimentId)?.find((r) => r.runId === runId);
    if (run) run.stop = true;
  }
  async stopAll(experimentId: string): Promise<void> {
    for (const r of this.experiments.get(experimentId) ?? []) r.stop = true;
  }
  async computeSpectrum(experimentId: string, runId: string, k = 5): Promise<SpectrumReport> {
    if (!this.experiments.get(experimentId)?.some((r) => r.runId === runId && r.summary)) throw new Error(`run ${runId} has not finished`);
    const largest = Array.from({ length: k }, (_, i) => 2 ** -i);
    const smallest = Array.from({ length: k }, (_, i) => (i === 0 ? -1e-3 : 1e-4 * i));
    return { n: 10, largest, smallest, method: 'dense', hessianVectorProducts: 10, ...spectrumVerdict([...smallest, ...largest]) };
  }
  async exportRun(experimentId: string, runId: string, formats: ExportFormat[]): Promise<ExportResult | null> {
    if (!this.experiments.get(experimentId)?.some((r) => r.runId === runId && r.summary)) throw new Error(`run ${runId} has not finished`);
    const directory = `/tmp/curvature-export/${runId}`;
    return { directory, files: formats.map((f) => `${directory}/${runId}.${f === 'tfjs' ? 'model.json' : f}`) };
  }
  onEvent(listener: (event: ExperimentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onTrainerState(listener: (state: TrainerState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
  private emit(e: ExperimentEvent) { for (const l of this.listeners) l(e); }
  private setState(s: TrainerState) { for (const l of this.stateListeners) l(s); }
}
