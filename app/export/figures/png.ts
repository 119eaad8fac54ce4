/**
 * SVG → PNG in plain Node with @resvg/resvg-js (prebuilt native packages, no browser). Text needs a
 * font: a DejaVu or Liberation file from the usual places when there is one (system font scanning
 * is slow and differs per machine), else whatever the system offers. If the native package cannot
 * load, callers write the SVG instead.
 */
import { existsSync } from 'node:fs';

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/Library/Fonts/Arial.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

type Rasteriser = (svg: string) => Uint8Array;
let cached: Promise<Rasteriser | null> | undefined;

async function load(): Promise<Rasteriser | null> {
  try {
    const { Resvg } = await import('@resvg/resvg-js');
    const fontFiles = FONT_CANDIDATES.filter((f) => existsSync(f));
    const font = fontFiles.length ? { loadSystemFonts: false, fontFiles, defaultFontFamily: fontFiles[0].includes('Liberation') ? 'Liberation Sans' : fontFiles[0].includes('rial') ? 'Arial' : 'DejaVu Sans' } : { loadSystemFonts: true };
    return (svg: string) => new Uint8Array(new Resvg(svg, { font, background: '#ffffff' }).render().asPng());
  } catch {
    return null;
  }
}

/** A rasteriser, or null when the native package is missing on this platform (then write SVG). */
export function pngRasteriser(): Promise<Rasteriser | null> {
  cached ??= load();
  return cached;
}
