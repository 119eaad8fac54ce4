/**
 * onnxruntime's devices (app/engine/onnx/devices.ts), the self-test (app/engine/selfTest.ts) and the
 * choice by measurement (app/engine/deviceChoice.ts).
 *
 * What runs here without a GPU, and what it proves: the device list and the refusal reasons (pure,
 * per platform), the real onnxruntime-node 1.30 package trying WebGPU and finding no adapter (the
 * path every GPU-less user takes), the CPU-fallback refusal (see its test for what that proves), and
 * the race with injected timings. Whether a real GPU passes, and how fast, is `npm run gpu-check`.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import * as onnxModule from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import {
  CUDA_INSTALL_COMMAND,
  classifyDeviceError,
  cpuNodesFromLog,
  DeviceRefusal,
  deviceUnavailableReason,
  hasVulkanLoader,
  localDeviceHost,
  modelNodes,
  ONNX_DEVICES,
  type DeviceHost,
} from '../../../app/engine/onnx/devices';
import { OnnxSession } from '../../../app/engine/onnx/session';
import { buildGraph } from '../../../app/engine/onnx/graph';
import { createOnnxEngine, precisionRefusal } from '../../../app/engine/onnx';
import { formatDevice, measuredEngine, pickFastest, raceCandidates, surveyOnnxDevices, timeEvaluations, type Candidate, type Clock } from '../../../app/engine/deviceChoice';
import { referenceLossAndGradient, SELF_TEST_CASES, selfTestEngine, selfTestProblem } from '../../../app/engine/selfTest';
import type { ComputeEngine, DenseStack, EngineDataset, StackProgram } from '../../../app/engine/engine';
import type { DeviceReport } from '../../../app/engine/types';
import { reference } from '../../../support/denseReference';

const root = path.resolve(__dirname, '../../..');
type OnnxNamespace = typeof onnx;
const ONNX: OnnxNamespace = (onnxModule as unknown as { onnx?: OnnxNamespace }).onnx ?? (onnxModule as unknown as { default: { onnx: OnnxNamespace } }).default.onnx;

function host(platform: string, arch: string, backends: string[], files: string[] = []): DeviceHost {
  return { platform, arch, backends: backends.map((name) => ({ name, bundled: true })), binDir: '/bin', exists: (f) => files.includes(path.basename(f)) };
}

describe('device list and reasons', () => {
  it('names every device and says why each one cannot be tried on a platform', () => {
    expect(ONNX_DEVICES).toEqual(['cpu', 'webgpu', 'dml', 'cuda']);
    const linux = host('linux', 'x64', ['cpu', 'webgpu', 'cuda', 'tensorrt']);
    expect(deviceUnavailableReason('cpu', linux)).toBeNull();
    expect(deviceUnavailableReason('webgpu', linux)).toBeNull(); // the adapter is Dawn's to find
    expect(deviceUnavailableReason('dml', linux)).toBe('DirectML is Windows-only');
    const cuda = deviceUnavailableReason('cuda', linux)!;
    expect(cuda).toMatch(/^provider library not installed \(libonnxruntime_providers_shared\.so, libonnxruntime_providers_cuda\.so\)/);
    expect(cuda).toContain(CUDA_INSTALL_COMMAND);
    const installed = host('linux', 'x64', ['cpu', 'webgpu', 'cuda'], ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']);
    expect(deviceUnavailableReason('cuda', installed)).toBeNull();
    expect(deviceUnavailableReason('cuda', host('darwin', 'arm64', ['cpu', 'webgpu', 'coreml']))).toBe('onnxruntime-node has a CUDA provider for linux-x64 only, not darwin-arm64');
    expect(deviceUnavailableReason('webgpu', host('linux', 'arm64', ['cpu']))).toBe('this onnxruntime-node build for linux-arm64 has no WebGPU provider');
    expect(deviceUnavailableReason('dml', host('win32', 'x64', ['cpu', 'webgpu', 'dml']))).toBeNull();
    expect(deviceUnavailableReason('webgpu', { ...linux, vulkanLoader: false })).toMatch(/^no adapter: the Vulkan loader \(libvulkan\.so\.1\) is not installed/);
    expect(deviceUnavailableReason('webgpu', { ...linux, vulkanLoader: true })).toBeNull();
    expect(hasVulkanLoader({ LD_LIBRARY_PATH: '/opt/vk' }, (f) => f === '/opt/vk/libvulkan.so.1')).toBe(true);
    expect(hasVulkanLoader({}, () => false)).toBe(false);
  });

  it('turns provider errors into short reasons', () => {
    expect(classifyDeviceError('webgpu', 'webgpu_context.cc:136 ... Failed to get a WebGPU adapter: No supported adapters')).toMatch(/^no adapter/);
    expect(classifyDeviceError('cuda', 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library')).toMatch(/CUDA provider did not load/);
    expect(classifyDeviceError('dml', "Invalid argument: sessionOptions.executionProviders[0] is unsupported: 'dml'.")).toBe('this onnxruntime-node build has no DirectML provider');
  });

  it('with the real package: the binding lists its providers, and WebGPU without an adapter is unavailable, not a crash', () => {
    const h = localDeviceHost()!;
    expect(h.backends.map((b) => b.name)).toContain('cpu');
    const survey = surveyOnnxDevices(1);
    expect([...survey.reports.keys()]).toEqual(['cpu', 'webgpu', 'dml', 'cuda']);
    const cpu = survey.reports.get('cpu')!;
    expect(cpu).toMatchObject({ name: 'onnxruntime cpu', status: 'passed' });
    expect(cpu.selfTestError!).toBeLessThanOrEqual(1e-4);
    const webgpu = survey.reports.get('webgpu')!;
    if (h.backends.some((b) => b.name === 'webgpu') && process.platform === 'linux') {
      // This machine (and every Linux machine without a Vulkan GPU): no adapter.
      if (webgpu.status !== 'passed') expect(webgpu).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^no adapter/) });
    }
    if (process.platform !== 'win32') expect(survey.reports.get('dml')).toMatchObject({ status: 'unavailable', reason: 'DirectML is Windows-only' });
    if (webgpu.status === 'unavailable') {
      // Past the loader check, into Dawn itself: a WebGPU session without an adapter is refused as
      // unavailable, with Dawn's own "No supported adapters" turned into the short reason.
      let caught: unknown;
      try {
        new OnnxSession(buildGraph(SELF_TEST_CASES[1].stack, 'gradient'), { threads: 1, device: 'webgpu' }, () => {});
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(DeviceRefusal);
      expect(caught).toMatchObject({ device: 'webgpu', kind: 'unavailable', reason: expect.stringMatching(/^no adapter \(Dawn found no Vulkan, D3D12 or Metal GPU\)/) });
      expect(() => createOnnxEngine({ threads: 1, device: 'webgpu' })).toThrow(/cannot use webgpu: no adapter/);
    }
  });

  it('a GPU device refuses float64 programs, saying they stay on the CPU', () => {
    for (const d of ['webgpu', 'dml', 'cuda'] as const) expect(precisionRefusal(d, 'float64')).toMatch(/^float64 runs stay on the CPU: the \w+ device computes float32 only/);
    expect(precisionRefusal('cuda', 'float32')).toBeNull();
  });

  it('curvature info lists every device with its result, chooses the CPU here, and refuses a named device that is not there', () => {
    const run = (args: string[], env: Record<string, string> = {}) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, ['bin/curvature.mjs', ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), err: '' };
      } catch (e) {
        const x = e as { status: number; stdout: string; stderr: string };
        return { code: x.status, out: x.stdout, err: x.stderr };
      }
    };
    const info = run(['info', '--json', '--backend', 'onnxruntime']);
    expect(info.code).toBe(0);
    const report = JSON.parse(info.out) as { devices: DeviceReport[] };
    const byName = new Map(report.devices.map((d) => [d.name, d]));
    for (const d of ONNX_DEVICES) expect(byName.has(`onnxruntime ${d}`)).toBe(true);
    const gpuPassed = report.devices.some((d) => d.name !== 'onnxruntime cpu' && d.status === 'passed');
    if (!gpuPassed) expect(byName.get('onnxruntime cpu')).toMatchObject({ status: 'chosen', reason: 'no GPU device here passed its self-test' });
    for (const d of report.devices) if (d.status === 'unavailable' || d.status === 'refused') expect(d.reason).toBeTruthy();
    if (byName.get('onnxruntime webgpu')!.status === 'unavailable') {
      const refused = run(['info', '--backend', 'onnxruntime'], { CURVATURE_DEVICE: 'webgpu' });
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(/Device webgpu was requested but is unavailable: no adapter/);
    }
    const bogus = run(['info'], { CURVATURE_DEVICE: 'tpu' });
    expect(bogus.err).toMatch(/CURVATURE_DEVICE="tpu" is not a device; use one of auto, cpu, webgpu, dml, cuda/);
  }, 120_000);
});

describe('CPU-fallback refusal', () => {
  function tinyModel(): Uint8Array {
    const t = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } });
    const model = ONNX.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        node: [
          { opType: 'Add', input: ['a', 'a'], output: ['c'], name: 'double' },
          { opType: 'Neg', input: ['c'], output: ['d'], name: 'negate' },
        ],
        input: [t('a')],
        output: [t('d')],
      },
    });
    return ONNX.ModelProto.encode(model).finish();
  }

  // What this proves without a GPU: session.disable_cpu_ep_fallback reaches onnxruntime through the
  // binding, onnxruntime's refusal is recognised, and the nodes are named from onnxruntime's own
  // placement log. On the CPU device every node is "on the CPU", so every node is named; on a GPU
  // only the nodes the provider lacks would be (that split is parsed in the next test, from the
  // log format onnxruntime writes, not from a GPU run).
  it('a session that forbids the CPU provider is refused, naming the nodes onnxruntime put there', () => {
    const model = tinyModel();
    expect(modelNodes(model)).toEqual(['Add (double)', 'Neg (negate)']);
    let caught: unknown;
    try {
      new OnnxSession(model, { threads: 1, device: 'cpu', forbidCpuFallback: true }, () => {});
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DeviceRefusal);
    expect((caught as DeviceRefusal).kind).toBe('refused');
    expect((caught as DeviceRefusal).reason).toBe('2 nodes of the training graph would run on the CPU: Add (double), Neg (negate)');
    // The same model without the flag runs: the refusal came from the flag, not from the graph.
    const ok = new OnnxSession(model, { threads: 1 }, () => {});
    ok.dispose();
  });

  it('on a real training graph too, and the training graphs hold no shape arithmetic a GPU provider would leave on the CPU', () => {
    const stack = SELF_TEST_CASES[1].stack;
    const model = buildGraph(stack, 'gradient');
    const nodes = modelNodes(model);
    expect(nodes.some((n) => n.startsWith('Shape '))).toBe(false);
    expect(() => new OnnxSession(model, { threads: 1, forbidCpuFallback: true }, () => {})).toThrow(
      `cpu: ${nodes.length} nodes of the training graph would run on the CPU: ${nodes.slice(0, 6).join(', ')}, and ${nodes.length - 6} more`,
    );
  });

  it('reads the mixed placement onnxruntime logs when a provider lacks some nodes', () => {
    // The format of onnxruntime's VerifyEachNodeIsAssignedToAnEp (session_state.cc) at verbose level.
    const log = [
      '[V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
      '[V:onnxruntime:, session_state.cc:1386 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 40',
      '  Gemm (Gemm_3), Tanh (Tanh_4), ',
      '[V:onnxruntime:, session_state.cc:1386 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2',
      '  Erf (Erf_7), And (And_9), ',
    ].join('\n');
    expect(cpuNodesFromLog(log, [])).toEqual(['Erf (Erf_7)', 'And (And_9)']);
    expect(cpuNodesFromLog('All nodes placed on [CPUExecutionProvider]. Number of nodes: 2', ['A (a)', 'B (b)'])).toEqual(['A (a)', 'B (b)']);
    expect(cpuNodesFromLog('All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 2', ['A (a)'])).toBeNull();
  });
});

describe('self-test', () => {
  it("its float64 reference agrees with the test suite's reference on every case", () => {
    for (const c of SELF_TEST_CASES) {
      const p = selfTestProblem(c);
      const mine = referenceLossAndGradient(c.stack, p.theta, p.x, p.y, p.rows);
      const theirs = reference(c.stack, p.theta, p.x, p.y, p.rows);
      expect(Math.abs(mine.loss - theirs.loss)).toBeLessThan(1e-6 * Math.max(1, Math.abs(theirs.loss)));
      for (let k = 0; k < mine.grad.length; k++) expect(Math.abs(mine.grad[k] - theirs.grad[k])).toBeLessThan(1e-6);
    }
  });

  it('passes the onnxruntime CPU engine and refuses an engine that is wrong on one net, naming it', () => {
    const cpu = createOnnxEngine({ threads: 1 });
    const ok = selfTestEngine(cpu);
    expect(ok.passed).toBe(true);
    expect(ok.error).toBeLessThanOrEqual(1e-4);
    // The same engine with its softmax-net gradient off by 3 %: what a provider's bad kernel looks like.
    const skewed: ComputeEngine = {
      ...cpu,
      compile(stack, precision) {
        const program = cpu.compile(stack, precision);
        if (stack.loss !== 'softmax-crossentropy') return program;
        return {
          ...program,
          upload: program.upload.bind(program),
          dispose: program.dispose.bind(program),
          valueAndGradient(theta, data, grad, options) {
            const f = program.valueAndGradient(theta, data, grad, options);
            for (let k = 0; k < grad.length; k++) grad[k] *= 1.03;
            return f;
          },
        } as StackProgram;
      },
    };
    const bad = selfTestEngine(skewed);
    expect(bad.passed).toBe(false);
    expect(bad.reason).toBe('self-test error 3e-2 on tanh → softmax (softmax-crossentropy) (limit 1e-4)');
  });
});

/** An engine whose evaluations cost `ms` on a fake clock (or throw). */
function fakeEngine(clock: { t: number }, ms: number | Error, calls: { n: number } = { n: 0 }): ComputeEngine {
  const program: StackProgram = {
    precision: 'float32',
    upload: (_x, _y, rows) => ({ rows, dispose() {} }) as EngineDataset,
    valueAndGradient() {
      if (ms instanceof Error) throw ms;
      calls.n++;
      clock.t += ms;
      return 1;
    },
    predict: () => ({ loss: 1, outputs: new Float32Array(0) }),
    liveResources: () => 0,
    dispose() {},
  };
  return { name: 'onnxruntime', label: `fake ${String(ms)}`, precisions: ['float32'], compile: () => program };
}

