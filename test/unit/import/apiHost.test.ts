/**
 * "Start from model…" through the real ApiHost: only a dialog or upload handle names the model file,
 * a real helper process (not the host) reads it, and startExperiment swaps the page's file name for
 * the registered path. Experiment trainers are fakes that record their commands.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiHost } from '../../../main/host/api-host';
import { FileRegistry } from '../../../main/host/file-registry';
import type { HostPlatform } from '../../../main/host/platform';
import { TrainerHost } from '../../../main/host/trainer-host';
import type { TrainerProcess } from '../../../main/host/trainer-process';
import { nodeTrainerLauncher } from '../../../main/host/node-launcher';
import type { TrainerCommand } from '../../../main/trainer/protocol';
import type { FileHandle, ModelImportInfo } from '../../../app/api/contract';
import { seedExperiment } from '../../integration/helpers';
import { KERAS } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-api-model-'));
const hosts: TrainerHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.shutdown()));
  fs.rmSync(tmp, { recursive: true, force: true });
});
const realLaunch = nodeTrainerLauncher();
const MODEL = path.join(KERAS, 'legacy-h5/keras2.11.0_sequential_dense_activation.h5');

function host(chooseModel?: () => Promise<string | null>) {
  const sent: TrainerCommand[] = [];
  const fake = (): TrainerProcess => {
    let exited: ((info: { code: number | null; signal: string | null }) => void) | undefined;
    return {
      pid: 1,
      send: (c) => sent.push(c),
      onMessage: (l) => queueMicrotask(() => l({ type: 'ready', pid: 1 })),
      onStderr: () => {},
      onExit: (l) => (exited = l),
      kill: () => exited?.({ code: null, signal: 'SIGKILL' }),
    };
  };
  const platform: HostPlatform = {
    transport: chooseModel ? 'electron' : 'websocket',
    chooseDataset: async () => null,
    ...(chooseModel && { chooseModel }),
    chooseExperimentFile: async () => null,
    saveExperiment: async () => null,
    chooseExportDirectory: async () => null,
    deliverExport: async (r) => r,
    saveResultFile: async () => null,
  };
  const launch = (role?: 'experiment' | 'helper') => (role === 'helper' ? realLaunch(role) : fake());
  const trainers = new TrainerHost({ launch, onEvent: () => {}, shutdownGraceMs: 200 });
  hosts.push(trainers);
  const api = new ApiHost({ platform, trainers, files: new FileRegistry(), examplesDir: tmp, uploadDir: path.join(tmp, 'uploads') });
  return { api, sent };
}

describe('model import over the API', () => {
  it('a dialog-chosen model is read by the host: layers, format and input width for the editor', async () => {
    const { api } = host(async () => MODEL);
    const handle = (await api.invoke('chooseModel', {})) as FileHandle;
    const info = (await api.invoke('importModel', { file: handle.token })) as ModelImportInfo;
    expect(info).toMatchObject({ fileName: path.basename(MODEL), format: 'Keras HDF5 model', inputDim: 8 });
    expect(info.layers.map((l) => [l.name, l.units, l.activation])).toEqual([['fc1', 4, 'relu'], ['fc2', 2, 'relu']]);
  });

  it('browser mode uploads the model; paths typed by the page are refused everywhere', async () => {
    const { api, sent } = host();
    await expect(api.invoke('chooseModel', {})).rejects.toThrow(/Browser mode has no file dialog/);
    await expect(api.invoke('importModel', { file: MODEL })).rejects.toThrow(/^file: .*Unknown file handle/);
    const upload = (await api.invoke('uploadFile', { name: 'model.h5', base64: fs.readFileSync(MODEL).toString('base64') })) as FileHandle;
    const info = (await api.invoke('importModel', { file: upload.token })) as ModelImportInfo;
    expect(info.layers).toHaveLength(2);

    const seed = seedExperiment();
    const withModel = { ...seed, model: { ...seed.model, from: '/etc/passwd' } };
    await expect(api.invoke('startExperiment', { experiment: withModel })).rejects.toThrow(/^model\.from: choose the model again with Start from model/);
    await expect(api.invoke('startExperiment', { experiment: withModel, modelFile: '/etc/passwd' })).rejects.toThrow(/^modelFile: .*Unknown file handle/);
    expect(sent.filter((c) => c.type === 'start')).toHaveLength(0);
    // With the handle, the trainer gets the registered path in place of what the page wrote.
    await api.invoke('startExperiment', { experiment: withModel, modelFile: upload.token });
    await new Promise((r) => setTimeout(r, 50));
    const start = JSON.stringify(sent.filter((c) => c.type === 'start'));
    expect(start).toMatch(/"from":"[^"]*uploads[^"]*model\.h5"/);
    expect(start).not.toContain('/etc/passwd');
  });

  it('an unsupported file comes back as the importer’s clear error', async () => {
    const { api } = host(async () => path.join(KERAS, 'keras3/keras3.15.0_nested_dense_container.keras'));
    const handle = (await api.invoke('chooseModel', {})) as FileHandle;
    await expect(api.invoke('importModel', { file: handle.token })).rejects.toThrow(/subclassed Keras model "NestedDenseModel"/);
  });

  it('a TF.js model.json uploaded with its shard as one set opens; alone, the error names the missing shard', async () => {
    const { api } = host();
    const dir = path.join(KERAS, 'tfjs/abalone-node');
    const file = (name: string) => ({ name, base64: fs.readFileSync(path.join(dir, name)).toString('base64') });
    const set = (await api.invoke('uploadFileSet', { files: [file('model.json'), file('weights.bin')] })) as FileHandle;
    expect(set.name).toBe('model.json');
    const info = (await api.invoke('importModel', { file: set.token })) as ModelImportInfo;
    expect(info.format).toMatch(/TF\.js/);
    const alone = (await api.invoke('uploadFile', file('model.json'))) as FileHandle;
    const err = await api.invoke('importModel', { file: alone.token }).catch((e: Error) => e.message);
    expect(err).toMatch(/weight file "weights\.bin" is missing/);
    expect(err).not.toMatch(/ENOENT/);
    await expect(api.invoke('uploadFileSet', { files: [file('model.json'), file('model.json')] })).rejects.toThrow(/model\.json: chosen twice/);
  });
});
