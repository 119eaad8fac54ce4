/** The bundled example experiments (app/examples/*.json), listed and loaded by name. */
import fs from 'node:fs';
import path from 'node:path';
import type { ExampleInfo } from '../../app/api/contract';
import { parseExperiment, type Experiment } from '../../app/schema/experiment';
import { isSafeName, resolveInside } from '../../app/util/paths';

export function listExamples(dir: string): ExampleInfo[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      try {
        const experiment = parseExperiment(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), f);
        return [{ name: f.slice(0, -'.json'.length), title: experiment.name, description: experiment.description ?? '' }];
      } catch {
        return []; // a broken example is skipped here and reported when opened by name
      }
    });
}

export function loadExample(dir: string, name: string): { experiment: Experiment; file: string } {
  // Names come from the renderer: only safe names of files that exist in the folder (no link out of it).
  const unknown = () => new Error(`Unknown example "${name}"`);
  if (!isSafeName(name)) throw unknown();
  let file: string;
  try {
    file = resolveInside(dir, `${name}.json`, 'example');
  } catch {
    throw unknown();
  }
  if (!fs.existsSync(file)) throw unknown();
  return { experiment: parseExperiment(JSON.parse(fs.readFileSync(file, 'utf8')), file), file };
}
