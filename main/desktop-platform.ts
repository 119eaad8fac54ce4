/** Native dialogs for the desktop app: the only places where a path enters the host. */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow, Dialog } from 'electron';
import type { HostPlatform } from './host/platform';
import { resolveInside } from '../app/util/paths';

const DATA_FILTERS = [
  { name: 'Datasets', extensions: ['csv', 'tsv', 'txt', 'json', 'jsonl', 'ndjson', 'npy', 'npz', 'parquet', 'pq'] },
  { name: 'All files', extensions: ['*'] },
];
const MODEL_FILTERS = [
  { name: 'Keras, TF.js or Curvature models', extensions: ['keras', 'h5', 'hdf5', 'json', 'npz'] },
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
    chooseModel: () => openOne({ title: 'Start from model', properties: ['openFile'], filters: MODEL_FILTERS }),
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
      // The export is its own subfolder, so choosing e.g. Documents never mixes files into it; it
      // must stay inside the chosen folder (a symbolic link of that name pointing elsewhere is refused).
      return folder === null ? null : resolveInside(folder, suggestedName, 'export folder');
    },
    deliverExport: async (result) => result,
    async confirmOutsideDataPath(dataPath, experimentFile) {
      const options: Electron.MessageBoxOptions = {
        type: 'warning',
        title: 'Data file outside the experiment folder',
        message: 'This experiment reads a data file outside its own folder.',
        detail: `Experiment: ${experimentFile}\nData file: ${dataPath}\n\nUse it only if you expected this experiment to read that file.`,
        buttons: ['Use This File', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      };
      const w = parent();
      const r = w ? await dialog.showMessageBox(w, options) : await dialog.showMessageBox(options);
      return r.response === 0;
    },
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
