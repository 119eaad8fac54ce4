#!/usr/bin/env node
// Runs the compiled CLI (compiled/cli.mjs, made by `npm ci`'s prepare step) when it matches the
// sources; otherwise the TypeScript through tsx, so a fresh clone or an edited file still just works.
import { pathToFileURL } from 'node:url';
import { compiledEntry } from './compiled.mjs';

const compiled = compiledEntry('cli');
const trace = process.env.CURVATURE_LAUNCH_TRACE === '1';
let main;
if (compiled.file) {
  if (trace) process.stderr.write(`curvature: launch compiled ${compiled.file}\n`);
  ({ main } = await import(pathToFileURL(compiled.file).href));
} else {
  if (trace) process.stderr.write(`curvature: launch tsx (${compiled.why})\n`);
  const { tsImport } = await import('tsx/esm/api');
  ({ main } = await tsImport('../app/cli/main.ts', import.meta.url));
}
process.exitCode = await main(process.argv.slice(2));
