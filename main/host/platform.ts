/** What differs between the desktop app and browser mode: how files are chosen and delivered. */
import type { ExportResult } from '../../app/api/contract';

export interface HostPlatform {
  readonly transport: 'electron' | 'websocket';
  /** A dataset path the user picked, or null when cancelled. */
  chooseDataset(): Promise<string | null>;
  /** An experiment file path the user picked, or null when cancelled. */
  chooseExperimentFile(): Promise<string | null>;
  /** Writes the experiment JSON where the user wants it; null when cancelled. */
  saveExperiment(json: string, suggestedName: string, saveAs: boolean): Promise<{ fileName: string; downloadUrl?: string } | null>;
  /** Writes a file made in the page (chart PNG, history CSV) where the user wants it; null when cancelled. */
  saveResultFile(bytes: Uint8Array, suggestedName: string): Promise<{ fileName: string; downloadUrl?: string } | null>;
  /** The folder an export goes to, or null when cancelled. */
  chooseExportDirectory(suggestedName: string): Promise<string | null>;
  /** Turns the written export folder into what the renderer receives (browser mode: a zip download). */
  deliverExport(result: ExportResult, suggestedName: string): Promise<ExportResult>;
  /** Remembers the file an experiment was opened from (desktop: Save writes back to it). */
  setCurrentExperimentPath?(filePath: string | null): void;
}
