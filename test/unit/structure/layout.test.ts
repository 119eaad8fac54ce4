/** The README's layout and docs/architecture.md name every room that exists, and no room that does not. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const appFolders = readdirSync(join(REPO, 'app'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const topFolders = ['app', 'main', 'renderer', 'support', 'test', 'bench', 'docs'];

function layoutBlock(): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('## Layout');
  return readme.slice(start, readme.indexOf('```', readme.indexOf('```', start) + 3));
}

describe('layout documentation', () => {
  it('the README layout lists every app/ folder and every top-level room, and only those', () => {
    const block = layoutBlock();
    const named = [...block.matchAll(/^ {2}([a-z]+)\/ /gm)].map((m) => m[1]).sort();
    expect(named).toEqual(appFolders);
    for (const top of topFolders) expect(block).toMatch(new RegExp(`^${top}/`, 'm'));
  });

  it('docs/architecture.md has a row for every app/ folder, and its layers match the import rules', () => {
    const doc = readFileSync(join(REPO, 'docs/architecture.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z]+)\/` \|/gm)].map((m) => m[1]).sort();
    expect(rows).toEqual(appFolders);
    const rules = readFileSync(join(REPO, '.dependency-cruiser.cjs'), 'utf8');
    const layers = rules.match(/const LAYERS = \[([\s\S]*?)\n\];/)?.[1] ?? '';
    const inRules = [...layers.matchAll(/'([a-z]+)'/g)].map((m) => m[1]).sort();
    expect(inRules).toEqual(appFolders);
  });
});
