/**
 * A very small SVG plotter for the export folder's figures (no browser in Node): panels with
 * linear or log axes, points, lines, bars, rectangles and text. Rasterised by ./png.ts.
 */
import { niceTicks } from '../../train/figures';

export const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

export function text(x: number, y: number, s: string, opts: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: string; fill?: string; rotate?: boolean } = {}): string {
  const rot = opts.rotate ? ` transform="rotate(-90 ${x} ${y})"` : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${FONT}" font-size="${opts.size ?? 12}" text-anchor="${opts.anchor ?? 'start'}" fill="${opts.fill ?? '#222'}"${opts.weight ? ` font-weight="${opts.weight}"` : ''}${rot}>${esc(s)}</text>`;
}

export interface Axes {
  x0: number;
  y0: number;
  w: number;
  h: number;
  sx(v: number): number;
  sy(v: number): number;
  svg: string[];
}

export interface AxesSpec {
  x0: number;
  y0: number;
  w: number;
  h: number;
  x: [number, number];
  y: [number, number];
  logY?: boolean;
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) if (10 ** e >= lo * (1 - 1e-9) && 10 ** e <= hi * (1 + 1e-9)) out.push(10 ** e);
  return out.length >= 2 ? out : [lo, hi];
}

/** A framed plot area with ticks, grid, title and axis labels; returns scales to draw in it. */
export function axes(spec: AxesSpec): Axes {
  const { x0, y0, w, h } = spec;
  const [xl, xh] = spec.x[0] === spec.x[1] ? [spec.x[0] - 1, spec.x[1] + 1] : spec.x;
  let [yl, yh] = spec.y[0] === spec.y[1] ? [spec.y[0] - 1, spec.y[1] + 1] : spec.y;
  if (spec.logY) {
    yl = Math.log10(spec.y[0]);
    yh = Math.log10(spec.y[1]);
    if (yl === yh) {
      yl -= 0.5;
      yh += 0.5;
    }
  }
  const sx = (v: number) => x0 + ((v - xl) / (xh - xl)) * w;
  const sy = (v: number) => y0 + h - (((spec.logY ? Math.log10(v) : v) - yl) / (yh - yl)) * h;
  const svg: string[] = [];
  svg.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="#fff" stroke="#888"/>`);
  for (const t of niceTicks(xl, xh, 5)) {
    const px = sx(t);
    svg.push(`<line x1="${px.toFixed(1)}" y1="${y0}" x2="${px.toFixed(1)}" y2="${y0 + h}" stroke="#e4e4e4"/>`);
    svg.push(text(px, y0 + h + 14, fmt(t), { size: 10, anchor: 'middle', fill: '#555' }));
  }
  const yt = spec.logY ? logTicks(10 ** yl, 10 ** yh) : niceTicks(yl, yh, 5);
  for (const t of yt) {
    const py = sy(t);
    svg.push(`<line x1="${x0}" y1="${py.toFixed(1)}" x2="${x0 + w}" y2="${py.toFixed(1)}" stroke="#e4e4e4"/>`);
    svg.push(text(x0 - 4, py + 3, fmt(t), { size: 10, anchor: 'end', fill: '#555' }));
  }
  if (spec.title) svg.push(text(x0 + w / 2, y0 - 8, spec.title, { size: 13, anchor: 'middle', weight: 'bold' }));
  if (spec.xLabel) svg.push(text(x0 + w / 2, y0 + h + 30, spec.xLabel, { size: 11, anchor: 'middle' }));
  if (spec.yLabel) svg.push(text(x0 - 44, y0 + h / 2, spec.yLabel, { size: 11, anchor: 'middle', rotate: true }));
  return { x0, y0, w, h, sx, sy, svg };
}

export function clip(a: Axes, id: string): string {
  return `<clipPath id="${id}"><rect x="${a.x0}" y="${a.y0}" width="${a.w}" height="${a.h}"/></clipPath>`;
}

export function polyline(a: Axes, pts: readonly { x: number; y: number }[], color: string, opts: { width?: number; dash?: string; clipId?: string } = {}): string {
  if (pts.length === 0) return '';
  const d = pts.map((p) => `${a.sx(p.x).toFixed(1)},${a.sy(p.y).toFixed(1)}`).join(' ');
  return `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="${opts.width ?? 1.5}"${opts.dash ? ` stroke-dasharray="${opts.dash}"` : ''}${opts.clipId ? ` clip-path="url(#${opts.clipId})"` : ''}/>`;
}

export function circles(a: Axes, xs: readonly number[], ys: readonly number[], color: string, r = 2.2): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; i++) out.push(`<circle cx="${a.sx(xs[i]).toFixed(1)}" cy="${a.sy(ys[i]).toFixed(1)}" r="${r}"/>`);
  return `<g fill="none" stroke="${color}" stroke-width="1">${out.join('')}</g>`;
}

/** Legend rows at (x, y): a colour swatch and a label each. */
export function legend(x: number, y: number, items: readonly { color: string; label: string; dash?: string }[]): string {
  return items
    .map((it, i) => {
      const yy = y + i * 16;
      return `<line x1="${x}" y1="${yy}" x2="${x + 18}" y2="${yy}" stroke="${it.color}" stroke-width="2.5"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>` + text(x + 24, yy + 4, it.label, { size: 11 });
    })
    .join('');
}

export function document(width: number, height: number, body: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="#fff"/>${body.join('')}</svg>`;
}

/** [min, max] of finite values with 5 % padding; [0, 1] when there are none. */
export function range(values: readonly number[], pad = 0.05): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  const d = (hi - lo || Math.abs(hi) || 1) * pad;
  return [lo - d, hi + d];
}
