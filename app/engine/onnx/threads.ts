/**
 * Physical CPU cores, the default intra-op thread count: onnxruntime's GEMM kernels saturate a core's
 * vector units, so a second hyper-thread on the same core only adds contention.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Distinct (physical id, core id) pairs in /proc/cpuinfo, or null when it cannot tell. */
export function coresFromCpuinfo(text: string): number | null {
  const cores = new Set<string>();
  let physical = '0';
  let sawCoreId = false;
  for (const line of text.split('\n')) {
    const [key, value] = line.split(':').map((s) => s?.trim());
    if (key === 'physical id') physical = value ?? '0';
    else if (key === 'core id') {
      sawCoreId = true;
      cores.add(`${physical}/${value}`);
    } else if (key === 'processor') physical = '0';
  }
  return sawCoreId && cores.size > 0 ? cores.size : null;
}

export function physicalCores(): number {
  // What this process may use (affinity, cgroup quota on recent Node): never exceed it.
  const usable = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  let physical: number | null = null;
  if (process.platform === 'linux') {
    try {
      physical = coresFromCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      physical = null;
    }
  }
  // macOS on Apple silicon has no SMT; elsewhere without /proc the logical count is the best guess.
  return Math.max(1, Math.min(usable, physical ?? usable));
}
