#!/usr/bin/env node
/**
 * Compiles the CLI and the trainer process to plain JavaScript (esbuild) under compiled/, so neither
 * pays for a run-time TypeScript compiler. `npm ci` / `npm install` run it as the root `prepare` step;
 * `npm run build:node` runs it by hand. Third-party packages stay external (resolved from
 * node_modules at run time, native bindings included); our code is split at dynamic imports, so a
 * command loads only what it uses.
 *
 * compiled/manifest.json lists every source file that went in with its size and mtime:
 * bin/compiled.mjs falls back to tsx when one of them changed since, so an edit is never run stale.
 * Without esbuild (an install that omitted dev dependencies) it says so and exits 0: tsx still runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRIES = { cli: 'app/cli/main.ts', trainer: 'main/trainer/entry.ts' };

/**
 * Sources that locate files next to themselves (examples, the trainer entry, createRequire) must keep
 * doing so from compiled/: `import.meta.url` becomes the source file's URL, relative to the bundle.
 */
function sourceUrlPlugin(outdir) {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const text = await fs.promises.readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'ts' };
        const relative = path.relative(outdir, args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/**
 * A CommonJS package imported from ES modules makes Node scan its whole source for export names
 * (cjs-module-lexer) on every start; tfjs alone is megabytes. Packages whose `require` resolves to
 * CommonJS are therefore loaded with `require` from the bundle; ES-only packages stay `import`s.
 */
function requireCommonJsPlugin() {
  const requireFromRepo = createRequire(path.join(REPO, 'package.json'));
  const isCommonJs = (specifier) => {
    let file;
    try {
      file = requireFromRepo.resolve(specifier);
    } catch {
      return false;
    }
    if (file.endsWith('.cjs')) return true;
    if (!file.endsWith('.js')) return false;
    for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const pkg = path.join(dir, 'package.json');
      if (fs.existsSync(pkg)) return JSON.parse(fs.readFileSync(pkg, 'utf8')).type !== 'module';
    }
    return true;
  };
  return {
    name: 'require-commonjs',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || args.kind === 'dynamic-import' || !isCommonJs(args.path)) return undefined;
        return { path: args.path, namespace: 'node-require' };
      });
      build.onLoad({ filter: /.*/, namespace: 'node-require' }, (args) => ({
        contents: `module.exports = __curvatureRequire(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

export async function buildNode({ outdir = path.join(REPO, 'compiled'), quiet = false } = {}) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (!quiet) console.warn('curvature: esbuild is not installed; the CLI and trainer will run through tsx (slower start).');
    return null;
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(REPO, file)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
    banner: { js: "import { createRequire as __curvatureCreateRequire } from 'node:module';\nconst __curvatureRequire = __curvatureCreateRequire(import.meta.url);" },
    plugins: [requireCommonJsPlugin(), sourceUrlPlugin(outdir)],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((f) => !f.includes('node_modules/') && !f.startsWith('node-require:'))
    .map((f) => {
      const stat = fs.statSync(path.join(REPO, f));
      return { file: f, size: stat.size, mtimeMs: stat.mtimeMs };
    });
  const manifest = { entries: Object.fromEntries(Object.keys(ENTRIES).map((k) => [k, `${k}.mjs`])), inputs };
  fs.writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify(manifest));
  if (!quiet) console.log(`curvature: compiled ${Object.keys(ENTRIES).join(' and ')} from ${inputs.length} sources into ${path.relative(REPO, outdir)}/`);
  return manifest;
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const at = process.argv.indexOf('--outdir');
  await buildNode(at > 0 ? { outdir: path.resolve(process.argv[at + 1]) } : {});
}
