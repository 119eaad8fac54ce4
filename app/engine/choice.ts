/**
 * The engine choice ("engine" everywhere in code; "backend" only for tfjs's own backends and the
 * user-facing --backend / CURVATURE_BACKEND names). Picks the compute engine: tensorflow-gpu (only when TensorFlow really finds a CUDA device) →
 * onnxruntime → tensorflow → wasm → cpu, and says why each one before the winner was not used.
 * CURVATURE_BACKEND, the experiment's `engine` setting (which the GUI and `--backend` write) override
 * it. Only one native tfjs package is ever loaded per process. tfjs always gets a backend too (exports
 * and model import use it), even when onnxruntime computes the passes.
 *
 * Float64 runs get an engine of their own (engineFor with precision 'float64'): tfjs has no float64,
 * so the automatic choice takes onnxruntime's double graphs, or js64 (float64 plain JavaScript) where
 * onnxruntime cannot run. An engine named explicitly that lacks the run's precision is refused by
 * name: nothing computes float64 as float32.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { EngineReport, DeviceReport } from './types';
import { ENGINE_NAMES, type ComputeEngine, type EngineName, type Precision } from './engine';
import { shimLegacyUtil } from './nodeShim';
import { tfjsEngine, tfBackendOf, type TfjsEngineName, type TfjsPath } from './tfjs';
import { createOnnxEngine, onnxUnavailableReason } from './onnx';
import { createJsEngine, JS64_LABEL } from './js';
import { DEVICE_LABELS, GPU_DEVICES, ONNX_DEVICES, type OnnxDevice } from './onnx/devices';
import { formatDevice, measuredEngine, surveyOnnxDevices, type Candidate, type DeviceSurvey } from './deviceChoice';
import { selfTestEngine } from './selfTest';

// Not named `require`: electron-vite injects its own `require` shim into ESM chunks.
const nodeRequire = createRequire(import.meta.url);

/** The automatic choice of the default (float32) engine; js64 computes float64 only and is not in it. */
export const ENGINE_ORDER: readonly EngineName[] = ['tensorflow-gpu', 'onnxruntime', 'tensorflow', 'wasm', 'cpu'];
/** Same list; the name callers used before onnxruntime joined. */
export const BACKEND_ORDER = ENGINE_ORDER;
const TFJS_ORDER: readonly TfjsEngineName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

const PACKAGES: Record<EngineName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  onnxruntime: 'onnxruntime-node',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
  js64: 'curvature (built in)',
};

/** The experiment's engine setting (schema: experiment.engine). */
export interface EngineSetting {
  backend?: EngineName | 'auto';
  /** Intra-op threads (onnxruntime); default: the machine's physical cores. */
  threads?: number;
  /**
   * onnxruntime's device; 'auto' (the default, or CURVATURE_DEVICE) races the devices that pass
   * their self-test on each model and takes the fastest (deviceChoice.ts).
   */
  device?: OnnxDevice | 'auto';
}

export interface EngineChoiceOptions extends EngineSetting {
  env?: NodeJS.ProcessEnv;
}

export type TfModule = typeof tf;

let chosen: Promise<EngineReport> | null = null;
let defaultEngine: ComputeEngine | null = null;
/** The native tfjs package this process loaded, if any: a second one may never load. */
let nativeLoaded: 'tensorflow-gpu' | 'tensorflow' | null = null;
const engines = new Map<string, ComputeEngine>();

/** Initialise once per process; later calls return the same report. */
export function initEngine(options: EngineChoiceOptions = {}): Promise<EngineReport> {
  chosen ??= choose(options);
  return chosen;
}

export function tfjs(): TfModule {
  return tf;
}

/**
 * The engine initEngine chose. Before any choice (unit tests that only build an objective), the tfjs
 * engine on whatever backend tfjs runs now.
 */
export function currentEngine(): ComputeEngine {
  if (defaultEngine) return defaultEngine;
  const active = tf.getBackend();
  const name: TfjsEngineName = active === 'tensorflow' ? 'tensorflow' : active === 'wasm' ? 'wasm' : 'cpu';
  return cachedTfjs(name, 'fast');
}