const stack: DenseStack = SELF_TEST_CASES[1].stack;

describe('choice by measurement', () => {
  it('picks the fastest timed device; ties keep the earlier (the CPU); the others say how much slower', () => {
    const reports: DeviceReport[] = [
      { name: 'onnxruntime cpu', status: 'passed', msPerEval: 12 },
      { name: 'onnxruntime webgpu', status: 'passed', msPerEval: 3 },
      { name: 'onnxruntime cuda', status: 'unavailable', reason: 'provider library not installed' },
      { name: 'onnxruntime dml', status: 'refused', msPerEval: 1, reason: 'self-test error 3e-2 on softmax' },
    ];
    expect(pickFastest(reports)).toBe(1);
    expect(reports[1]).toMatchObject({ status: 'chosen', reason: 'fastest on this model' });
    expect(reports[0]).toMatchObject({ status: 'passed', reason: '4.0× the time of onnxruntime webgpu' });
    expect(formatDevice(reports[0])).toBe('onnxruntime cpu: passed, 12.0 ms/evaluation — 4.0× the time of onnxruntime webgpu');
    expect(formatDevice(reports[3])).toBe('onnxruntime dml: refused — self-test error 3e-2 on softmax');
    expect(reports[3].status).toBe('refused'); // fastest of all, but refused devices never win
    const tie: DeviceReport[] = [
      { name: 'cpu', status: 'passed', msPerEval: 5 },
      { name: 'gpu', status: 'passed', msPerEval: 5 },
    ];
    expect(pickFastest(tie)).toBe(0);
    expect(pickFastest([{ name: 'x', status: 'refused' }])).toBe(-1);
  });

  it('times a few evaluations within the budget, after an untimed warm-up', () => {
    const clock = { t: 0 };
    const c: Clock = { now: () => clock.t };
    const calls = { n: 0 };
    const program = fakeEngine(clock, 400, calls).compile(stack);
    const data = program.upload(new Float32Array(0), new Float32Array(0), 1);
    expect(timeEvaluations(program, new Float64Array(1), data, { budgetMs: 1000, clock: c })).toBe(400);
    expect(calls.n).toBe(1 + 3); // warm-up, then 0, 400, 800 ms into the budget
    const fast = { n: 0 };
    timeEvaluations(fakeEngine(clock, 1, fast).compile(stack), new Float64Array(1), data, { budgetMs: 1000, clock: c });
    expect(fast.n).toBe(1 + 5); // at most five timed
  });

  it('races candidates with injected timings: the fastest wins, a failing one is refused with its reason', () => {
    const clock = { t: 0 };
    const c: Clock = { now: () => clock.t };
    const cands: Candidate[] = [
      { report: { name: 'onnxruntime cpu', status: 'passed' }, engine: fakeEngine(clock, 20) },
      { report: { name: 'onnxruntime webgpu', status: 'passed' }, engine: fakeEngine(clock, 4) },
      { report: { name: 'onnxruntime cuda', status: 'passed' }, engine: fakeEngine(clock, new DeviceRefusal('cuda', '3 nodes of the training graph would run on the CPU: Erf (Erf_1)')) },
    ];
    expect(raceCandidates(cands, stack, { rows: 4, clock: c })).toBe(1);
    expect(cands.map((x) => x.report.status)).toEqual(['passed', 'chosen', 'refused']);
    expect(cands[2].report.reason).toBe('3 nodes of the training graph would run on the CPU: Erf (Erf_1)');
    expect(cands[0].report.msPerEval).toBe(20);
  });

  it('the measured engine races once per model, compiles on the winner, and keeps float64 on the CPU', () => {
    const clock = { t: 0 };
    const cpuCalls = { n: 0 };
    const gpuCalls = { n: 0 };
    const cpu: Candidate = { report: { name: 'onnxruntime cpu', status: 'passed' }, engine: { ...fakeEngine(clock, 2, cpuCalls), precisions: ['float32', 'float64'] } };
    const gpu: Candidate = { report: { name: 'onnxruntime webgpu', status: 'passed' }, engine: { ...fakeEngine(clock, 9, gpuCalls), label: 'gpu' } };
    const engine = measuredEngine([gpu], cpu, { rows: 4, clock: { now: () => clock.t } });
    engine.compile(stack);
    expect(cpu.report.status).toBe('chosen'); // a small model: the CPU is faster
    const afterRace = gpuCalls.n;
    engine.compile(stack); // same model: no second race
    expect(gpuCalls.n).toBe(afterRace);
    engine.compile(stack, 'float64');
    expect(cpu.report.reason).toMatch(/float64 runs stay on the CPU \(GPU devices compute float32\)/);
  });
});

