/**
 * Browser mode has no native dialogs: files arrive by upload, and what the desktop app would write
 * to a chosen place (saved experiments, exports) becomes a one-time download under the token.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExportResult } from '../../app/api/contract';
import { ApiError } from '../host/api-host';
import type { HostPlatform } from '../host/platform';
import type { DownloadRegistry } from './downloads';
import { zipDirectory } from './zip';

export function webPlatform(options: { workDir: string; downloads: DownloadRegistry; downloadUrl: (id: string) => string }): HostPlatform {
  const { workDir, downloads, downloadUrl } = options;
  const freshFolder = (kind: string) => {
    const dir = path.join(workDir, kind, randomBytes(8).toString('hex'));
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  return {
    transport: 'websocket',
    chooseDataset: async () => {
      throw new ApiError('Browser mode has no file dialog: pick the file in the page and it is uploaded (uploadFile).');
    },
    chooseExperimentFile: async () => {
      throw new ApiError('Browser mode has no file dialog: upload the experiment file from the page instead.');
    },
    saveExperiment: async (json, suggestedName) => {
      const file = path.join(freshFolder('saved'), suggestedName);
      fs.writeFileSync(file, json);
      const id = downloads.add({ file, name: suggestedName, contentType: 'application/json' });
      return { fileName: suggestedName, downloadUrl: downloadUrl(id) };
    },
    saveResultFile: async (bytes, suggestedName) => {
      const file = path.join(freshFolder('results'), suggestedName);
      fs.writeFileSync(file, bytes);
      const id = downloads.add({ file, name: suggestedName, contentType: 'application/octet-stream' });
      return { fileName: suggestedName, downloadUrl: downloadUrl(id) };
    },
    chooseExportDirectory: async (suggestedName) => path.join(freshFolder('exports'), suggestedName),
    deliverExport: async (result: ExportResult, suggestedName) => {
      const zipName = `${suggestedName}.zip`;
      const zipFile = path.join(path.dirname(result.directory), zipName);
      zipDirectory(result.directory, zipFile, suggestedName);
      const id = downloads.add({ file: zipFile, name: zipName, contentType: 'application/zip' });
      return { directory: zipName, files: [downloadUrl(id), ...result.files] };
    },
  };
}
