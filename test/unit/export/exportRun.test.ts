import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkExportDestination, EXPORT_MARKER, exportRun, ExportError, removeLiveStagingSync, type ExportRequest } from '../../../app/export';
import { parseExperiment } from '../../../app/schema/experiment';
import type { IterationPoint, RunSummary } from '../../../app/train/events';
import type { Preprocessing } from '../../../app/data/types';
import { EXPORT_FORMATS } from '../../../app/api/contract';
import { buildLayersModel, predictRows } from '../../../app/model/tfModel';
import { CLASSIFIER, loadTfjsFromDisk, makeLayers, makeRows, maxRelativeError, tempDir } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const preprocessing: Preprocessing = {
  featureColumns: ['sepal_length', 'sepal_width', 'petal_length', 'colour'],
  inputNames: ['sepal_length', 'sepal_width', 'petal_length', 'colour=red'],
  standardization: [
    { column: 'sepal_length', mean: 5.84, scale: 0.83 },
    { column: 'sepal_width', mean: 3.05, scale: 0.43 },
    { column: 'petal_length', mean: 3.76, scale: 1.76 },
  ],
  oneHot: [{ column: 'colour', categories: ['red'] }],
  target: 'species',
  task: 'multiclass',
  classLabels: ['setosa', 'versicolor', 'virginica'],
  missing: { policy: 'drop', droppedRows: 2, filledCells: 0 },
};

function point(i: number, extra: Partial<IterationPoint> = {}): IterationPoint {
  return {
    iteration: i,
    f: 1 / (i + 1),
    trainLoss: 0.9 / (i + 1),
    validationLoss: 1.1 / (i + 1),
    validationAccuracy: 0.5 + i / 10,
    gradInfNorm: 0.1 / (i + 1),
    gradNorm2: 0.2 / (i + 1),
    step: i === 0 ? 0 : 1,
    stepNorm: i === 0 ? 0 : 0.05,
    lineSearchEvaluations: i === 0 ? 0 : 1,
    curvature: i === 0 ? null : 0.01,
    pairSkipped: false,
    memoryReset: false,
    functionEvaluations: i + 1,
    gradientEvaluations: i + 1,
    elapsedMs: 3 * i,
    ...extra,
  };
}

const summary: RunSummary = {
  runId: 'lbfgs-1',
  optimizer: 'lbfgs',
  label: 'L-BFGS (m=10)',
  status: 'gradient-tolerance',
  success: true,
  message: 'gradient norm below tolerance',
  iterations: 3,
  functionEvaluations: 4,
  gradientEvaluations: 4,
  trainLoss: 0.225,
  objective: 0.25,
  metrics: { validationLoss: 0.275, validationAccuracy: 0.8 },
  seconds: 0.01,
};

