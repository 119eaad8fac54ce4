/**
 * Writes the example datasets shipped under app/examples/data. Synthetic, so they are ours to ship
 * (public domain) and reproducible: `npx tsx app/examples/generate.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../util/random';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data');

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const r4 = (v: number) => Number(v.toFixed(4));

/** Friedman #1 (1991): y = 10 sin(π x1 x2) + 20 (x3 − ½)² + 10 x4 + 5 x5 + ε, with x6..x8 pure noise. */
function friedman(rows: number): string {
  const rand = seededRandom(7);
  const lines = ['x1,x2,x3,x4,x5,x6,x7,x8,y'];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 8 }, () => rand());
    const y = 10 * Math.sin(Math.PI * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4] + gaussian(rand);
    lines.push([...x, y].map(r4).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Three interleaved spirals in the plane plus a categorical "sensor" column that carries a little signal. */
function spirals(rowsPerClass: number): string {
  const rand = seededRandom(11);
  const labels = ['amber', 'blue', 'crimson'];
  const sensors = ['north', 'south', 'east'];
  const lines = ['radius_x,radius_y,sensor,species'];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < rowsPerClass; i++) {
      const t = (i / rowsPerClass) * 3.5 + 0.3;
      const angle = t + (c * 2 * Math.PI) / 3 + gaussian(rand) * 0.15;
      const sensor = rand() < 0.5 ? sensors[c] : sensors[Math.floor(rand() * 3)];
      lines.push([r4(t * Math.cos(angle)), r4(t * Math.sin(angle)), sensor, labels[c]].join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The 1-D tanh regression of the optimizer bench (bench/optimizers/problems regression1dData, seed 21):
 * y = 0.8 sin(2πx) + 0.3x on x uniform in [−1, 1], noise-free, every value written to full float64
 * precision (shortest round-trip digits), so a float64 run sees exactly the numbers generated.
 */
export function tanh1d(rows: number): string {
  const rand = seededRandom(21);
  const lines = ['x,y'];
  for (let r = 0; r < rows; r++) {
    const x = 2 * rand() - 1;
    lines.push(`${x},${0.8 * Math.sin(2 * Math.PI * x) + 0.3 * x}`);
  }
  return lines.join('\n') + '\n';
}

fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'friedman1.csv'), friedman(800));
fs.writeFileSync(path.join(dir, 'spirals.csv'), spirals(200));
fs.writeFileSync(path.join(dir, 'tanh1d.csv'), tanh1d(200));
console.log(`wrote ${dir}/friedman1.csv, spirals.csv and tanh1d.csv`);
