import { describe, expect, it } from 'vitest';
import { OPTIMIZER_KINDS, lbfgsSpecSchema, optimizerSpecSchema, stoppingSpecSchema } from '../../../app/optim/spec';
import { modelSpecSchema } from '../../../app/model/spec';
import { describeObject, type FieldInfo, getPath, parseNumberField, setPath } from '../../../renderer/src/lib/schema-fields';

function leafPaths(fields: FieldInfo[]): string[] {
  return fields.flatMap((f) => (f.kind === 'group' ? leafPaths(f.children ?? []) : [f.path.join('.')]));
}

function valuePaths(v: unknown, prefix: string[] = []): string[] {
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => valuePaths(x, [...prefix, k]));
  return [prefix.join('.')];
}

describe('forms derived from the optimizer schemas', () => {
  it.each(OPTIMIZER_KINDS)('%s: every hyperparameter with a default gets a field', (kind) => {
    const schema = optimizerSpecSchema.options.find((o) => o.shape.kind.value === kind);
    expect(schema).toBeDefined();
    const fields = describeObject(schema!);
    const defaults = optimizerSpecSchema.parse({ kind });
    const expected = valuePaths(defaults).filter((p) => p !== 'kind');
    expect(leafPaths(fields)).toEqual(expect.arrayContaining(expected));
    // Optional settings without a default (batch size) are shown too.
    const optional = fields.filter((f) => f.optional).map((f) => f.key);
    // Full-batch methods (quasi-Newton, Levenberg–Marquardt, Newton-CG) have no batch size.
    if (!['lbfgs', 'bfgs', 'lm', 'br', 'newton-cg'].includes(kind)) expect(optional).toContain('batchSize');
  });

  it('reads bounds and integer-ness from the schema', () => {
    const lbfgs = describeObject(optimizerSpecSchema.options.find((o) => o.shape.kind.value === 'lbfgs')!);
    const history = lbfgs.find((f) => f.key === 'history')!;
    expect(history).toMatchObject({ kind: 'int', min: 1, max: 1000 });
    const c1 = lbfgs.find((f) => f.key === 'lineSearch')!.children!.find((f) => f.key === 'c1')!;
    expect(c1).toMatchObject({ kind: 'number', min: 0, minInclusive: false, max: 1, maxInclusive: false });
    const method = lbfgs.find((f) => f.key === 'lineSearch')!.children!.find((f) => f.key === 'kind')!;
    // The new Moré–Thuente search (default since the optimizer study) shows up without form code.
    expect(method.options).toEqual(['more-thuente', 'strong-wolfe', 'backtracking']);
  });

  it('the Model view\'s Huber δ: positive and finite, empty = the default 1', () => {
    const delta = describeObject(modelSpecSchema).find((f) => f.key === 'huberDelta')!;
    expect(delta).toMatchObject({ label: 'Huber δ', kind: 'number', optional: true, min: 0, minInclusive: false, max: 1e6 });
    expect(parseNumberField(delta, '0.5')).toEqual({ value: 0.5 });
    expect(parseNumberField(delta, '')).toEqual({ value: undefined });
    expect(parseNumberField(delta, '0').error).toBe('must be > 0');
    expect(parseNumberField(delta, '-1').error).toBe('must be > 0');
    expect(parseNumberField(delta, 'Infinity').error).toBe('not a number');
    expect(parseNumberField(delta, 'abc').error).toBe('not a number');
    expect(parseNumberField(delta, '2e6').error).toBe('must be ≤ 1000000');
  });

  it('validates typed numbers the way the schema would', () => {
    const stopping = describeObject(stoppingSpecSchema);
    const maxIter = stopping.find((f) => f.key === 'maxIterations')!;
    expect(parseNumberField(maxIter, '2.5').error).toMatch(/whole/);
    expect(parseNumberField(maxIter, '0').error).toMatch(/≥ 1/);
    expect(parseNumberField(maxIter, '500')).toEqual({ value: 500 });
    const gtol = stopping.find((f) => f.key === 'gradientTolerance')!;
    expect(parseNumberField(gtol, '1e-7')).toEqual({ value: 1e-7 });
    expect(parseNumberField(gtol, 'abc').error).toBeDefined();
    const maxSeconds = stopping.find((f) => f.key === 'maxSeconds')!;
    expect(parseNumberField(maxSeconds, '')).toEqual({ value: undefined });
    expect(parseNumberField(maxSeconds, '0').error).toMatch(/> 0/);
    // Whatever the field accepts, the schema accepts.
    const accepted = parseNumberField(gtol, '0').value;
    expect(stoppingSpecSchema.safeParse({ gradientTolerance: accepted }).success).toBe(true);
  });

  it('shows the BFGS memory budget in MiB and folds line-search and H₀ tuning as advanced', () => {
    const bfgs = describeObject(optimizerSpecSchema.options.find((o) => o.shape.kind.value === 'bfgs')!);
    const budget = bfgs.find((f) => f.key === 'memoryBudgetBytes')!;
    expect(budget.label).toBe('Memory budget (MiB)');
    expect(parseNumberField(budget, '512')).toEqual({ value: 512 * 2 ** 20 });
    expect(parseNumberField(budget, '0.5')).toEqual({ value: 2 ** 19 });
    const lbfgs = describeObject(optimizerSpecSchema.options.find((o) => o.shape.kind.value === 'lbfgs')!);
    expect(lbfgs.filter((f) => f.advanced).map((f) => f.key)).toEqual(expect.arrayContaining(['lineSearch', 'initialScaling']));
    expect(lbfgs.find((f) => f.key === 'history')!.advanced).toBe(false);
  });

  it('sets and clears nested values without mutating the original', () => {
    const spec = lbfgsSpecSchema.parse({ kind: 'lbfgs' });
    const changed = setPath(spec, ['lineSearch', 'c2'], 0.5);
    expect(getPath(changed, ['lineSearch', 'c2'])).toBe(0.5);
    expect(spec.lineSearch.c2).toBe(0.9);
    const adam = setPath(optimizerSpecSchema.parse({ kind: 'adam', batchSize: 32 }), ['batchSize'], undefined);
    expect('batchSize' in adam).toBe(false);
    expect(optimizerSpecSchema.parse(changed)).toEqual(changed);
  });
});
