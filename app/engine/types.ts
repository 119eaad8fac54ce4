/** Which compute engine runs the forward/backward passes, and why. */
import type { EngineName, Precision } from './engine';

export interface EngineReport {
  /** Curvature's name for the engine chosen. */
  name: EngineName;
  /** tfjs backend id as registered (tensorflow, wasm, cpu); with onnxruntime, the one exports use. */
  tfBackend: string;
  /** Human label, e.g. "TensorFlow CUDA — NVIDIA A100" or "onnxruntime 1.30 (CPU, 2 threads)". */
  label: string;
  /** Device description. */
  device: string;
  /** Package and version that provides it. */
  package: string;
  version: string;
  /** Each engine tried before (or instead of) this one, with the reason it was not used. */
  skipped: { name: EngineName; reason: string }[];
  /** How the choice was made: automatic, or an override (CURVATURE_BACKEND, experiment, --backend, GUI). */
  selection: 'auto' | 'override';
  /** Where an override came from, when there was one. */
  overrideSource?: 'env' | 'experiment' | 'option';
  /** Intra-op threads, for engines that have a setting (onnxruntime). */
  threads?: number;
  /** The precisions the chosen engine computes. */
  precisions?: Precision[];
  /** Which engine float64 runs get (tfjs has no float64), and why not onnxruntime when it is js64. */
  float64?: { name: EngineName; reason?: string };
  /**
   * Every compute device considered (onnxruntime's cpu, webgpu, dml, cuda; tensorflow-gpu), each
   * with its result or the reason it is not used. Absent from reports made before devices existed.
   */
  devices?: DeviceReport[];
}

/** One candidate device of the engine choice (docs/gpu.md). */
export interface DeviceReport {
  /** "onnxruntime cpu", "onnxruntime webgpu", "onnxruntime dml", "onnxruntime cuda", "tensorflow-gpu". */
  name: string;
  /**
   * chosen: computes the runs; passed: passed its self-test (and, when timed, was slower);
   * refused: started but failed the self-test or would put nodes on the CPU; unavailable: not here.
   */
  status: 'chosen' | 'passed' | 'refused' | 'unavailable';
  /** Why it is refused or unavailable, or what decided the choice. */
  reason?: string;
  /** Largest relative error of the self-test against the float64 reference. */
  selfTestError?: number;
  /** Median ms per value-and-gradient evaluation on the model, once the timing probe ran. */
  msPerEval?: number;
}