/**
 * The engine for one experiment: its `engine` setting, else the process default. Precedence:
 * `--backend` (written into the experiment) = the GUI setting (saved in it) > CURVATURE_BACKEND > auto.
 */
export async function engineFor(setting: EngineSetting | undefined, precision: Precision = 'float32'): Promise<{ engine: ComputeEngine; report: EngineReport }> {
  const chosen = await engineForAnyPrecision(setting, precision);
  if (!chosen.engine.precisions.includes(precision)) {
    throw new Error(
      `Engine ${chosen.report.name} computes ${chosen.engine.precisions.join(' and ')} only, not ${precision}: ` +
        (precision === 'float64' ? 'float64 runs need onnxruntime or js64 (or the engine setting auto)' : 'float32 runs need a tfjs engine or onnxruntime (or the engine setting auto)'),
    );
  }
  return chosen;
}

/** The engine float64 runs get from the automatic choice: onnxruntime, else js64 with the reason. */
export function float64Choice(): { name: 'onnxruntime' | 'js64'; reason?: string } {
  const reason = onnxUnavailableReason();
  return reason ? { name: 'js64', reason: `onnxruntime: ${reason}` } : { name: 'onnxruntime' };
}

async function engineForAnyPrecision(setting: EngineSetting | undefined, precision: Precision): Promise<{ engine: ComputeEngine; report: EngineReport }> {
  const report = await initEngine();
  const explicit = setting?.backend && setting.backend !== 'auto';
  if (precision === 'float64' && !explicit && !currentEngine().precisions.includes('float64')) {
    const pick = float64Choice();
    const engine = await loadEngine(pick.name, setting?.threads);
    const skipped = pick.reason ? [{ name: 'onnxruntime' as const, reason: pick.reason.replace(/^onnxruntime: /, '') }] : [];
    return { engine, report: { ...describe(pick.name, engine, 'auto', skipped), ...(setting?.threads ? { threads: setting.threads } : {}) } };
  }
  const wanted = setting?.backend && setting.backend !== 'auto' ? setting.backend : undefined;
  const threads = setting?.threads;
  const device = setting?.device && setting.device !== 'auto' ? setting.device : undefined;
  if (device) {
    if (wanted && wanted !== 'onnxruntime') throw new Error(`Device ${device} belongs to the onnxruntime engine, but the experiment asks for engine ${wanted}.`);
    const reason = preflight('onnxruntime');
    if (reason) throw new Error(`Device ${device} was requested by the experiment but onnxruntime ${reason}.`);
    const chosen = onnxOnDevice({ threads, device }, null);
    return {
      engine: chosen.engine,
      report: { ...describe('onnxruntime', chosen.engine, 'override', []), overrideSource: 'experiment', devices: chosen.devices, ...(threads ? { threads } : {}) },
    };
  }
  if (!wanted && (threads === undefined || report.name !== 'onnxruntime')) return { engine: currentEngine(), report };
  const name = wanted ?? report.name;
  if (name === report.name && threads === undefined) return { engine: currentEngine(), report };
  const reason = preflight(name);
  if (reason) throw new Error(`Engine ${name} was requested by the experiment but ${reason}.`);
  if (name === 'onnxruntime') {
    const chosen = onnxOnDevice({ threads }, null);
    return {
      engine: chosen.engine,
      report: { ...describe(name, chosen.engine, 'override', []), overrideSource: 'experiment', devices: chosen.devices, ...(threads ? { threads } : {}) },
    };
  }
  const engine = await loadEngine(name, threads).catch((err: unknown) => {
    throw new Error(`Engine ${name} was requested by the experiment but failed to start: ${errorText(err)}`);
  });
  return {
    engine,
    report: { ...describe(name, engine, 'override', []), overrideSource: 'experiment', ...(threads ? { threads } : {}) },
  };
}

/**
 * Every engine that can run in this process, in the auto order (tests and the bench iterate this, so
 * onnxruntime is covered as soon as it is available). tfjs engines take `path` (fast or autodiff).
 */