describe('npm run gpu-check', () => {
  it('runs here and reports the devices, and "no GPU device" cleanly when there is none, exit 0', () => {
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'bench/gpu-check.ts', '--quick'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    for (const d of ONNX_DEVICES) expect(stdout).toMatch(new RegExp(`^- onnxruntime ${d}: (passed|chosen|refused|unavailable)`, 'm'));
    expect(stdout).toMatch(/^- onnxruntime cpu: passed, self-test error \d\.\de-\d+/m);
    const gpuPassed = /^- (onnxruntime (webgpu|dml|cuda)|tensorflow-gpu): passed/m.test(stdout);
    if (!gpuPassed) expect(stdout).toMatch(/^no GPU device \(cuda \w+, dml \w+, webgpu \w+, tensorflow-gpu \w+: the reasons are above\)/m);
    expect(stdout).toMatch(/^\| 64-64-10 \(1437 rows\) \| \d+(\.\d+)? ms/m);
    expect(stdout).toMatch(/^- onnxruntime cpu: f \d/m);
  }, 120_000);
});

describe('devices in a run', () => {
  it('the measured engine computes exactly what the device it chose computes (two real onnxruntime engines standing in for CPU and GPU)', () => {
    const cpuEngine = createOnnxEngine({ threads: 1 });
    const other = createOnnxEngine({ threads: 2 });
    const cpu: Candidate = { report: { name: 'onnxruntime cpu', status: 'passed' }, engine: cpuEngine };
    const gpu: Candidate = { report: { name: 'stand-in', status: 'passed' }, engine: other };
    const engine = measuredEngine([gpu], cpu, { budgetMs: 50 });
    const c = SELF_TEST_CASES[1];
    const p = selfTestProblem(c);
    const program = engine.compile(c.stack, 'float32', { rows: p.rows });
    expect([cpu.report.status, gpu.report.status].filter((s) => s === 'chosen')).toHaveLength(1);
    expect(cpu.report.msPerEval).toBeGreaterThan(0);
    expect(gpu.report.msPerEval).toBeGreaterThan(0);
    const direct = cpuEngine.compile(c.stack);
    const g1 = new Float64Array(c.stack.parameterCount);
    const g2 = new Float64Array(c.stack.parameterCount);
    const f1 = program.valueAndGradient(p.theta, program.upload(p.x, p.y, p.rows), g1);
    const f2 = direct.valueAndGradient(p.theta, direct.upload(p.x, p.y, p.rows), g2);
    expect(f1).toBe(f2);
    expect(g1).toEqual(g2);
    program.dispose();
    direct.dispose();
  });

  it("a run's summary carries the device list", async () => {
    const { startExperiment } = await import('../../../app/train/runner');
    const { loadExample, EXAMPLES_DIR } = await import('../../../app/examples');
    const { parseExperiment } = await import('../../../app/schema/experiment');
    const experiment = parseExperiment({ ...loadExample('seed'), engine: { backend: 'onnxruntime', device: 'cpu' } });
    const outcome = await startExperiment(experiment, { baseDir: EXAMPLES_DIR, onEvent: () => {} }).done;
    const devices = outcome.runs[0].summary.engine?.devices ?? [];
    expect(devices.map((d) => d.name)).toEqual(expect.arrayContaining(ONNX_DEVICES.map((d) => `onnxruntime ${d}`)));
    expect(devices.find((d) => d.name === 'onnxruntime cpu')).toMatchObject({ status: 'chosen', reason: 'requested' });
  }, 120_000);
});

