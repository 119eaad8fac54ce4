/**
 * The Race view's exports: the charts as one PNG (white background, run colours and labels drawn
 * in) and every run's history as CSV. Browser mode downloads them; the desktop app saves them
 * through the host's save dialog.
 */
import type { CurvatureApi } from '../../../app/ui';
import { runColor } from './colors';
import type { RunSeries } from './series';
import { download } from './session-files';

export interface ExportRun {
  runId: string;
  label: string;
  colorIndex: number;
}

const CSV_COLUMNS = ['run', 'label', 'iteration', 'function_evaluations', 'compute_seconds', 'race_seconds', 'train_loss', 'validation_loss', 'grad_norm2', 'step'] as const;

function csvField(v: string | number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '' : String(v);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Long format, one row per run and iteration, full precision. */
export function historiesCsv(runs: readonly ExportRun[], series: ReadonlyMap<string, RunSeries>): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const r of runs) {
    const s = series.get(r.runId);
    if (!s) continue;
    for (let i = 0; i < s.length; i++) {
      lines.push(
        [r.runId, r.label, s.iteration[i], s.evaluations[i], s.seconds[i], s.raceSeconds[i], s.trainLoss[i], s.validationLoss[i], s.gradNorm2[i], s.step[i]]
          .map(csvField)
          .join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** Both charts stacked on one white canvas, each with its title, and a legend of the runs. */
export function chartsPng(figures: readonly { title: string; canvas: HTMLCanvasElement }[], runs: readonly ExportRun[]): Promise<Blob> {
  const scale = window.devicePixelRatio || 1;
  const pad = 16 * scale;
  const titleH = 24 * scale;
  const legendH = 28 * scale;
  const width = Math.max(...figures.map((f) => f.canvas.width)) + 2 * pad;
  const height = figures.reduce((h, f) => h + titleH + f.canvas.height + pad, pad + legendH);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const g = out.getContext('2d');
  if (!g) return Promise.reject(new Error('This browser cannot draw the chart image.'));
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, width, height);
  g.font = `${13 * scale}px system-ui, sans-serif`;
  let x = pad;
  for (const r of runs) {
    g.fillStyle = runColor(r.colorIndex);
    g.fillRect(x, pad + 4 * scale, 14 * scale, 10 * scale);
    g.fillStyle = '#222222';
    g.fillText(r.label, x + 18 * scale, pad + 14 * scale);
    x += g.measureText(r.label).width + 36 * scale;
  }
  let y = pad + legendH;
  for (const f of figures) {
    g.fillStyle = '#222222';
    g.font = `bold ${14 * scale}px system-ui, sans-serif`;
    g.fillText(f.title, pad, y + 16 * scale);
    y += titleH;
    g.drawImage(f.canvas, pad, y);
    y += f.canvas.height + pad;
  }
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('Could not encode the PNG.'))), 'image/png'));
}

/** Browser mode: a download; desktop: the host's save dialog. Returns the saved name, or null if cancelled. */
export async function deliver(api: CurvatureApi, blob: Blob, fileName: string): Promise<string | null> {
  if (api.transport === 'electron') {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const r = await api.saveResultFile(fileName, btoa(binary));
    return r?.fileName ?? null;
  }
  const url = URL.createObjectURL(blob);
  try {
    download(url, fileName);
  } finally {
    // The click has started the download; the URL can go once the event loop moves on.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return fileName;
}

/** A file name from the experiment's name: letters, digits, dot, dash, underscore. */
export function safeFileName(name: string, fallback = 'experiment'): string {
  return name.trim().replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 80) || fallback;
}
