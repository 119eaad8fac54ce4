/**
 * Choosing a compute device by measurement. Each candidate that passed its self-test (selfTest.ts)
 * computes a few value-and-gradient evaluations of the run's own model, bounded to about a second,
 * and the fastest computes the run: a GPU wins on wide layers and many rows and loses on small
 * models, where launching kernels and copying θ, the data and ∇θ costs more than the arithmetic,
 * so no fixed order is right for every model.
 */
import type { CompileHint, ComputeEngine, DenseStack, EngineDataset, Precision, StackProgram } from './engine';
import type { DeviceReport } from './types';
import { DeviceRefusal, ONNX_DEVICES, type OnnxDevice } from './onnx/devices';
import { createOnnxEngine, onnxDeviceUnavailableReason } from './onnx';
import { selfTestEngine } from './selfTest';
import { seededRandom } from '../util/random';

/** Wall time the timing probe may spend on one device (after its first, compiling evaluation). */
export const PROBE_BUDGET_MS = 1000;
/** Evaluations the probe times per device at most (and at least one). */
export const PROBE_EVALUATIONS = 5;
/**
 * Rows of the synthetic batch the probe times with: the training data's row count when the caller
 * hints it, at most PROBE_MAX_ROWS so that a first evaluation on a slow device stays short.
 */
export const PROBE_ROWS = 2048;
export const PROBE_MAX_ROWS = 10_000;

export interface Clock {
  now(): number;
}
const wallClock: Clock = { now: () => performance.now() };

/** Median ms per evaluation of `program` on `data`: one untimed warm-up, then up to `evaluations` within `budgetMs`. */
export function timeEvaluations(
  program: StackProgram,
  theta: Float64Array,
  data: EngineDataset,
  options: { budgetMs?: number; evaluations?: number; clock?: Clock } = {},
): number {
  const clock = options.clock ?? wallClock;
  const budget = options.budgetMs ?? PROBE_BUDGET_MS;
  const most = options.evaluations ?? PROBE_EVALUATIONS;
  const grad = new Float64Array(theta.length);
  program.valueAndGradient(theta, data, grad); // sessions, shaders and kernels compile here
  const times: number[] = [];
  const start = clock.now();
  while (times.length < most && (times.length === 0 || clock.now() - start < budget)) {
    const t = clock.now();
    program.valueAndGradient(theta, data, grad);
    times.push(clock.now() - t);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
}

/**
 * Marks the fastest timed candidate chosen (ties go to the earlier one, which callers order
 * GPU-last so a tie keeps the CPU) and says why on each; returns its index or -1.
 */
export function pickFastest(reports: DeviceReport[]): number {
  let best = -1;
  reports.forEach((r, i) => {
    if (r.status !== 'passed' || r.msPerEval === undefined || !Number.isFinite(r.msPerEval)) return;
    if (best < 0 || r.msPerEval < reports[best].msPerEval!) best = i;
  });
  if (best < 0) return -1;
  const winner = reports[best];
  winner.status = 'chosen';
  winner.reason = 'fastest on this model';
  for (const r of reports) {
    if (r !== winner && r.status === 'passed' && r.msPerEval !== undefined) {
      r.reason = `${(r.msPerEval / winner.msPerEval!).toFixed(1)}× the time of ${winner.name}`;
    }
  }
  return best;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`;
}

/** Synthetic rows and θ in the model's shapes: what the probe times. */
export function probeProblem(stack: DenseStack, rows = PROBE_ROWS): { x: Float32Array; y: Float32Array; theta: Float64Array; rows: number } {
  const rand = seededRandom(11);
  const outUnits = stack.layers[stack.layers.length - 1].units;
  const x = Float32Array.from({ length: rows * stack.inputDim }, () => rand() * 2 - 1);
  const y = new Float32Array(rows * outUnits);
  for (let r = 0; r < rows; r++) y[r * outUnits + (r % outUnits)] = 1;
  const theta = new Float64Array(stack.parameterCount);
  for (const l of stack.layers) {
    const limit = Math.sqrt(6 / (l.fanIn + l.units));
    for (let k = 0; k < l.fanIn * l.units; k++) theta[l.kernelOffset + k] = (rand() * 2 - 1) * limit;
  }
  return { x, y, theta, rows };
}

export interface Candidate {
  report: DeviceReport;
  engine: ComputeEngine;
}

/** Times every candidate on `stack` and marks the fastest chosen; a candidate that fails is refused with its reason. */
export function raceCandidates(candidates: Candidate[], stack: DenseStack, options: { rows?: number; budgetMs?: number; clock?: Clock } = {}): number {
  const p = probeProblem(stack, options.rows);
  for (const c of candidates) {
    let program: StackProgram | undefined;
    try {
      program = c.engine.compile(stack, 'float32');
      const data = program.upload(p.x, p.y, p.rows);
      c.report.msPerEval = timeEvaluations(program, p.theta, data, { budgetMs: options.budgetMs, clock: options.clock });
    } catch (e) {
      c.report.status = e instanceof DeviceRefusal && e.kind === 'unavailable' ? 'unavailable' : 'refused';
      c.report.reason = e instanceof DeviceRefusal ? e.reason : `failed on this model: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
    } finally {
      program?.dispose();
    }
  }
  return pickFastest(candidates.map((c) => c.report));
}

