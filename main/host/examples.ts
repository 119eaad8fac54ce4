/** The bundled example experiments (app/examples/*.json), listed and loaded by name. */
import fs from 'node:fs';
import path from 'node:path';
import type { ExampleInfo } from '../../app/api/contract';
import { parseExperiment, type Experiment } from '../../app/schema/experiment';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

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
  // Names come from the renderer: only plain names of files that exist in the folder.
  if (!NAME.test(name)) throw new Error(`Unknown example "${name}"`);
  const file = path.join(dir, `${name}.json`);
  if (!fs.existsSync(file)) throw new Error(`Unknown example "${name}"`);
  return { experiment: parseExperiment(JSON.parse(fs.readFileSync(file, 'utf8')), file), file };
}
