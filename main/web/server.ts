/**
 * `npm run web`: Curvature without Electron. Serves the UI and the API on 127.0.0.1 and prints the
 * one URL (with its token) that can use them. Trainers are plain Node child processes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { nodeTrainerLauncher } from '../host/node-launcher';
import { startWebServer } from './web-server';

const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

const program = new Command('curvature-web')
  .description('Serve Curvature to a browser on this machine')
  .option('--port <n>', 'port on 127.0.0.1 (0 = a random free port)', '0')
  .option('--no-build', 'do not build the user interface when it is missing')
  .option('--renderer <dir>', 'folder of the built user interface', path.join(REPO, 'out/renderer'))
  .option('--header-timeout <seconds>', 'disconnect clients that take longer to send their request headers', '10')
  .option('--max-upload-total <GiB>', 'bytes all uploads of this session may hold together, in GiB', '4')
  .parse();
const opts = program.opts<{ port: string; build: boolean; renderer: string; headerTimeout: string; maxUploadTotal: string }>();
const maxUploadTotal = Number(opts.maxUploadTotal);
if (!(maxUploadTotal > 0 && maxUploadTotal <= 1024)) {
  console.error(`--max-upload-total: expected GiB between 0 and 1024, got "${opts.maxUploadTotal}"`);
  process.exit(2);
}
const headerTimeout = Number(opts.headerTimeout);
if (!(headerTimeout > 0 && headerTimeout <= 600)) {
  console.error(`--header-timeout: expected seconds between 0 and 600, got "${opts.headerTimeout}"`);
  process.exit(2);
}

const port = Number(opts.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected a port number 0–65535, got "${opts.port}"`);
  process.exit(2);
}

if (!fs.existsSync(path.join(opts.renderer, 'index.html'))) {
  if (opts.build) {
    console.log('The user interface is not built yet; building it (vite build)…');
    const config = path.join(REPO, 'renderer/vite.config.ts');
    const args = fs.existsSync(config) ? ['vite', 'build', '--config', config] : ['electron-vite', 'build'];
    const r = spawnSync('npx', args, { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) console.error('Building the user interface failed; the API still works. Fix the build and reload.');
  } else {
    console.log(`No built user interface in ${opts.renderer}: run \`npm run build\` and reload. The API works meanwhile.`);
  }
}

const server = await startWebServer({
  port,
  rendererDir: opts.renderer,
  examplesDir: path.join(REPO, 'app/examples'),
  launch: nodeTrainerLauncher(),
  headersTimeoutMs: headerTimeout * 1000,
  maxUploadTotalBytes: Math.round(maxUploadTotal * 1024 ** 3),
  // One line per refused request or protocol error, on stderr, so hostile traffic is visible.
  log: (line) => console.error(`[${new Date().toISOString()}] ${line}`),
});
// The temp folder holds uploads and exports: it goes on every way out this process can see.
process.once('exit', () => server.removeWorkDir());
const crash = (kind: string) => (err: unknown) => {
  console.error(`Curvature browser mode stopped on an ${kind}:`, err);
  server.removeWorkDir();
  process.exit(1);
};
process.on('uncaughtException', crash('uncaught exception'));
process.on('unhandledRejection', crash('unhandled rejection'));
console.log(`Curvature is running in browser mode. Open this URL (it carries the access token):\n  ${server.url}`);

let closing = false;
const stop = async () => {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
