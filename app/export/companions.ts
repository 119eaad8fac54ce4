/**
 * The files an exported experiment.json needs beside it to run again: its data (and an .npy target,
 * a start-from model, initial weights). The bundle names each by file name only, relative to
 * experiment.json, and the README says which file goes where with its size and SHA-256 — a path
 * from the machine that trained (a browser-mode upload folder, deleted when the server stops) would
 * make `curvature run experiment.json` refuse the bundle.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Experiment } from '../schema/experiment';

export interface CompanionFile {
  /** What the file is for, in a few words ("data", "model to start from"). */
  role: string;
  /** The name experiment.json uses for it, beside itself. */
  name: string;
  /** Size and SHA-256 of the file the run read; absent when it could not be read at export time. */
  bytes?: number;
  sha256?: string;
}

function fileName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

/** The experiment as the bundle stores it: every file it names, by file name only. */
export function portableExperiment(experiment: Experiment): Experiment {
  const e: Experiment = { ...experiment, data: { ...experiment.data }, model: { ...experiment.model } };
  const source = experiment.data.source;
  if (source.kind === 'file') {
    e.data.source = { ...source, path: fileName(source.path), ...(source.targetPath ? { targetPath: fileName(source.targetPath) } : {}) };
  }
  if (experiment.model.from !== undefined) e.model.from = fileName(experiment.model.from);
  if (experiment.initialWeights && 'path' in experiment.initialWeights) e.initialWeights = { path: fileName(experiment.initialWeights.path) };
  return e;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The files experiment.json reads, as they were when the run read them (paths resolved against baseDir). */
export async function companionFiles(experiment: Experiment, baseDir: string): Promise<CompanionFile[]> {
  const wanted: { role: string; path: string }[] = [];
  const source = experiment.data.source;
  if (source.kind === 'file') {
    wanted.push({ role: 'data', path: source.path });
    if (source.targetPath) wanted.push({ role: 'target values', path: source.targetPath });
  }
  if (experiment.model.from !== undefined) wanted.push({ role: 'model to start from', path: experiment.model.from });
  if (experiment.initialWeights && 'path' in experiment.initialWeights) wanted.push({ role: 'initial weights', path: experiment.initialWeights.path });
  const out: CompanionFile[] = [];
  for (const w of wanted) {
    const file = path.resolve(baseDir, w.path);
    const c: CompanionFile = { role: w.role, name: fileName(w.path) };
    try {
      const st = statSync(file);
      if (st.isFile()) Object.assign(c, { bytes: st.size, sha256: await sha256(file) });
    } catch {
      // Gone since the run (a removed upload): the README still names it, without a checksum.
    }
    out.push(c);
  }
  return out;
}