/**
 * An engine that, per model, races `candidates` (which passed their self-tests) and compiles on the
 * fastest. float64 programs go to `cpu` (GPU providers compute float32), which its report says.
 * The reports are the EngineReport's device entries, updated in place as models are timed.
 */
export function measuredEngine(candidates: Candidate[], cpu: Candidate, options: { rows?: number; budgetMs?: number; clock?: Clock } = {}): ComputeEngine {
  const chosen = new Map<string, Candidate>();
  const all = [cpu, ...candidates];
  return {
    name: cpu.engine.name,
    label: `${cpu.engine.label}, or the fastest of ${candidates.map((c) => c.report.name).join(', ')} per model`,
    ...(cpu.engine.threads !== undefined ? { threads: cpu.engine.threads } : {}),
    device: 'auto',
    precisions: cpu.engine.precisions,
    compile(stack: DenseStack, precision: Precision = 'float32', hint?: CompileHint): StackProgram {
      if (precision !== 'float32') {
        cpu.report.reason = `${cpu.report.reason ? `${cpu.report.reason}; ` : ''}${precision} runs stay on the CPU (GPU devices compute float32)`;
        return cpu.engine.compile(stack, precision);
      }
      const key = JSON.stringify([stack.inputDim, stack.loss, stack.layers]);
      let winner = chosen.get(key);
      if (!winner) {
        for (const c of all) if (c.report.status === 'chosen') c.report.status = 'passed';
        const rows = Math.max(1, Math.min(options.rows ?? hint?.rows ?? PROBE_ROWS, PROBE_MAX_ROWS));
        const i = raceCandidates(all, stack, { ...options, rows });
        winner = i >= 0 ? all[i] : cpu;
        chosen.set(key, winner);
      }
      return winner.engine.compile(stack, precision, hint);
    },
  };
}

/** Each onnxruntime device with its engine when it passed the self-test, or its reason. */
export interface DeviceSurvey {
  reports: Map<OnnxDevice, DeviceReport>;
  engines: Map<OnnxDevice, ComputeEngine>;
}

/**
 * Tries every onnxruntime device: unavailable ones say why without starting anything; the others
 * start an engine and run the self-test (a GPU device without an adapter, or whose graph would put
 * nodes on the CPU, is refused by the first session it creates).
 */
export function surveyOnnxDevices(threads?: number, devices: readonly OnnxDevice[] = ONNX_DEVICES): DeviceSurvey {
  const reports = new Map<OnnxDevice, DeviceReport>();
  const engines = new Map<OnnxDevice, ComputeEngine>();
  for (const device of devices) {
    const name = `onnxruntime ${device}`;
    const unavailable = onnxDeviceUnavailableReason(device);
    if (unavailable) {
      reports.set(device, { name, status: 'unavailable', reason: unavailable });
      continue;
    }
    try {
      const engine = createOnnxEngine({ ...(threads !== undefined ? { threads } : {}), device });
      const test = selfTestEngine(engine);
      reports.set(
        device,
        test.passed
          ? { name, status: 'passed', selfTestError: test.error }
          : { name, status: test.unavailable ? 'unavailable' : 'refused', reason: test.reason, ...(Number.isFinite(test.error) ? { selfTestError: test.error } : {}) },
      );
      if (test.passed) engines.set(device, engine);
    } catch (e) {
      const refusal = e instanceof DeviceRefusal ? e : null;
      reports.set(device, { name, status: refusal?.kind === 'unavailable' ? 'unavailable' : 'refused', reason: refusal ? refusal.reason : (e instanceof Error ? e.message : String(e)).split('\n')[0] });
    }
  }
  return { reports, engines };
}

/** One line per device, for `curvature info`, the CLI header and gpu-check. */
export function formatDevice(r: DeviceReport): string {
  const parts: string[] = [r.status];
  if (r.selfTestError !== undefined) parts.push(`self-test error ${r.selfTestError.toExponential(1)}`);
  if (r.msPerEval !== undefined && r.status !== 'refused') parts.push(`${formatMs(r.msPerEval)}/evaluation`);
  const detail = r.reason ? ` — ${r.reason}` : '';
  return `${r.name}: ${parts.join(', ')}${detail}`;
}
