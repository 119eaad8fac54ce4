/**
 * The import rules in .dependency-cruiser.cjs hold for the whole tree, and the check is live: a
 * probe file that breaks a rule is reported. Svelte components are checked here too (the cruiser
 * does not parse Svelte 5 components with TypeScript scripts): they may reach app/ only via app/ui.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CRUISER = join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(paths: string[]): Violation[] {
  const r = spawnSync(process.execPath, [CRUISER, ...paths, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (!r.stdout) throw new Error(`dependency-cruiser printed nothing: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : files(p, ext);
    return p.endsWith(ext) ? [p] : [];
  });
}

describe('import rules', () => {
  it('hold across app/, main/, renderer/, bench/, support/ and test/', () => {
    const violations = cruise(['app', 'main', 'renderer', 'bench', 'support', 'test']);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });

  it('are live: a lower layer importing a higher one is reported', () => {
    const probe = join(REPO, 'app/util', `probe-${process.pid}.ts`);
    writeFileSync(probe, "export { startExperiment } from '../train/runner';\n");
    try {
      const violations = cruise([relative(REPO, probe)]);
      expect(violations.map((v) => v.rule.name)).toContain('app-util-layer');
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it('are live: bench importing test is reported', () => {
    const probe = join(REPO, 'bench', `probe-${process.pid}.ts`);
    writeFileSync(probe, "export * from '../test/e2e/harness';\n");
    try {
      expect(cruise([relative(REPO, probe)]).map((v) => v.rule.name)).toContain('bench-not-test');
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it('Svelte components reach app/ only through app/ui', () => {
    const offenders: string[] = [];
    for (const file of files(join(REPO, 'renderer/src'), '.svelte')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)) {
        const target = relative(REPO, resolve(dirname(file), m[1]));
        if (target.startsWith('app/') && target !== 'app/ui') offenders.push(`${relative(REPO, file)} → ${m[1]}`);
        if (/^(main|test|bench|support)\//.test(target)) offenders.push(`${relative(REPO, file)} → ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
