/**
 * The periodic re-import of `importPolicy.scheduled` tags. As OpenShift's scheduled image
 * controller does (imagestream-api.md §3), the interval is split into buckets and each tick
 * refreshes one bucket of streams, so every stream is visited once per interval and a large
 * folder does not hit one registry all at once.
 */
import { bucketCount } from './interval.js';

/** Timer functions, injected so tests drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timers. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** Calls `visit(bucket, buckets)` every interval/buckets, starting with bucket 0 right away. */
export class Scheduler {
  readonly buckets: number;
  readonly tickMs: number;
  private handle: unknown;
  private next = 0;
  private stopped = false;

  constructor(
    readonly intervalMs: number,
    private readonly visit: (bucket: number, buckets: number) => void,
    private readonly timers: Timers = realTimers,
  ) {
    this.buckets = bucketCount(intervalMs);
    this.tickMs = Math.max(1, Math.floor(intervalMs / this.buckets));
  }

  /** Starts ticking. */
  start(): void {
    this.tick();
  }

  /** Stops ticking; a visit already handed over is not cancelled. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private tick(): void {
    if (this.stopped) return;
    const bucket = this.next;
    this.next = (this.next + 1) % this.buckets;
    this.visit(bucket, this.buckets);
    this.handle = this.timers.setTimeout(() => this.tick(), this.tickMs);
  }
}
