/** Native dialogs for the desktop app: the only places where a path enters the host. */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Dialog } from 'electron';
import type { HostPlatform } from './host/platform';

const DATA_FILTERS = [
  { name: 'Datasets', extensions: ['csv', 'tsv', 'txt', 'json', 'npy', 'npz'] },
  { name: 'All files', extensions: ['*'] },
];
const EXPERIMENT_FILTERS = [
  { name: 'Curvature experiments', extensions: ['curvature.json', 'json'] },
  { name: 'All files', extensions: ['*'] },
];

export interface DesktopPlatform extends HostPlatform {
  /** An experiment file the OS asked us to open: the next "open experiment" takes it without a dialog. */
  queueExperimentFile(filePath: string): void;
}

export function desktopPlatform(dialog: Dialog, window: () => BrowserWindow | null, documentsDir: string): DesktopPlatform {
  let currentExperimentPath: string | null = null;
  let queuedExperiment: string | null = null;
  const parent = () => window() ?? undefined;
  const openOne = async (options: Electron.OpenDialogOptions) => {
    const w = parent();
    const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  };
  return {
    transport: 'electron',
    chooseDataset: () => openOne({ title: 'Open dataset', properties: ['openFile'], filters: DATA_FILTERS }),
    chooseExperimentFile: async () => {
      const queued = queuedExperiment;
      queuedExperiment = null;
      return queued ?? openOne({ title: 'Open experiment', properties: ['openFile'], filters: EXPERIMENT_FILTERS });
    },
    queueExperimentFile(filePath) {
      queuedExperiment = filePath;
    },
    async saveExperiment(json, suggestedName, saveAs) {
      let target = saveAs ? null : currentExperimentPath;
      if (!target) {
        const options: Electron.SaveDialogOptions = {
          title: 'Save experiment',
          defaultPath: currentExperimentPath ?? path.join(documentsDir, suggestedName),
          filters: EXPERIMENT_FILTERS,
        };
        const w = parent();
        const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
        if (r.canceled || !r.filePath) return null;
        target = r.filePath;
      }
      writeAtomically(target, json);
      currentExperimentPath = target;
      return { fileName: path.basename(target) };
    },
    async saveResultFile(bytes, suggestedName) {
      const ext = path.extname(suggestedName).slice(1);
      const options: Electron.SaveDialogOptions = {
        title: 'Save',
        defaultPath: path.join(documentsDir, suggestedName),
        filters: ext ? [{ name: ext.toUpperCase(), extensions: [ext] }, { name: 'All files', extensions: ['*'] }] : undefined,
      };
      const w = parent();
      const r = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return null;
      writeAtomically(r.filePath, bytes);
      return { fileName: path.basename(r.filePath) };
    },
    async chooseExportDirectory(suggestedName) {
      const folder = await openOne({
        title: 'Export weights into folder',
        buttonLabel: 'Export here',
        properties: ['openDirectory', 'createDirectory'],
      });
      // The export is its own subfolder, so choosing e.g. Documents never mixes files into it.
      return folder === null ? null : path.join(folder, suggestedName);
    },
    deliverExport: async (result) => result,
    setCurrentExperimentPath(filePath) {
      currentExperimentPath = filePath;
    },
  };
}

function writeAtomically(file: string, text: string | Uint8Array): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
