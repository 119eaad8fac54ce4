/** What differs between the desktop app and browser mode: how files are chosen and delivered. */
import type { ExportResult } from '../../app/api/contract';

export interface HostPlatform {
  readonly transport: 'electron' | 'websocket';
  /** A dataset path the user picked, or null when cancelled. */
  chooseDataset(): Promise<string | null>;
  /** A model file (Keras, TF.js, Curvature weights) the user picked; absent where there is no dialog. */
  chooseModel?(): Promise<string | null>;
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
  /**
   * An opened experiment names a data file outside its own folder: show it and ask (desktop). Absent
   * in browser mode, which has no dialogs: such a path is refused there (only uploads are read).
   */
  confirmOutsideDataPath?(dataPath: string, experimentFile: string): Promise<boolean>;
  /** Remembers the file an experiment was opened from (desktop: Save writes back to it). */
  setCurrentExperimentPath?(filePath: string | null): void;
}
