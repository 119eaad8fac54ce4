/** The About box text: versions plus the backend report from a trainer (tfjs never loads in main). */
import type { EngineReport } from '../app/engine/types';

export function aboutText(appVersion: string, versions: NodeJS.ProcessVersions, report: EngineReport | Error): string {
  const lines = [
    `Curvature ${appVersion}`,
    `Electron ${versions.electron ?? '—'} · Chromium ${versions.chrome ?? '—'} · Node ${versions.node}`,
    '',
  ];
  if (report instanceof Error) {
    lines.push(`Training backend: unavailable (${report.message})`);
  } else {
    lines.push(`Training backend: ${report.label}`, `Device: ${report.device}`, `Package: ${report.package} ${report.version}`);
    lines.push(`Selection: ${report.selection === 'override' ? 'override (CURVATURE_BACKEND)' : 'automatic'}`);
    for (const s of report.skipped) lines.push(`  skipped ${s.name}: ${s.reason}`);
  }
  return lines.join('\n');
}
