/**
 * Where the onnxruntime engine computes: the CPU provider, or one of the GPU providers that
 * onnxruntime-node 1.30 ships or can fetch — WebGPU (Dawn: Vulkan / D3D12 / Metal), DirectML
 * (Windows, any DirectX 12 GPU) and CUDA 12 (Linux x64, once its provider libraries are installed).
 *
 * A GPU session must run every node on the GPU: onnxruntime otherwise puts the nodes a provider
 * lacks on the CPU and copies tensors between the two on every run, which for a training loop means
 * every evaluation. `session.disable_cpu_ep_fallback` = "1" (onnxruntime's
 * kOrtSessionOptionsDisableCPUEPFallback) makes session creation fail instead; the failure does not
 * say which nodes, so `diagnoseCpuNodes` asks onnxruntime for its own node placement (a child
 * process creating the same session with fallback allowed and verbose logging, whose "Node
 * placements" lines are written to stderr by native code, out of reach of this process) and the
 * device is refused naming them.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import * as onnxModule from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { ONNX_DEVICES, type OnnxDevice } from '../engine';

const nodeRequire = createRequire(import.meta.url);

export { ONNX_DEVICES, type OnnxDevice };
/** The GPU devices, in the order a tie goes. */
export const GPU_DEVICES = ['cuda', 'dml', 'webgpu'] as const satisfies readonly OnnxDevice[];

export const DEVICE_LABELS: Record<OnnxDevice, string> = { cpu: 'CPU', webgpu: 'WebGPU', dml: 'DirectML', cuda: 'CUDA' };

/** The session option that turns a node placed on the CPU into a session-creation error. */
export const DISABLE_CPU_FALLBACK = 'session.disable_cpu_ep_fallback';
/** onnxruntime's message when that option refuses a session (inference_session.cc). */
const FALLBACK_MESSAGE = /assigned to the default CPU EP, but fallback to CPU EP has been explicitly disabled/;

/** The command that fetches the CUDA provider libraries into onnxruntime-node (docs/gpu.md). */
export const CUDA_INSTALL_COMMAND = 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';
/** Files the CUDA provider needs next to the binding (onnxruntime-node's script/install-metadata.js). */
export const CUDA_PROVIDER_FILES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];

/** What decides whether a device can be tried at all, without creating a session. */
export interface DeviceHost {
  platform: string;
  arch: string;
  /** Provider names the native binding was built with (binding.listSupportedBackends()). */
  backends: readonly { name: string; bundled: boolean }[];
  /** The binding's folder (bin/napi-v6/<platform>/<arch>), where provider libraries must lie. */
  binDir: string;
  exists(file: string): boolean;
  /**
   * Linux only: whether the Vulkan loader is installed. Dawn reaches GPUs on Linux through Vulkan
   * alone, so without the loader WebGPU has no adapter, and trying anyway prints Dawn's
   * "Couldn't load Vulkan" warning on stderr in every process.
   */
  vulkanLoader?: boolean;
}

/** Why `device` cannot be tried on this host (not built in, wrong OS, provider library missing), or null. */
export function deviceUnavailableReason(device: OnnxDevice, host: DeviceHost): string | null {
  if (device === 'cpu') return null;
  const target = `${host.platform}-${host.arch}`;
  if (device === 'dml' && host.platform !== 'win32') return 'DirectML is Windows-only';
  if (device === 'cuda' && !(host.platform === 'linux' && host.arch === 'x64')) {
    return `onnxruntime-node has a CUDA provider for linux-x64 only, not ${target}`;
  }
  const built = host.backends.find((b) => b.name === device);
  if (!built) return `this onnxruntime-node build for ${target} has no ${DEVICE_LABELS[device]} provider`;
  if (device === 'webgpu' && host.platform === 'linux' && host.vulkanLoader === false) {
    return 'no adapter: the Vulkan loader (libvulkan.so.1) is not installed, and Dawn reaches GPUs on Linux through Vulkan';
  }
  if (device === 'cuda') {
    const missing = CUDA_PROVIDER_FILES.filter((f) => !host.exists(path.join(host.binDir, f)));
    if (missing.length > 0) {
      return `provider library not installed (${missing.join(', ')}); install it with \`${CUDA_INSTALL_COMMAND}\` (needs CUDA 12 and cuDNN 9; see docs/gpu.md)`;
    }
  }
  return null;
}

/**
 * The provider list that puts a session on `device`. The CPU device names none: the binding treats
 * 'cpu' as the implicit provider anyway, and an explicit CPU provider together with
 * DISABLE_CPU_FALLBACK is a configuration error in onnxruntime.
 */
export function deviceSessionOptions(device: OnnxDevice): { executionProviders?: string[] } {
  return device === 'cpu' ? {} : { executionProviders: [device] };
}

/** A device that cannot compute a model: `reason` is the line reports show after the device name. */
export class DeviceRefusal extends Error {
  constructor(
    readonly device: OnnxDevice,
    readonly reason: string,
    /** unavailable: the device is not there (no adapter, provider not loadable); refused: it is, but may not compute this. */
    readonly kind: 'unavailable' | 'refused' = 'refused',
  ) {
    super(`${device}: ${reason}`);
    this.name = 'DeviceRefusal';
  }
}

export function isCpuFallbackError(message: string): boolean {
  return FALLBACK_MESSAGE.test(message);
}

