/**
 * Issue 18, "What was seen", as tests on the reader itself: a model file can no longer make
 * Curvature read outside its folder, reach other files through HDF5, allocate what its headers
 * claim, or print what its names contain. Each refusal names the file, the member/dataset/layer
 * and the limit, and is a ModelImportError (a ConfigError: exit 2, no stack trace).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importModel, ModelImportError } from '../../../app/modelio/importModel';
import { readInitialWeights } from '../../../app/modelio/readWeights';
import { MODEL_LIMITS } from '../../../app/modelio/limits';
import { ConfigError } from '../../../app/util/configError';
import { containsSecret, HOSTILE, overlappingZip, tfjsCase, tfjsModelJson } from './hostileFiles';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-hostile-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<ModelImportError> {
  const err = await promise.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelImportError);
  expect(err).toBeInstanceOf(ConfigError);
  return err as ModelImportError;
}

describe('1, 3: the shards a TF.js model names are plain names in its own folder, regular files only', () => {
  it('the good shard beside model.json is read', async () => {
    const m = await importModel(tfjsCase(tmp, 'good', ['w.bin']));
    expect(Array.from(m.weights[0].kernel)).toEqual([0.5, -0.5, 0.25, 1]);
  });

  it.each([
    ['../secret.bin', /weightsManifest\.0\.paths\.0 names "\.\.\/secret\.bin"; a model may only name files by their plain name, in its own folder/],
    ['../../../../../../../etc/passwd', /names "\.\.\/\.\.\/.*etc\/passwd"; a model may only name files by their plain name/],
    ['/dev/zero', /names "\/dev\/zero"; a model may only name files by their plain name/],
    ['sub/w.bin', /names "sub\/w\.bin"/],
    ['..', /names "\.\."/],
    ['C:secret.bin', /names "C:secret\.bin"/],
  ])('%s is refused by name, and the secret never comes back', async (shard, message) => {
    const err = await refusal(importModel(tfjsCase(tmp, `case-${Buffer.from(shard).toString('hex')}`, [shard])));
    expect(err.message).toMatch(/^model\.json: /);
    expect(err.message).toMatch(message);
    expect(containsSecret(err.message)).toBe(false);
  });

  it('a symbolic link leading out, a FIFO and a device in the folder are refused at once', async () => {
    const model = tfjsCase(tmp, 'links', ['out.bin']);
    const dir = path.dirname(model);
    fs.symlinkSync(path.join(tmp, 'secret.bin'), path.join(dir, 'out.bin'));
    expect((await refusal(importModel(model))).message).toMatch(/"out\.bin" is a symbolic link that leads outside the model's folder/);

    fs.writeFileSync(model, tfjsModelJson(['zero.bin']));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.bin'));
    expect((await refusal(importModel(model))).message).toMatch(/"zero\.bin" is a symbolic link that leads outside/);

    fs.writeFileSync(model, tfjsModelJson(['pipe.bin']));
    execFileSync('mkfifo', [path.join(dir, 'pipe.bin')]);
    const t0 = Date.now();
    expect((await refusal(importModel(model))).message).toMatch(/"pipe\.bin" is a FIFO \(named pipe\); only regular files are read/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a link inside the folder is followed; readInitialWeights uses the same rule', async () => {
    const model = tfjsCase(tmp, 'inner-link', ['alias.bin']);
    fs.symlinkSync('w.bin', path.join(path.dirname(model), 'alias.bin'));
    expect((await importModel(model)).weights[0].bias).toEqual(new Float32Array([0, 0.1]));
    fs.writeFileSync(model, tfjsModelJson(['../secret.bin']));
    expect((await refusal(readInitialWeights(model))).message).toMatch(/^model\.json: .*plain name/);
  });
});

describe('2: HDF5 is read in memory; external storage and external links are refused by name', () => {
  it('external storage', async () => {
    const err = await refusal(readInitialWeights(path.join(HOSTILE, 'external-storage.h5')));
    expect(err.message).toMatch(/^external-storage\.h5: the HDF5 file refers to another file ".*curvature-hostile-secret\.bin" \(external storage or an external link\)/);
  });
  it('external link', async () => {
    const err = await refusal(importModel(path.join(HOSTILE, 'external-link.h5'), { layers: [{ units: 2, activation: 'linear', useBias: false, dropout: 0 }] }));
    expect(err.message).toMatch(/^external-link\.h5: dataset dense\/kernel:0 is an external link to another file/);
  });
});

describe('4: budgets before allocation, each refusal with the number and the limit', () => {
  it('an unwritten 20000² dataset (9 KB on disk)', async () => {
    const err = await refusal(readInitialWeights(path.join(HOSTILE, 'unwritten-20000.h5')));
    expect(err.message).toContain(`dataset dense/kernel:0: 400000000 values bring the model to 400000000 parameters, more than the limit of ${MODEL_LIMITS.parameters}`);
  });
  it('one kernel listed 400 times in layer_names', async () => {
    const err = await refusal(readInitialWeights(path.join(HOSTILE, 'repeated-layer-names.h5')));
    expect(err.message).toMatch(/layer "dense" is listed twice in layer_names/);
  });
  it('overlapping zip entries: 600 members of 1 MiB from one 1 KB stream are refused before inflating', async () => {
    const file = path.join(tmp, 'bomb.npz');
    fs.writeFileSync(file, overlappingZip(Array.from({ length: 600 }, (_, i) => `l${i}/kernel.npy`), 1024 ** 2));
    expect(fs.statSync(file).size).toBeLessThan(100_000);
    const before = process.memoryUsage().arrayBuffers;
    const err = await refusal(readInitialWeights(file));
    expect(err.message).toMatch(/member "l\d+\/kernel\.npy" brings the inflated members to \d+ bytes \(5\d\d MiB\), more than the limit of 512 MiB/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 ** 2);
  });
  it('a .keras whose junk members would inflate to gigabytes: only the needed members count', async () => {
    const file = path.join(tmp, 'bomb.keras');
    fs.writeFileSync(file, overlappingZip(['model.weights.h5', ...Array.from({ length: 400 }, (_, i) => `junk${i}`)], 1024 ** 2, 10 * 1024 ** 2));
    const err = await refusal(importModel(file));
    expect(err.message).toMatch(/member "model\.weights\.h5" claims 10485760 bytes from \d+ compressed ones, more than deflate can expand/);
    fs.writeFileSync(file, overlappingZip(['model.weights.h5', 'model.weights.h5'], 1024));
    expect((await refusal(importModel(file))).message).toMatch(/member "model\.weights\.h5" appears twice in the zip/);
  });
  it('shapes in a manifest: huge, negative, not numbers', async () => {
    const weights = (shape: unknown) => [{ name: 'd/kernel', shape, dtype: 'float32' }];
    const cases: [unknown, RegExp][] = [
      [[65536, 65536], new RegExp(`weight "d/kernel": 4294967296 values bring the model to 4294967296 parameters, more than the limit of ${MODEL_LIMITS.parameters}`)],
      [[-1, 2], /weight "d\/kernel": shape \[-1,2\] is not a list of sizes/],
      [['2', 2], /weight "d\/kernel": shape \["2",2\] is not a list of sizes/],
      [null, /shape null is not a list of sizes/],
    ];
    for (const [shape, message] of cases) {
      const model = tfjsCase(tmp, 'shapes', ['w.bin'], { weights: weights(shape) });
      expect((await refusal(importModel(model))).message).toMatch(message);
    }
  });
  it('a shard shorter than the manifest says', async () => {
    const model = tfjsCase(tmp, 'short', ['w.bin'], { weights: [{ name: 'd/kernel', shape: [20, 2], dtype: 'float32' }] });
    expect((await refusal(importModel(model))).message).toMatch(/weightsManifest\.0: the shards hold 24 bytes but the weights need 160/);
  });
  it('a model file over the size limit is refused from its length, before reading', async () => {
    const file = path.join(tmp, 'huge.json');
    fs.closeSync(fs.openSync(file, 'w'));
    fs.truncateSync(file, 600 * 1024 ** 2); // sparse: no disk used
    expect((await refusal(importModel(file))).message).toBe('huge.json: the model file has 629145600 bytes (600 MiB), more than the limit of 512 MiB');
  });
  it('JSON nested deeper than the limit (deep inbound_nodes) is refused before it is walked', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const text = tfjsModelJson(['w.bin']).replace('"batch_input_shape"', `"inbound_nodes":${deep},"batch_input_shape"`);
    const model = tfjsCase(tmp, 'deep', ['w.bin']);
    fs.writeFileSync(model, text);
    expect((await refusal(importModel(model))).message).toBe(`model.json: the file (not HDF5, not a zip) nests arrays and objects more than ${MODEL_LIMITS.jsonDepth} levels deep (the limit)`);
  });
  it('a layer list longer than the limit', async () => {
    const layers = Array.from({ length: MODEL_LIMITS.layers + 1 }, (_, i) => ({ class_name: 'Dense', config: { name: `d${i}`, units: 1 } }));
    const model = tfjsCase(tmp, 'many', ['w.bin'], { layers });
    expect((await refusal(importModel(model))).message).toMatch(new RegExp(`the Sequential config lists ${MODEL_LIMITS.layers + 1} layers, more than the limit of ${MODEL_LIMITS.layers}`));
  });
});

describe('7: messages name the file and what is wrong, in one line, with control characters escaped', () => {
  it('a weight name that is not a string, a dtype that is not float32', async () => {
    let model = tfjsCase(tmp, 'names', ['w.bin'], { weights: [{ name: 5, shape: [2, 2], dtype: 'float32' }] });
    expect((await refusal(importModel(model))).message).toBe('model.json: weightsManifest.0.weights.0.name must be a string');
    model = tfjsCase(tmp, 'names', ['w.bin'], { weights: [{ name: 'd/kernel', shape: [2, 2], dtype: 'int64' }] });
    expect((await refusal(importModel(model))).message).toMatch(/weight "d\/kernel": dtype int64 is not supported \(float32 only\)/);
  });
  it('ESC, BEL and newlines in a layer name are escaped', async () => {
    const err = await refusal(readInitialWeights(path.join(HOSTILE, 'control-chars.h5')));
    expect(err.message).toContain('layer 0 ("evil\\u001b[2J\\u0007\\u000aname"): bias shape (5) does not match 2 units');
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
  it('escaped names in a Keras config too', async () => {
    const model = tfjsCase(tmp, 'esc', ['w.bin'], { layers: [{ class_name: 'Conv2D\u001b]0;pwned\u0007', config: { name: 'c\u001b[31m' } }] });
    const err = await refusal(importModel(model));
    expect(err.message).toContain('"c\\u001b[31m" (Conv2D\\u001b]0;pwned\\u0007)');
    expect(err.message).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});