describe('graphs for WebGPU', () => {
  // WebGPU has no LogSoftmax or Selu kernel; the rewritten graphs must compute the same values.
  // Run here on the CPU provider, which proves the rewrite's arithmetic, not WebGPU's.
  it('spells LogSoftmax and Selu with ops WebGPU has, to the same loss and gradient', async () => {
    const { portableModel } = await import('../../../app/engine/onnx/portable');
    const { denseStack } = await import('../../../support/denseReference');
    const { onnxRuntime } = await import('../../../app/engine/onnx/runtime');
    const { parameterBlocks, INPUT_X, INPUT_Y, OUTPUT_GRAD, OUTPUT_LOSS } = await import('../../../app/engine/onnx/graph');
    const stacks = [
      denseStack(5, [{ units: 6, activation: 'selu' }, { units: 3, activation: 'softmax' }], 'softmax-crossentropy'),
      denseStack(5, [{ units: 6, activation: 'tanh' }, { units: 3, activation: 'selu' }], 'mse'),
    ];
    const { Tensor } = onnxRuntime();
    for (const stack of stacks) {
      const original = buildGraph(stack, 'gradient');
      const rewritten = portableModel(original, 'webgpu');
      expect(portableModel(original, 'cpu')).toBe(original);
      const ops = modelNodes(rewritten).map((n) => n.split(' ')[0]);
      expect(ops).not.toContain('LogSoftmax');
      expect(ops).not.toContain('Selu');
      expect(modelNodes(original).length).toBeLessThan(ops.length);
      const p = selfTestProblem({ name: 'x', stack });
      const theta32 = Float32Array.from(p.theta);
      const feeds: Record<string, unknown> = {
        [INPUT_X]: new Tensor('float32', p.x, [p.rows, stack.inputDim]),
        [INPUT_Y]: new Tensor('float32', p.y, [p.rows, stack.layers[stack.layers.length - 1].units]),
      };
      for (const b of parameterBlocks(stack)) feeds[b.input] = new Tensor('float32', theta32.subarray(b.offset, b.offset + b.size), b.dims);
      const run = (model: Uint8Array) => {
        const s = new OnnxSession(model, { threads: 1 }, () => {});
        const out = s.run(feeds as never, { [OUTPUT_LOSS]: null, [OUTPUT_GRAD]: null });
        s.dispose();
        return { loss: (out[OUTPUT_LOSS].data as Float32Array)[0], grad: Float64Array.from(out[OUTPUT_GRAD].data as Float32Array) };
      };
      const a = run(original);
      const b = run(rewritten);
      expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-6 * Math.abs(a.loss));
      const scale = Math.max(...a.grad.map(Math.abs));
      for (let k = 0; k < a.grad.length; k++) expect(Math.abs(a.grad[k] - b.grad[k])).toBeLessThanOrEqual(1e-6 * scale);
    }
  });
});
