/** The examples shipped with the app: listed in the CLI, the File ▸ Open example menu and the UI. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseExperiment, type Experiment } from '../schema/experiment';

export interface Example {
  name: string;
  file: string;
  title: string;
  description: string;
}

export const EXAMPLES_DIR = path.dirname(fileURLToPath(import.meta.url));

const NAMES = ['seed', 'friedman-regression', 'spirals-classification', 'tanh-regression'] as const;

export function listExamples(dir = EXAMPLES_DIR): Example[] {
  return NAMES.map((name) => {
    const file = path.join(dir, `${name}.json`);
    const exp = loadExample(name, dir);
    return { name, file, title: exp.name, description: exp.description ?? '' };
  });
}

export function loadExample(name: string, dir = EXAMPLES_DIR): Experiment {
  if (!(NAMES as readonly string[]).includes(name)) {
    throw new Error(`No example named "${name}". Examples: ${NAMES.join(', ')}`);
  }
  const file = path.join(dir, `${name}.json`);
  return parseExperiment(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}
