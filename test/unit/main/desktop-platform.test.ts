/** Native-dialog platform with a fake dialog: Save writes back atomically, Save As asks again. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { desktopPlatform } from '../../../main/desktop-platform';

function fakeDialog(answers: { open?: string[]; save?: string[] }) {
  return {
    showOpenDialog: vi.fn(async () => {
      const p = answers.open?.shift();
      return { canceled: p === undefined, filePaths: p ? [p] : [] };
    }),
    showSaveDialog: vi.fn(async () => {
      const p = answers.save?.shift();
      return { canceled: p === undefined, filePath: p };
    }),
  };
}

describe('desktop platform', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-desktop-'));

  it('asks once where to save, then saves back to the same file; Save As asks again', async () => {
    const first = path.join(dir, 'a.curvature.json');
    const second = path.join(dir, 'b.curvature.json');
    const dialog = fakeDialog({ save: [first, second] });
    const platform = desktopPlatform(dialog as never, () => null, dir);
    expect(await platform.saveExperiment('{"v":1}', 'x.curvature.json', false)).toEqual({ fileName: 'a.curvature.json' });
    expect(await platform.saveExperiment('{"v":2}', 'x.curvature.json', false)).toEqual({ fileName: 'a.curvature.json' });
    expect(dialog.showSaveDialog).toHaveBeenCalledTimes(1);
    expect(fs.readFileSync(first, 'utf8')).toBe('{"v":2}');
    expect(await platform.saveExperiment('{"v":3}', 'x.curvature.json', true)).toEqual({ fileName: 'b.curvature.json' });
    expect(fs.readFileSync(second, 'utf8')).toBe('{"v":3}');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('saves a chart PNG or history CSV where the save dialog says, byte for byte', async () => {
    const target = path.join(dir, 'charts.png');
    const dialog = fakeDialog({ save: [target] });
    const platform = desktopPlatform(dialog as never, () => null, dir);
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    expect(await platform.saveResultFile(bytes, 'race-charts.png')).toEqual({ fileName: 'charts.png' });
    expect(new Uint8Array(fs.readFileSync(target))).toEqual(bytes);
    expect(await platform.saveResultFile(bytes, 'race-history.csv')).toBeNull(); // cancelled
  });

  it('returns null on cancel and exports into a subfolder of the chosen folder', async () => {
    const dialog = fakeDialog({ open: [dir] });
    const platform = desktopPlatform(dialog as never, () => null, dir);
    expect(await platform.chooseExportDirectory('exp-1-lbfgs')).toBe(path.join(dir, 'exp-1-lbfgs'));
    expect(await platform.chooseExportDirectory('exp-1-lbfgs')).toBeNull();
    expect(await platform.chooseDataset()).toBeNull();
    expect(await platform.saveExperiment('{}', 'x.curvature.json', true)).toBeNull();
  });
});

describe('experiment files from the operating system', () => {
  it('finds the .curvature.json among the arguments and opens it without a dialog', async () => {
    const { experimentFileFromArgv } = await import('../../../main/open-file');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curvature-argv-'));
    fs.writeFileSync(path.join(dir, 'race.curvature.json'), '{}');
    expect(experimentFileFromArgv(['--inspect', 'race.curvature.json'], dir)).toBe(path.join(dir, 'race.curvature.json'));
    expect(experimentFileFromArgv(['missing.curvature.json', '--flag'], dir)).toBeNull();
    expect(experimentFileFromArgv(['.'], dir)).toBeNull();

    const dialog = fakeDialog({});
    const platform = desktopPlatform(dialog as never, () => null, dir);
    platform.queueExperimentFile(path.join(dir, 'race.curvature.json'));
    expect(await platform.chooseExperimentFile()).toBe(path.join(dir, 'race.curvature.json'));
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
    expect(await platform.chooseExperimentFile()).toBeNull(); // the next one asks again (cancelled here)
    expect(dialog.showOpenDialog).toHaveBeenCalledTimes(1);
  });
});