function request(directory: string, over: Partial<ExportRequest> = {}): ExportRequest {
  const experiment = parseExperiment({
    name: 'Iris, "quoted", name',
    data: { source: { kind: 'file', path: 'iris.csv' }, target: 'species' },
    model: { layers: [{ units: 8, activation: 'tanh' }, { units: 3, activation: 'softmax' }] },
    runs: [{ optimizer: { kind: 'lbfgs' } }],
  });
  return {
    directory,
    formats: [...EXPORT_FORMATS],
    experiment,
    summary,
    layers: makeLayers(CLASSIFIER.inputDim, CLASSIFIER.plan),
    inputDim: CLASSIFIER.inputDim,
    preprocessing,
    history: [0, 1, 2, 3].map((i) => point(i)),
    ...over,
  };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

describe('exportRun', () => {
  it('names the data file relative to experiment.json and gives its size and SHA-256 in the README', async () => {
    const uploads = join(await tempDir(), 'uploads', '3f9a');
    await mkdir(uploads, { recursive: true });
    const data = join(uploads, 'held-out.csv');
    await writeFile(data, 'a,b,species\n1,2,x\n');
    const dir = join(await tempDir(), 'bundle');
    const base = request(dir, { formats: ['json'] });
    const experiment = { ...base.experiment, data: { ...base.experiment.data, source: { kind: 'file' as const, path: data } } };
    await exportRun({ ...base, experiment });
    const written = parseExperiment(JSON.parse(await readFile(join(dir, 'experiment.json'), 'utf8')));
    expect(written.data.source).toEqual({ kind: 'file', path: 'held-out.csv' });
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    const sha = spawnSync('sha256sum', [data], { encoding: 'utf8' }).stdout.split(' ')[0];
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(readme).toContain(`| \`held-out.csv\` | data | 18 | \`${sha}\` |`);
    expect(readme).toContain('curvature run experiment.json');
    expect(readme).not.toContain(uploads);
  });

  it('writes every format plus the reproducibility bundle, and the folder loads in tfjs and onnxruntime', async () => {
    const dir = join(await tempDir(), 'nested', 'run-export');
    const req = request(dir);
    const result = await exportRun(req);
    expect(result.directory).toBe(dir);
    const expected = [
      'model.json',
      'group1-shard1of1.bin',
      'model.keras',
      'model.h5',
      'model.onnx',
      'weights.npz',
      'weights.json',
      // The performance plot (from the history; predictions would add the regression or confusion plots).
      'plot-performance.png',
      'plot-performance.csv',
      'experiment.json',
      'preprocessing.json',
      'history.csv',
      'summary.json',
      'README.md',
    ];
    expect(result.files).toEqual(expected);
    expect((await readdir(dir)).sort()).toEqual([...expected, EXPORT_MARKER].sort());
    const marker = JSON.parse(await readFile(join(dir, EXPORT_MARKER), 'utf8'));
    expect(marker).toMatchObject({ writer: 'curvature', kind: 'export', files: expected });
    expect(marker.description).toContain('lbfgs-1');
    // No staging or scratch leftovers next to or inside the destination.
    expect(await readdir(dirname(dir))).toEqual(['run-export']);

    const x = makeRows(100, 4);
    const source = buildLayersModel(req.layers, 4);
    const want = predictRows(source, x, 100, 4);
    source.dispose();
    const loaded = await loadTfjsFromDisk(join(dir, 'model.json'));
    expect(maxRelativeError(predictRows(loaded, x, 100, 4), want)).toBe(0);
    loaded.dispose();
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const out = await session.run({ input: new ort.Tensor('float32', x, [100, 4]) });
    await session.release();
    expect(maxRelativeError(out.output.data as Float32Array, want)).toBeLessThanOrEqual(1e-5);

    expect(parseExperiment(JSON.parse(await readFile(join(dir, 'experiment.json'), 'utf8')))).toEqual(req.experiment);
    expect(JSON.parse(await readFile(join(dir, 'preprocessing.json'), 'utf8'))).toEqual(preprocessing);
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toEqual(summary);

    const csv = (await readFile(join(dir, 'history.csv'), 'utf8')).trimEnd().split('\n');
    expect(csv).toHaveLength(5);
    const header = csv[0].split(',');
    expect(header.slice(0, 5)).toEqual(['iteration', 'f', 'trainLoss', 'validationLoss', 'validationAccuracy']);
    expect(header).toEqual(expect.arrayContaining(['gradInfNorm', 'curvature', 'pairSkipped', 'functionEvaluations', 'elapsedMs']));
    expect(header).not.toContain('validationR2'); // no point had it
    const row1 = Object.fromEntries(csv[1].split(',').map((v, i) => [header[i], v]));
    expect(row1).toMatchObject({ iteration: '0', f: '1', curvature: '', pairSkipped: 'false' });
    const row3 = Object.fromEntries(csv[3].split(',').map((v, i) => [header[i], v]));
    expect(Number(row3.f)).toBe(1 / 3);

    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    for (const needle of [
      'keras.saving.load_model("model.keras")',
      'load_model("model.h5"',
      "tf.loadLayersModel(",
      'onnxruntime',
      '`sepal_length`, `sepal_width`, `petal_length`, `colour`',
      '`colour` → `red`',
      '(raw - mean) / scale',
      '`setosa`, `versicolor`, `virginica`',
      'w["dense/kernel"]',
    ]) {
      expect(readme).toContain(needle);
    }
  });

  it('writes only the requested formats (bundle always)', async () => {
    const dir = join(await tempDir(), 'out');
    const result = await exportRun(request(dir, { formats: ['onnx', 'json'] }));
    expect(result.files).toEqual(['model.onnx', 'weights.json', 'plot-performance.png', 'plot-performance.csv', 'experiment.json', 'preprocessing.json', 'history.csv', 'summary.json', 'README.md']);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).not.toContain('model.keras');
  });

  it('names Levenberg–Marquardt / Bayesian regularization, its solver and γ in the README, and μ, γ in history.csv', async () => {
    const dir = join(await tempDir(), 'out');
    const brSummary: RunSummary = {
      ...summary,
      runId: 'br',
      optimizer: 'br',
      label: 'Bayesian regularization',
      levenbergMarquardt: {
        solver: 'dense Cholesky on JᵀJ (n = 51)',
        mu: 5e-5,
        jacobianEvaluations: 12,
        effectiveParameters: 23.4,
        alpha: 0.01,
        beta: 40,
        sumSquaredWeights: 1170,
        effectiveParametersText: 'Effective # parameters 23.4 of 51',
      },
    };
    const history = [0, 1, 2].map((i) => point(i, { mu: 5e-3 / 10 ** i, jacobianEvaluations: i + 1, effectiveParameters: 20 + i, alpha: 0.01, beta: 40, sumSquaredWeights: 1000 }));
    await exportRun(request(dir, { formats: ['json'], summary: brSummary, history }));
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('# Iris, "quoted", name — Bayesian regularization');
    expect(readme).toContain('Method: Bayesian regularization — dense Cholesky on JᵀJ (n = 51); 12 Jacobians');
    expect(readme).toContain('Effective # parameters 23.4 of 51');
    const csv = (await readFile(join(dir, 'history.csv'), 'utf8')).trimEnd().split('\n');
    const header = csv[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['mu', 'jacobianEvaluations', 'effectiveParameters', 'alpha', 'beta', 'sumSquaredWeights']));
    const row = Object.fromEntries(csv[2].split(',').map((v, i) => [header[i], v]));
    expect(Number(row.mu)).toBeCloseTo(5e-4, 12);
    expect(row.effectiveParameters).toBe('21');
  });

  it('refuses a folder Curvature did not write, with or without overwrite, and leaves it untouched', async () => {
    const dir = join(await tempDir(), 'out');
    await mkdir(dir);
    await writeFile(join(dir, 'keep.txt'), 'user data');
    for (const overwrite of [false, true]) {
      await expect(exportRun(request(dir, { formats: ['json'], overwrite }))).rejects.toThrow(
        `${dir}: destination folder is not empty and will not be replaced: it has no ${EXPORT_MARKER} marker, so Curvature did not write it (it holds "keep.txt")`,
      );
    }
    expect(await readdir(dir)).toEqual(['keep.txt']);
    expect(await readdir(dirname(dir))).toEqual(['out']);
  });

  it('replaces an earlier export only with overwrite, says what it replaced, and refuses one with foreign files added', async () => {
    const dir = join(await tempDir(), 'out');
    const first = await exportRun(request(dir, { formats: ['json'] }));
    expect(first.replaced).toBeUndefined();
    await expect(exportRun(request(dir, { formats: ['npz'] }))).rejects.toThrow(/holds an earlier Curvature export \(run "lbfgs-1" of experiment .* written \d{4}-.*\); allow overwrite/);
    const second = await exportRun(request(dir, { formats: ['npz'], overwrite: true }));
    expect(second.replaced).toMatch(/^replaced run "lbfgs-1" of experiment "Iris, \\"quoted\\", name" written \d{4}-\d\d-\d\dT.* \(8 files\)$/);
    expect((await readdir(dir)).sort()).toEqual([...second.files, EXPORT_MARKER].sort());
    expect(await readdir(dir)).not.toContain('weights.json');

    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(exportRun(request(dir, { formats: ['json'], overwrite: true }))).rejects.toThrow(/holds files Curvature did not write: "notes.txt"/);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    // A forged or broken marker does not make a folder replaceable.
    const forged = join(await tempDir(), 'forged');
    await mkdir(forged);
    await writeFile(join(forged, EXPORT_MARKER), '{"writer":"someone"}');
    await expect(exportRun(request(forged, { formats: ['json'], overwrite: true }))).rejects.toThrow(/not a marker Curvature wrote/);
  });

  it('cleans up staging folders an interrupted export left behind, restoring an interrupted overwrite', async () => {
    const base = await tempDir();
    const dir = join(base, 'out');
    await mkdir(join(base, '.out.partial-AbC123'));
    await writeFile(join(base, '.out.partial-AbC123', 'weights.json'), '[half');
    await mkdir(join(base, '.other.partial-XyZ789')); // another destination's: not ours to remove
    await exportRun(request(dir, { formats: ['json'] }));
    expect((await readdir(base)).sort()).toEqual(['.other.partial-XyZ789', 'out']);

    // SIGKILL between moving the old export aside and moving the new one in: the old one comes back, then is replaced.
    const prev = join(base, '.out.partial-Qq0000.previous');
    await import('node:fs/promises').then((f) => f.rename(dir, prev));
    await mkdir(join(base, '.out.partial-Qq0000'));
    await expect(exportRun(request(dir, { formats: ['npz'] }))).rejects.toThrow(/earlier Curvature export/);
    expect((await readdir(base)).sort()).toEqual(['.other.partial-XyZ789', 'out']);
    expect(await readdir(dir)).toContain('weights.json');
  });

  it('removeLiveStagingSync removes the staging folder of an export in progress (the Ctrl-C path)', async () => {
    const base = await tempDir();
    const dir = join(base, 'out');
    let removed: string[] = [];
    const slow = async (path: string, data: Uint8Array) => {
      await writeFile(path, data);
      if (removed.length === 0) removed = removeLiveStagingSync();
    };
    await expect(exportRun(request(dir, { formats: ['json'] }), { writeFile: slow })).rejects.toThrow(dir);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatch(/\.out\.partial-/);
    expect(await readdir(base)).toEqual([]);
  });

  it('checkExportDestination refuses foreign folders, files in the way and too little space before any work', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'foreign'));
    await writeFile(join(base, 'foreign', 'a'), 'x');
    await expect(checkExportDestination(join(base, 'foreign'), { overwrite: true })).rejects.toThrow(/will not be replaced/);
    await writeFile(join(base, 'file'), 'x');
    await expect(checkExportDestination(join(base, 'file', 'sub', 'out'))).rejects.toThrow(/ENOTDIR/);
    await expect(checkExportDestination(join(base, 'new', 'deep', 'out'), { estimatedBytes: 1e18 })).rejects.toThrow(/not enough free space in .*: the export needs about/);
    await expect(checkExportDestination(join(base, 'new', 'deep', 'out'), { estimatedBytes: 1024 })).resolves.toBeUndefined();
    expect((await readdir(base)).sort()).toEqual(['file', 'foreign']); // nothing created, no probe left
  });

  it('accepts an existing empty folder', async () => {
    const dir = await tempDir();
    await exportRun(request(dir, { formats: ['npz'] }));
    expect(await exists(join(dir, 'weights.npz'))).toBe(true);
  });

  it('a destination under a regular file fails, names the path, and leaves nothing', async () => {
    const base = await tempDir();
    await writeFile(join(base, 'file'), 'x');
    const dir = join(base, 'file', 'sub', 'out');
    const err = await exportRun(request(dir)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).path).toBe(dir);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toMatch(/ENOTDIR|EEXIST/);
    expect(await readdir(base)).toEqual(['file']);
    expect(await readFile(join(base, 'file'), 'utf8')).toBe('x');
  });

  it('a full disk on the 7th file (simulated ENOSPC) leaves no partial files and names the path', async () => {
    const base = await tempDir();
    const dir = join(base, 'a', 'b', 'out');
    let writes = 0;
    const failing = async (path: string, data: Uint8Array) => {
      if (++writes === 7) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
      await writeFile(path, data);
    };
    const err = await exportRun(request(dir), { writeFile: failing }).catch((e: unknown) => e);
    expect(writes).toBe(7);
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toContain('ENOSPC');
    expect((err as Error).message).toContain('weights.json'); // the 7th file
    // Parents this call created are gone too.
    expect(await readdir(base)).toEqual([]);
  });

  it('a failure while overwriting keeps the old folder intact', async () => {
    const dir = join(await tempDir(), 'out');
    await exportRun(request(dir, { formats: ['json'] }));
    const before = (await readdir(dir)).sort();
    const failing = async (path: string) => {
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
    };
    await expect(exportRun(request(dir, { overwrite: true }), { writeFile: failing })).rejects.toThrow(dir);
    expect((await readdir(dir)).sort()).toEqual(before);
    expect(await readdir(dirname(dir))).toEqual(['out']);
  });

  it('a read-only parent folder fails with EACCES, names the path, and leaves nothing (real permissions, non-root child)', async () => {
    const base = await tempDir();
    const ro = join(base, 'readonly');
    await mkdir(ro);
    await chmod(base, 0o755);
    await chmod(ro, 0o555);
    const dest = join(ro, 'out');
    const script = fileURLToPath(new URL('./exportReadOnlyChild.ts', import.meta.url));
    // Root ignores permission bits, so the export runs in a child process as an unprivileged user when needed.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, dest], {
      encoding: 'utf8',
      cwd: process.cwd(),
      env: { ...process.env, HOME: base, TSX_TSCONFIG_PATH: join(process.cwd(), 'tsconfig.json') },
      timeout: 60_000,
      ...asUser,
    });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
    expect(result.ok).toBe(false);
    expect(result.message).toContain(dest);
    expect(result.message).toMatch(/EACCES|EPERM/);
    expect(await readdir(ro)).toEqual([]);
  });

  it('the up-front destination check refuses a read-only folder (real permissions, non-root child) and leaves nothing', async () => {
    const base = await tempDir();
    const ro = join(base, 'readonly');
    await mkdir(ro);
    await chmod(base, 0o755);
    await chmod(ro, 0o555);
    const script = fileURLToPath(new URL('./exportReadOnlyChild.ts', import.meta.url));
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const dest of [join(ro, 'out'), join(ro, 'deeper', 'out')]) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, dest, 'check'], {
        encoding: 'utf8',
        cwd: process.cwd(),
        env: { ...process.env, HOME: base, TSX_TSCONFIG_PATH: join(process.cwd(), 'tsconfig.json') },
        timeout: 60_000,
        ...asUser,
      });
      expect(child.stderr).toBe('');
      const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
      expect(result.ok).toBe(false);
      expect(result.message).toContain(`${dest}: cannot write in ${ro}`);
      expect(result.message).toMatch(/EACCES|EPERM/);
    }
    expect(await readdir(ro)).toEqual([]);
  });

  it('rejects weights whose shapes do not chain before touching the disk', async () => {
    const base = await tempDir();
    const req = request(join(base, 'out'));
    req.layers[1] = { ...req.layers[1], fanIn: 5, kernel: new Float32Array(15) };
    await expect(exportRun(req)).rejects.toThrow(/out: layer 1 \("dense_1"\): fanIn 5 but the previous layer gives 8/);
    expect(await readdir(base)).toEqual([]);
  });

  it('refuses non-finite weights, bad layer names and an empty format list, naming the folder and layer', async () => {
    const base = await tempDir();
    const dir = join(base, 'out');
    const nan = request(dir);
    nan.layers[1] = { ...nan.layers[1], bias: Float32Array.from([0, Number.NaN, 0]) };
    await expect(exportRun(nan)).rejects.toThrow(`${dir}: layer 1 ("dense_1") bias[1] is NaN; the run diverged`);
    const badName = request(dir);
    badName.layers[0] = { ...badName.layers[0], name: '../evil' };
    await expect(exportRun(badName)).rejects.toThrow(`${dir}: layer 0 name "../evil" must be letters, digits and _`);
    await expect(exportRun(request(dir, { formats: [] }))).rejects.toThrow(`${dir}: no export format chosen`);
    expect(await readdir(base)).toEqual([]);
  });
});