/** A short reason from a provider's session-creation error (the raw text is long and has source paths). */
export function classifyDeviceError(device: OnnxDevice, message: string): string {
  const first = message.split('\n').find((l) => l.trim() !== '') ?? message;
  if (/No supported adapters|Failed to get a WebGPU adapter/i.test(message)) return 'no adapter (Dawn found no Vulkan, D3D12 or Metal GPU)';
  if (device === 'cuda' && /Failed to load (shared )?library/i.test(message)) {
    return 'the CUDA provider did not load (CUDA 12 runtime, cuBLAS or cuDNN 9 not found on the library path)';
  }
  if (/CUDA failure|no CUDA-capable device|cudaErrorNoDevice/i.test(message)) return 'no CUDA device';
  if (/is unsupported: '\w+'/.test(message)) return `this onnxruntime-node build has no ${DEVICE_LABELS[device]} provider`;
  return `failed to start: ${first.replace(/^\/\S+:\d+ /, '').slice(0, 200)}`;
}

/** The onnxruntime-node binding's folder and provider list (null when the package does not load). */
export function localDeviceHost(): DeviceHost | null {
  try {
    const pkg = path.dirname(nodeRequire.resolve('onnxruntime-node/package.json'));
    const { binding } = nodeRequire('onnxruntime-node/dist/binding') as { binding: { listSupportedBackends?: () => { name: string; bundled: boolean }[] } };
    const backends = typeof binding.listSupportedBackends === 'function' ? binding.listSupportedBackends() : [{ name: 'cpu', bundled: true }];
    return {
      platform: process.platform,
      arch: process.arch,
      backends,
      binDir: path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch),
      exists: (f) => fs.existsSync(f),
      ...(process.platform === 'linux' ? { vulkanLoader: hasVulkanLoader() } : {}),
    };
  } catch {
    return null;
  }
}

/** libvulkan.so.1 where the dynamic loader looks: LD_LIBRARY_PATH, then the usual library folders. */
export function hasVulkanLoader(env: NodeJS.ProcessEnv = process.env, exists: (f: string) => boolean = fs.existsSync): boolean {
  const dirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    `/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/usr/lib64',
    '/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return dirs.some((d) => exists(path.join(d, 'libvulkan.so.1')));
}

type OnnxNamespace = typeof onnx;
const ONNX: OnnxNamespace =
  (onnxModule as unknown as { onnx?: OnnxNamespace }).onnx ??
  (onnxModule as unknown as { default: { onnx: OnnxNamespace } }).default.onnx;

/** "OpType (name)" of every node of a serialized model. */
export function modelNodes(model: Uint8Array): string[] {
  return ONNX.ModelProto.decode(model).graph?.node?.map((n) => `${n.opType} (${n.name ?? ''})`) ?? [];
}

/**
 * The nodes onnxruntime's "Node placements" log (verbose session logging) puts on the CPU provider.
 * `all` is every node of the model, for the one-line form the log uses when one provider has them all.
 */
export function cpuNodesFromLog(log: string, all: readonly string[]): string[] | null {
  if (/All nodes placed on \[CPUExecutionProvider\]/.test(log)) return [...all];
  const m = /Node\(s\) placed on \[CPUExecutionProvider\]\. Number of nodes: \d+\s*\n\s*(.*)/.exec(log);
  if (!m) return null;
  return m[1]
    .split(/,\s*/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const PLACEMENT_SCRIPT = `
const [bindingPath, provider] = process.argv.slice(1);
const { binding, initOrt } = require(bindingPath);
initOrt();
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const b = Buffer.concat(chunks);
  const s = new binding.InferenceSession();
  const options = { logSeverityLevel: 0, logVerbosityLevel: 0, graphOptimizationLevel: 'all' };
  if (provider !== 'cpu') options.executionProviders = [provider];
  try { s.loadModel(b.buffer, b.byteOffset, b.byteLength, options); s.dispose(); } catch (e) { process.stderr.write('LOAD FAILED ' + e.message); }
});
`;

/**
 * Which nodes of `model` onnxruntime would run on the CPU when the session is on `device`, from its
 * own placement log; null when that log could not be read (the refusal then says so).
 */
export function diagnoseCpuNodes(model: Uint8Array, device: OnnxDevice, timeoutMs = 30_000): string[] | null {
  try {
    const bindingPath = nodeRequire.resolve('onnxruntime-node/dist/binding');
    const r = spawnSync(process.execPath, ['-e', PLACEMENT_SCRIPT, bindingPath, device], {
      input: Buffer.from(model.buffer, model.byteOffset, model.byteLength),
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return cpuNodesFromLog(`${r.stdout ?? ''}\n${r.stderr ?? ''}`, modelNodes(model));
  } catch {
    return null;
  }
}

/** The refusal for a model that would put nodes on the CPU, naming them. */
export function cpuFallbackRefusal(device: OnnxDevice, model: Uint8Array): DeviceRefusal {
  const nodes = diagnoseCpuNodes(model, device);
  if (!nodes) return new DeviceRefusal(device, 'some nodes of the training graph would run on the CPU (onnxruntime did not say which)');
  const shown = nodes.slice(0, 6).join(', ');
  const more = nodes.length > 6 ? `, and ${nodes.length - 6} more` : '';
  return new DeviceRefusal(device, `${nodes.length} node${nodes.length === 1 ? '' : 's'} of the training graph would run on the CPU: ${shown}${more}`);
}
