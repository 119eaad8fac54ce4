/**
 * Append-only numeric arrays for column storage while streaming.
 * The first block doubles up to BLOCK entries; after that, fixed blocks are appended, so a big file
 * never needs a doubling copy (which would briefly hold 3× the column) and wastes at most one block.
 */
export const BLOCK_BITS = 16;
export const BLOCK = 1 << BLOCK_BITS;
const MASK = BLOCK - 1;

type NumericArray = Float64Array | Int32Array;

export class Growable<A extends NumericArray> {
  private readonly blocks: A[];
  length = 0;

  constructor(private readonly make: (length: number) => A) {
    this.blocks = [make(16)];
  }

  push(v: number): void {
    const i = this.length;
    const b = i >>> BLOCK_BITS;
    if (b === 0) {
      const first = this.blocks[0];
      if (i === first.length) {
        const bigger = this.make(Math.min(BLOCK, first.length * 2));
        bigger.set(first);
        this.blocks[0] = bigger;
      }
    } else if (b === this.blocks.length) {
      this.blocks.push(this.make(BLOCK));
    }
    this.blocks[b][i & MASK] = v;
    this.length = i + 1;
  }

  get(i: number): number {
    return this.blocks[i >>> BLOCK_BITS][i & MASK];
  }

  /** The values as views of the blocks, each BLOCK long but the last: entry i is in view i >>> BLOCK_BITS. */
  chunks(): A[] {
    const out: A[] = [];
    for (let start = 0, b = 0; start < this.length; start += BLOCK, b++) {
      out.push(this.blocks[b].subarray(0, Math.min(BLOCK, this.length - start)) as A);
    }
    return out;
  }

  /** Appends all of src with block copies (a column chunk from a columnar reader). */
  pushAll(src: Float64Array): void {
    let from = 0;
    while (from < src.length) {
      const i = this.length;
      if (i < BLOCK) {
        // The first block grows by doubling; fill it value by value up to its final size.
        this.push(src[from++]);
        continue;
      }
      const b = i >>> BLOCK_BITS;
      if (b === this.blocks.length) this.blocks.push(this.make(BLOCK));
      const at = i & MASK;
      const n = Math.min(BLOCK - at, src.length - from);
      this.blocks[b].set(src.subarray(from, from + n), at);
      from += n;
      this.length = i + n;
    }
  }
}

export const growableFloat64 = (): Growable<Float64Array> => new Growable((n) => new Float64Array(n));
export const growableInt32 = (): Growable<Int32Array> => new Growable((n) => new Int32Array(n));
