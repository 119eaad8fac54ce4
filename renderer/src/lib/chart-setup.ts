/** chart.js with only the pieces the race and fitting charts use (tree-shaken), plus pan/zoom. */
import {
  BarController,
  BarElement,
  Chart,
  Legend,
  ScatterController,
  Decimation,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
} from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';

Chart.register(BarController, BarElement, Legend, ScatterController, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Decimation, Filler, zoomPlugin);

export { Chart };

export interface ThemeColors {
  text: string;
  muted: string;
  grid: string;
  surface: string;
}

export function themeColors(): ThemeColors {
  const s = getComputedStyle(document.documentElement);
  const v = (name: string) => s.getPropertyValue(name).trim();
  return { text: v('--text'), muted: v('--muted'), grid: v('--grid'), surface: v('--surface') };
}