export async function availableEngines(options: { path?: TfjsPath; threads?: number } = {}): Promise<ComputeEngine[]> {
  const out: ComputeEngine[] = [];
  for (const name of ENGINE_ORDER) {
    if (preflight(name)) continue;
    if ((name === 'tensorflow-gpu' || name === 'tensorflow') && nativeLoaded === null) continue; // never load one just to list it
    try {
      out.push(name === 'onnxruntime' || name === 'js64' ? await loadEngine(name, options.threads) : await loadTfjs(name, options.path ?? 'fast'));
    } catch {
      /* not usable here: the engine choice reports why */
    }
  }
  return out;
}

/** A tfjs engine on one backend with the given gradient path (the bench compares both paths). */
export async function loadTfjs(name: TfjsEngineName, path: TfjsPath = 'fast'): Promise<ComputeEngine> {
  await activateTfjs(name, { keepActive: false });
  return cachedTfjs(name, path);
}

function cachedTfjs(name: TfjsEngineName, path: TfjsPath): ComputeEngine {
  const key = `${name}:${path}`;
  let e = engines.get(key);
  if (!e) {
    e = tfjsEngine(name, tfjsLabel(name), { path });
    engines.set(key, e);
  }
  return e;
}

async function loadEngine(name: EngineName, threads?: number): Promise<ComputeEngine> {
  if (name === 'js64') {
    let e = engines.get(name);
    if (!e) {
      e = createJsEngine();
      engines.set(name, e);
    }
    return e;
  }
  if (name !== 'onnxruntime') return loadTfjs(name, 'fast');
  const reason = onnxUnavailableReason();
  if (reason) throw new Error(reason);
  const key = `onnxruntime:${threads ?? 'default'}`;
  let e = engines.get(key);
  if (!e) {
    e = createOnnxEngine(threads === undefined ? {} : { threads });
    engines.set(key, e);
  }
  return e;
}

