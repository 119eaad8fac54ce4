/**
 * Append-only numeric arrays for column storage while streaming.
 * The first block doubles up to BLOCK entries; after that, fixed blocks are appended, so a big file
 * never needs a doubling copy (which would briefly hold 3× the column); `trim` cuts the last block
 * to size once the column is complete.
 *
 * Blocks are a few MB: above the C allocator's threshold for serving a request from its own mapping
 * (which the loader's 1 MB read buffers raise to about their size), so a dropped table's blocks go
 * back to the system rather than staying in the allocator's heap as resident memory.
 */
export const BLOCK_BITS = 18;
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
    const at = i & MASK;
    let block = this.blocks[b];
    if (block === undefined) {
      block = this.make(BLOCK);
      this.blocks.push(block);
    } else if (at === block.length) {
      // The first block (or a trimmed last one) grows by doubling up to BLOCK.
      block = this.resized(block, Math.min(BLOCK, Math.max(16, block.length * 2)));
      this.blocks[b] = block;
    }
    block[at] = v;
    this.length = i + 1;
  }

  private resized(block: A, length: number): A {
    const bigger = this.make(length);
    bigger.set(block);
    return bigger;
  }

  get(i: number): number {
    return this.blocks[i >>> BLOCK_BITS][i & MASK];
  }

  /** Cuts the last block to the entries in use (when the column is complete; a later push grows it again). */
  trim(): void {
    const last = this.blocks.length - 1;
    const used = this.length - (last << BLOCK_BITS);
    if (used < this.blocks[last].length) this.blocks[last] = this.blocks[last].slice(0, used) as A;
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
      const b = i >>> BLOCK_BITS;
      const at = i & MASK;
      const n = Math.min(BLOCK - at, src.length - from);
      let block = this.blocks[b];
      if (block === undefined) {
        block = this.make(BLOCK);
        this.blocks.push(block);
      } else if (block.length < at + n) {
        let length = block.length;
        while (length < at + n) length = Math.min(BLOCK, Math.max(16, length * 2));
        block = this.resized(block, length);
        this.blocks[b] = block;
      }
      block.set(src.subarray(from, from + n), at);
      from += n;
      this.length = i + n;
    }
  }
}

export const growableFloat64 = (): Growable<Float64Array> => new Growable((n) => new Float64Array(n));
export const growableInt32 = (): Growable<Int32Array> => new Growable((n) => new Int32Array(n));
