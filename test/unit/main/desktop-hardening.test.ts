/**
 * Desktop hardening that needs no Electron at runtime: the fuses in electron-builder.yml, the
 * app:// protocol handler, and data paths of opened experiments that lie outside their folder
 * (desktop asks, browser mode refuses).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, appProtocolHandler } from '../../../main/app-protocol';
import { desktopPlatform } from '../../../main/desktop-platform';
import { ApiHost } from '../../../main/host/api-host';
import { FileRegistry } from '../../../main/host/file-registry';
import type { HostPlatform } from '../../../main/host/platform';
import { TrainerHost } from '../../../main/host/trainer-host';
import { contentSecurityPolicy } from '../../../main/security';
import { DownloadRegistry } from '../../../main/web/downloads';
import { webPlatform } from '../../../main/web/web-platform';
import { REPO, seedExperiment } from '../../integration/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-desktop-hardening-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The `electronFuses:` block of electron-builder.yml as key → value (read as text: flat YAML map). */
function fuses(): Record<string, string> {
  const yml = fs.readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8');
  const block = /^electronFuses:\s*\n((?:[ \t]+.*\n|[ \t]*#.*\n)+)/m.exec(yml);
  if (!block) return {};
  const entries = [...block[1].matchAll(/^[ \t]+([A-Za-z]+):[ \t]*([^#\s]+)/gm)].map((m) => [m[1], m[2]]);
  return Object.fromEntries(entries);
}

describe('electron-builder fuses', () => {
  it('turns off Node entry points and turns on cookie encryption and asar integrity', () => {
    expect(fuses()).toMatchObject({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableCookieEncryption: 'true',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
    });
  });

  it('uses only fuse names electron-builder knows', () => {
    const dts = fs.readFileSync(path.join(REPO, 'node_modules/app-builder-lib/out/configuration.d.ts'), 'utf8');
    const known = /interface FuseOptionsV1 \{([\s\S]*?)\n\}/.exec(dts)![1];
    for (const name of Object.keys(fuses())) expect(known, name).toMatch(new RegExp(`\\b${name}\\?:`));
    expect(fs.readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')).toMatch(/^asar: true$/m);
  });
});

describe('app:// protocol', () => {
  const ui = path.join(tmp, 'renderer');
  fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><p>app</p>');
  fs.writeFileSync(path.join(ui, 'assets', 'main.js'), 'console.log(1)');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(ui, 'assets', 'link.txt'));
  const csp = contentSecurityPolicy();
  const handle = appProtocolHandler(ui, csp);
  const get = (url: string) => handle(new Request(url));

  it('is registered as a standard, secure scheme', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
    expect(APP_INDEX_URL).toBe('app://curvature/index.html');
  });

  it('serves the renderer files with the CSP header on every response', async () => {
    for (const [url, type] of [
      ['app://curvature/index.html', 'text/html; charset=utf-8'],
      ['app://curvature/', 'text/html; charset=utf-8'],
      ['app://curvature/assets/main.js?v=1', 'text/javascript; charset=utf-8'],
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(200);
      expect(r.headers.get('content-type')).toBe(type);
      expect(r.headers.get('content-security-policy')).toBe(csp);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(await (await get(APP_INDEX_URL)).text()).toBe('<!doctype html><p>app</p>');
    const missing = await get('app://curvature/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(csp);
  });

  it('refuses traversal, symbolic links out, NUL bytes, broken escapes and foreign hosts', async () => {
    const outcomes = await Promise.all(
      [
        'app://curvature/..%2fsecret.txt',
        'app://curvature/assets/..%2f..%2fsecret.txt',
        'app://curvature/%2e%2e/secret.txt',
        'app://curvature/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
        'app://curvature/..%5csecret.txt',
        'app://curvature/assets/link.txt',
        'app://curvature/index.html%00.js',
        'app://curvature/%E0%A4%A',
        'app://other/index.html',
        'file:///etc/passwd',
      ].map(async (url) => {
        const r = await get(url);
        return { url, status: r.status, body: await r.text(), csp: r.headers.get('content-security-policy') };
      }),
    );
    for (const o of outcomes) {
      expect(o.status, o.url).toBeGreaterThanOrEqual(400);
      expect(o.body, o.url).not.toContain('secret');
      expect(o.csp, o.url).toBe(csp);
    }
    expect((await handle(new Request('app://curvature/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('data paths of opened experiments outside their folder', () => {
  const experimentDir = path.join(tmp, 'experiments');
  const outside = path.join(tmp, 'elsewhere', 'data.csv');
  fs.mkdirSync(experimentDir, { recursive: true });
  fs.mkdirSync(path.dirname(outside), { recursive: true });
  fs.writeFileSync(outside, 'x,y\n0,0\n1,1\n');
  fs.writeFileSync(path.join(experimentDir, 'inside.csv'), 'x,y\n0,0\n1,1\n');
  fs.symlinkSync(outside, path.join(experimentDir, 'link.csv'));

  /** An experiment file in experimentDir that reads `dataPath`. */
  const experimentFile = (name: string, dataPath: string) => {
    const seed = seedExperiment();
    const file = path.join(experimentDir, `${name}.curvature.json`);
    fs.writeFileSync(file, JSON.stringify({ ...seed, data: { ...seed.data, source: { kind: 'file', path: dataPath } } }));
    return file;
  };
  const trainers = () => new TrainerHost({ launch: () => { throw new Error('no trainer here'); }, onEvent: () => {}, onState: () => {} });
  const host = (platform: HostPlatform) =>
    new ApiHost({ platform, trainers: trainers(), files: new FileRegistry(), examplesDir: path.join(REPO, 'app/examples'), uploadDir: path.join(tmp, 'uploads') });
  const openWith = async (platform: HostPlatform) =>
    (await host(platform).invoke('openExperiment', {})) as { dataFile?: { name: string } } | null;

  function desktop(file: string, answer: number) {
    const dialog = {
      showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: [file] })),
      showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: answer, checkboxChecked: false })),
    };
    return { dialog, platform: desktopPlatform(dialog as never, () => null, tmp) };
  }

  it('desktop: a data file inside the folder opens without asking', async () => {
    const { dialog, platform } = desktop(experimentFile('inside', 'inside.csv'), 1);
    expect((await openWith(platform))?.dataFile?.name).toBe('inside.csv');
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
  });

  for (const [label, dataPath] of [
    ['an absolute path', outside],
    ['a .. path', '../elsewhere/data.csv'],
    ['a symbolic link out', 'link.csv'],
  ] as const) {
    it(`desktop: ${label} is shown to the user and used only after they confirm`, async () => {
      const file = experimentFile('outside', dataPath);
      const declined = desktop(file, 1);
      const r1 = await openWith(declined.platform);
      expect(declined.dialog.showMessageBox).toHaveBeenCalledTimes(1);
      const options = declined.dialog.showMessageBox.mock.calls[0][0] as { detail: string; buttons: string[] };
      expect(options.detail).toContain(path.resolve(experimentDir, dataPath));
      expect(options.detail).toContain(file);
      expect(r1?.dataFile).toBeUndefined();

      const confirmed = desktop(file, 0);
      const r2 = await openWith(confirmed.platform);
      expect(confirmed.dialog.showMessageBox).toHaveBeenCalledTimes(1);
      expect(r2?.dataFile?.name).toBe(path.basename(dataPath));
    });

    it(`browser mode: ${label} is refused (only uploads are read)`, async () => {
      const file = experimentFile('outside-web', dataPath);
      const web: HostPlatform = {
        ...webPlatform({ workDir: path.join(tmp, 'web'), downloads: new DownloadRegistry(), downloadUrl: (id) => `/download/t/${id}` }),
        chooseExperimentFile: async () => file,
      };
      await expect(openWith(web)).rejects.toThrow(/data\.source\.path: ".*" lies outside the experiment's folder .*only reads files that were uploaded/);
    });
  }
});
