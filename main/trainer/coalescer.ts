/**
 * Batches experiment events so a host receives at most ~30 messages per second per experiment,
 * however fast the optimizer iterates. Nothing is dropped: every event is delivered, in order;
 * only the number of messages is limited. Terminal events (experiment-finished, error) flush at
 * once so the UI never waits on a timer to learn a run is over.
 */
import type { ExperimentEvent } from '../../app/train/events';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export const DEFAULT_WINDOW_MS = 33;

const FLUSH_NOW: ReadonlySet<ExperimentEvent['type']> = new Set(['experiment-finished', 'error', 'progress']);

export class EventCoalescer {
  private buffer: ExperimentEvent[] = [];
  private lastSent = -Infinity;
  private timer: unknown = null;

  constructor(
    private readonly send: (events: ExperimentEvent[]) => void,
    private readonly windowMs = DEFAULT_WINDOW_MS,
    private readonly clock: Clock = realClock,
  ) {}

  push(event: ExperimentEvent): void {
    this.buffer.push(event);
    const now = this.clock.now();
    // Leading-edge throttle: after a quiet spell the first event goes out at once; later ones wait
    // until a window has passed since the last message. Checking the clock on every push (not only
    // in the timer) keeps batches flowing while synchronous tensor work starves the timers.
    if (FLUSH_NOW.has(event.type) || now - this.lastSent >= this.windowMs) {
      this.flush();
    } else if (this.timer === null) {
      this.timer = this.clock.setTimeout(() => this.flush(), this.lastSent + this.windowMs - now);
    }
  }

  /** Sends whatever is buffered now (also used before shutdown). */
  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.lastSent = this.clock.now();
    this.send(batch);
  }

  get pending(): number {
    return this.buffer.length;
  }
}