function packageVersion(pkg: string): string {
  if (pkg === PACKAGES.js64) return 'float64';
  try {
    return (nodeRequire(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function isInstalled(pkg: string): boolean {
  try {
    nodeRequire.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function parseOverride(options: EngineChoiceOptions): { name: EngineName; source: 'env' | 'option' } | undefined {
  const fromOption = options.backend && options.backend !== 'auto' ? options.backend : undefined;
  const raw = fromOption ?? (options.env ?? process.env).CURVATURE_BACKEND;
  if (!raw || raw === 'auto') return undefined;
  if ((ENGINE_NAMES as readonly string[]).includes(raw)) return { name: raw as EngineName, source: fromOption ? 'option' : 'env' };
  throw new Error(`CURVATURE_BACKEND="${raw}" is not a backend; use one of auto, ${ENGINE_NAMES.join(', ')}.`);
}

/** Why the CUDA build cannot help on this machine, or null when a GPU looks usable. */
export function gpuUnavailableReason(): string | null {
  const supported = (process.platform === 'linux' || process.platform === 'win32') && process.arch === 'x64';
  if (!supported) return `no CUDA build of libtensorflow for ${process.platform}-${process.arch}`;
  if (process.platform === 'linux' && !fs.existsSync('/proc/driver/nvidia/version')) {
    return 'no NVIDIA driver loaded (/proc/driver/nvidia/version is missing)';
  }
  return null;
}

function gpuName(): string {
  try {
    const dirs = fs.readdirSync('/proc/driver/nvidia/gpus');
    const info = fs.readFileSync(`/proc/driver/nvidia/gpus/${dirs[0]}/information`, 'utf8');
    const model = /Model:\s*(.+)/.exec(info)?.[1];
    return model ? model.trim() : 'NVIDIA GPU';
  } catch {
    return 'NVIDIA GPU';
  }
}

/**
 * Initialise a tfjs backend. `keepActive: false` restores the previously active backend afterwards
 * (programs switch to their own backend per call), so listing engines does not change what exports use.
 */
async function activateTfjs(name: TfjsEngineName, { keepActive }: { keepActive: boolean }): Promise<void> {
  const previous = tf.getBackend();
  const backend = tfBackendOf(name);
  if (backend === 'tensorflow') {
    if (nativeLoaded === null) {
      shimLegacyUtil();
      nodeRequire(PACKAGES[name]); // registers the 'tensorflow' backend with this tfjs-core
      nativeLoaded = name === 'tensorflow-gpu' ? 'tensorflow-gpu' : 'tensorflow';
    } else if (nativeLoaded === 'tensorflow' && name === 'tensorflow-gpu') {
      throw new Error('@tensorflow/tfjs-node is already loaded in this process; only one native tfjs package may load');
    }
  } else if (backend === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
  }
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not initialise`);
  await tf.ready();
  if (!keepActive && previous && previous !== backend) await tf.setBackend(previous);
}

function tfjsLabel(name: TfjsEngineName): string {
  switch (name) {
    case 'tensorflow-gpu':
      return `TensorFlow CUDA — ${gpuName()}`;
    case 'tensorflow':
      return nativeLoaded === 'tensorflow-gpu' ? 'TensorFlow (native CPU, via tfjs-node-gpu)' : 'TensorFlow (native CPU)';
    case 'wasm': {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
      return `WebAssembly (CPU, ${[simd ? 'SIMD' : 'no SIMD', threads ? 'multi-threaded' : 'single thread'].join(', ')})`;
    }
    case 'cpu':
      return 'Plain JavaScript (CPU, slowest)';
  }
}

function describe(name: EngineName, engine: ComputeEngine, selection: EngineReport['selection'], skipped: EngineReport['skipped']): EngineReport {
  const pkg = name === 'tensorflow' && nativeLoaded === 'tensorflow-gpu' ? PACKAGES['tensorflow-gpu'] : PACKAGES[name];
  const cpuModel = os.cpus()[0]?.model?.trim() ?? 'CPU';
  return {
    name,
    package: pkg,
    version: packageVersion(pkg),
    skipped,
    selection,
    tfBackend: tf.getBackend(),
    label: engine.label,
    device: name === 'tensorflow-gpu' ? gpuName() : deviceDescription(engine.device, cpuModel),
  };
}

/** onnxruntime's providers do not name the GPU they found; the report names the provider. */
function deviceDescription(device: string | undefined, cpuModel: string): string {
  if (device === 'auto') return `${cpuModel}, or the fastest GPU device per model (see devices)`;
  if (device && device !== 'cpu') return `GPU via onnxruntime's ${DEVICE_LABELS[device as OnnxDevice] ?? device} provider`;
  return cpuModel;
}

async function choose(options: EngineChoiceOptions): Promise<EngineReport> {
  const override = parseOverride(options);
  parseDevice(options); // a bad CURVATURE_DEVICE is an error before anything loads
  const skipped: EngineReport['skipped'] = [];
  // Production mode skips tfjs' per-kernel debug checks and silences its "install tfjs-node" banner:
  // the report says which engine runs and why.
  tf.enableProdMode();
  if (override) {
    const { name, source } = override;
    const reason = preflight(name);
    if (reason) throw new Error(`Backend ${name} was requested but ${reason}.`);
    let started: ComputeEngine;
    try {
      started = await start(name, options.threads);
      if (name === 'tensorflow-gpu' && !usesGpuDevice()) {
        skipped.push({ name, reason: 'loaded, but TensorFlow found no usable CUDA device (needs CUDA 11.2 and cuDNN 8.1); computing on the CPU' });
      }
    } catch (err) {
      throw new Error(`Backend ${name} was requested but failed to start: ${errorText(err)}`);
    }
    if (name !== 'onnxruntime') return finish(name, started, 'override', skipped, options.threads, source);
    const chosen = onnxOnDevice(options, null);
    return finish(name, chosen.engine, 'override', skipped, options.threads, source, chosen.devices);
  }
  // A tensorflow-gpu that found its GPU races onnxruntime's devices instead of winning outright.
  let tfGpu: ComputeEngine | null = null;
  for (const name of ENGINE_ORDER) {
    if (tfGpu && name !== 'onnxruntime') break;
    const reason = preflight(name);
    if (reason) {
      skipped.push({ name, reason });
      continue;
    }
    try {
      const engine = await start(name, options.threads);
      if (name === 'tensorflow-gpu') {
        if (usesGpuDevice()) {
          tfGpu = engine;
          continue;
        }
        // The CUDA build loaded but TensorFlow found no device (driver, CUDA 11.2 or cuDNN 8.1 missing).
        // It stays loaded (a second native package may not), and the next engine is tried.
        skipped.push({ name, reason: 'loaded, but TensorFlow found no usable CUDA device (needs CUDA 11.2 and cuDNN 8.1)' });
        continue;
      }
      if (name === 'onnxruntime') {
        const chosen = onnxOnDevice(options, tfGpu, skipped.find((s) => s.name === 'tensorflow-gpu')?.reason);
        return finish(name, chosen.engine, 'auto', skipped, options.threads, undefined, chosen.devices);
      }
      return finish(name, engine, 'auto', skipped, options.threads);
    } catch (err) {
      // A device asked for by name is never swapped for another engine behind the user's back.
      if (err instanceof DeviceRequestError) throw err;
      skipped.push({ name, reason: `failed to start: ${errorText(err)}` });
    }
  }
  if (tfGpu) return finish('tensorflow-gpu', tfGpu, 'auto', skipped, options.threads);
  throw new Error(`No compute engine could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

async function start(name: EngineName, threads?: number): Promise<ComputeEngine> {
  if (name === 'onnxruntime' || name === 'js64') return loadEngine(name, threads);
  await activateTfjs(name, { keepActive: true });
  return cachedTfjs(name, 'fast');
}

async function finish(
  name: EngineName,
  engine: ComputeEngine,
  selection: EngineReport['selection'],
  skipped: EngineReport['skipped'],
  threads: number | undefined,
  source?: 'env' | 'option',
  devices?: DeviceReport[],
): Promise<EngineReport> {
  defaultEngine = engine;
  if (name === 'onnxruntime' || name === 'js64') await ensureTfjsBackend();
  const report = describe(name, engine, selection, skipped);
  report.precisions = [...engine.precisions];
  report.float64 = engine.precisions.includes('float64') ? { name } : float64Choice();
  if (source) report.overrideSource = source;
  if (threads !== undefined) report.threads = threads;
  if (devices) report.devices = devices;
  return report;
}

const surveys = new Map<string, DeviceSurvey>();

/** A device named by the user (CURVATURE_DEVICE, --device, the experiment) that cannot compute here. */
class DeviceRequestError extends Error {}

/** The onnxruntime devices' survey, once per process and thread count (a GPU self-test costs sessions). */
function deviceSurvey(threads: number | undefined): DeviceSurvey {
  const key = String(threads ?? 'default');
  let s = surveys.get(key);
  if (!s) {
    s = surveyOnnxDevices(threads);
    surveys.set(key, s);
  }
  return s;
}

/** CURVATURE_DEVICE or the option; throws on a name that is no device. */
export function parseDevice(options: EngineChoiceOptions): OnnxDevice | 'auto' {
  const raw = options.device ?? (options.env ?? process.env).CURVATURE_DEVICE ?? 'auto';
  if (raw === 'auto' || (ONNX_DEVICES as readonly string[]).includes(raw)) return raw as OnnxDevice | 'auto';
  throw new Error(`CURVATURE_DEVICE="${raw}" is not a device; use one of auto, ${ONNX_DEVICES.join(', ')}.`);
}

/**
 * The onnxruntime engine on the requested device, or with 'auto' the CPU engine raced per model
 * against every GPU device (and a tensorflow-gpu that found its GPU) that passed its self-test.
 * Returns the device entries of the report, which the race updates with its timings.
 */
function onnxOnDevice(options: EngineChoiceOptions, tfGpu: ComputeEngine | null, tfGpuSkipped?: string): { engine: ComputeEngine; devices: DeviceReport[] } {
  const wanted = parseDevice(options);
  const survey = deviceSurvey(options.threads);
  // Copies: each report (the process default, an experiment's override) gets its own entries, which
  // its engine's race then fills in.
  const reports = new Map([...survey.reports].map(([d, r]) => [d, { ...r }]));
  const devices: DeviceReport[] = [...reports.values()];
  if (wanted !== 'auto') {
    const report = reports.get(wanted)!;
    const engine = survey.engines.get(wanted);
    if (!engine) throw new DeviceRequestError(`Device ${wanted} was requested but is ${report.status}: ${report.reason}.`);
    report.status = 'chosen';
    report.reason = 'requested';
    return { engine, devices };
  }
  const gpus: Candidate[] = [];
  if (tfGpu) {
    const test = selfTestEngine(tfGpu);
    const report: DeviceReport = test.passed ? { name: 'tensorflow-gpu', status: 'passed', selfTestError: test.error } : { name: 'tensorflow-gpu', status: 'refused', reason: test.reason };
    devices.unshift(report);
    if (test.passed) gpus.push({ report, engine: tfGpu });
  } else if (tfGpuSkipped) {
    devices.unshift({ name: 'tensorflow-gpu', status: 'unavailable', reason: tfGpuSkipped });
  }
  for (const d of GPU_DEVICES) {
    const engine = survey.engines.get(d);
    if (engine) gpus.push({ report: reports.get(d)!, engine });
  }
  const cpuReport = reports.get('cpu')!;
  const cpuEngine = survey.engines.get('cpu');
  if (!cpuEngine) throw new Error(`onnxruntime's CPU device ${cpuReport.reason ?? 'failed its self-test'}`);
  if (gpus.length === 0) {
    cpuReport.status = 'chosen';
    cpuReport.reason = 'no GPU device here passed its self-test';
    return { engine: cpuEngine, devices };
  }
  cpuReport.reason = 'timed against the GPU devices on each model';
  return { engine: measuredEngine(gpus, { report: cpuReport, engine: cpuEngine }), devices };
}

/** With onnxruntime computing, tfjs still needs a backend for exports: the native one if loaded, else wasm, else cpu. */
async function ensureTfjsBackend(): Promise<void> {
  for (const name of TFJS_ORDER) {
    if ((name === 'tensorflow-gpu' || name === 'tensorflow') && nativeLoaded !== name) continue;
    try {
      await activateTfjs(name, { keepActive: true });
      return;
    } catch {
      /* next */
    }
  }
}

/** tfjs-node's backend knows whether libtensorflow placed ops on a GPU. */
function usesGpuDevice(): boolean {
  return (tf.findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean } | null)?.isUsingGpuDevice === true;
}

/** Reason an engine cannot be tried at all, without loading anything. */
function preflight(name: EngineName): string | null {
  if (name === 'tensorflow-gpu') {
    if (!isInstalled(PACKAGES[name])) {
      return 'not installed (its install downloads libtensorflow with CUDA 11.2/cuDNN 8.1; npm drops it when offline or on unsupported platforms)';
    }
    if (nativeLoaded === 'tensorflow') return 'not tried: @tensorflow/tfjs-node is already loaded (one native tfjs package per process)';
    return gpuUnavailableReason();
  }
  if (name === 'onnxruntime') return onnxUnavailableReason();
  if (name === 'js64') return null;
  if (name === 'tensorflow') {
    if (nativeLoaded === 'tensorflow-gpu') return null; // its 'tensorflow' backend computes on the CPU too
    if (!isInstalled(PACKAGES[name])) return 'not installed (its install downloads libtensorflow; npm drops it when that fails)';
  }
  return null;
}

/** One line per engine, for `curvature info`, the CLI header and exports. */
export function formatReport(report: EngineReport): string {
  const how = report.selection === 'auto' ? 'auto' : `override${report.overrideSource ? ` (${overrideLabel(report.overrideSource)})` : ''}`;
  const lines = [`Engine: ${report.label} [${report.package} ${report.version}, ${how}]`];
  for (const s of report.skipped) lines.push(`  ${s.name}: ${s.reason}`);
  if (report.float64) {
    const f = report.float64;
    lines.push(`float64 runs: ${f.name === 'js64' ? `js64, ${JS64_LABEL}` : f.name}${f.reason ? ` (${f.reason})` : ''}`);
  }
  if (report.devices?.length) {
    lines.push('Devices:');
    for (const d of report.devices) lines.push(`  ${formatDevice(d)}`);
  }
  return lines.join('\n');
}

export function overrideLabel(source: NonNullable<EngineReport['overrideSource']>): string {
  return source === 'env' ? 'CURVATURE_BACKEND' : source === 'experiment' ? 'experiment setting' : '--backend';
}
