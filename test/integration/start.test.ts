/** `npm start` on a machine without the Electron binary: one clear paragraph, then browser mode. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { REPO } from './helpers';
import { waitForTokenUrl } from '../../support/tokenUrl';

const pathTxt = path.join(REPO, 'node_modules/electron/path.txt');
const binaryInstalled =
  fs.existsSync(pathTxt) && fs.existsSync(path.join(REPO, 'node_modules/electron/dist', fs.readFileSync(pathTxt, 'utf8').trim()));

describe('npm start', () => {
  // With the binary installed this would open the desktop app instead, which a test cannot drive.
  it.skipIf(binaryInstalled)('explains the missing Electron binary and serves browser mode instead', async () => {
    const child = spawn('npm', ['start', '--silent', '--', '--port', '0', '--no-build'], { cwd: REPO, detached: true });
    try {
      const { url, output: printed } = await waitForTokenUrl(child);
      const output = printed();
      expect(output).toContain('The Electron runtime is not installed');
      expect(output).toContain('npx install-electron');
      expect(output).toContain('ELECTRON_MIRROR=');
      expect(output).not.toMatch(/Downloading Electron/i);
      const opened = await new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`);
        ws.on('open', () => (ws.close(), resolve(true)));
        ws.on('error', () => resolve(false));
      });
      expect(opened).toBe(true);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  });
});
