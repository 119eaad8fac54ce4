/** The Data view's pre-race check: prepare's objections, tied to the control that fixes them. */
import { afterAll, describe, expect, it } from 'vitest';
import { checkData, TableCache } from '../../../app/data/check';
import type { DataSpecInput } from '../../../app/data/prepare';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const spec = (path: string, extra: Partial<DataSpecInput> = {}): DataSpecInput => ({ source: { kind: 'file', path }, target: 'y', ...extra });

describe('checkData', () => {
  it('accepts good data and says what it would train on', async () => {
    const p = tmp.write('good.csv', 'a,b,y\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n5,6,0\n');
    const r = await checkData(spec(p), new TableCache());
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([]);
    expect(r.inputDim).toBe(2);
    expect(r.task).toBe('binary');
  });

  it('names row, column and value of text in a numeric column, with the Missing values control', async () => {
    const p = tmp.write('text.csv', 'a,b,y\n1,2,0\n2,oops,1\n3,4,0\n4,5,1\n');
    const r = await checkData(spec(p), new TableCache());
    expect(r.ok).toBe(false);
    const [problem] = r.problems;
    expect(problem).toMatchObject({ control: 'missing', row: 3, column: 'b', value: 'oops' });
    expect(problem.message).toContain('Missing values');
    expect(problem.message).not.toMatch(/preprocessing|\/tmp|\//);
    // The control that fixes it does fix it.
    expect((await checkData(spec(p, { preprocessing: { missing: 'drop' } }), new TableCache())).ok).toBe(true);
  });

  it('calls a missing cell an empty cell, not the "drop" of the CLI hint', async () => {
    const p = tmp.write('gap.csv', 'a,b,y\n1,2,0\n2,,1\n3,4,0\n4,5,1\n');
    const [problem] = (await checkData(spec(p), new TableCache())).problems;
    expect(problem).toMatchObject({ control: 'missing', row: 3, column: 'b', value: '' });
    expect(problem.message).not.toContain('"drop"');
  });

  it('rejects a one-column file as a file problem', async () => {
    const p = tmp.write('one.csv', 'y\n1\n2\n3\n');
    const r = await checkData(spec(p), new TableCache());
    expect(r.problems[0]).toMatchObject({ control: 'file' });
    expect(r.problems[0].message).toMatch(/only one column/i);
  });

  it('ties no feature columns to the roles, a constant target to the target, text without one-hot to that setting', async () => {
    const p = tmp.write('roles.csv', 'a,c,y\n1,x,0\n2,y,1\n3,x,0\n4,y,1\n');
    expect((await checkData(spec(p, { ignore: ['a', 'c'] }), new TableCache())).problems[0].control).toBe('roles');
    const oneHot = (await checkData(spec(p, { preprocessing: { oneHot: false } }), new TableCache())).problems[0];
    expect(oneHot).toMatchObject({ control: 'oneHot', column: 'c' });
    expect(oneHot.message).toContain('One-hot encode categorical features');
    const q = tmp.write('const.csv', 'a,y\n1,5\n2,5\n3,5\n');
    expect((await checkData(spec(q), new TableCache())).problems[0].control).toBe('target');
    expect((await checkData(spec(p, { target: 'nope' }), new TableCache())).problems[0].control).toBe('target');
  });

  it('reports an unreadable file as a problem, not an exception', async () => {
    const r = await checkData(spec(tmp.write('ragged.csv', 'a,y\n1,2\n3\n')), new TableCache());
    expect(r.problems[0]).toMatchObject({ control: 'file', row: 3 });
  });

  it('reuses the loaded table until the file changes', async () => {
    const p = tmp.write('cache.csv', 'a,y\n1,0\n2,1\n3,0\n4,1\n');
    const cache = new TableCache();
    const first = await cache.load(spec(p));
    expect(await cache.load(spec(p))).toBe(first);
    await new Promise((r) => setTimeout(r, 20));
    tmp.write('cache.csv', 'a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n');
    expect(await cache.load(spec(p))).not.toBe(first);
  });
});
