/**
 * The periodic re-import of `importPolicy.scheduled` tags. As OpenShift's scheduled image
 * controller does (openshift-controller-manager
 * pkg/image/controller/scheduled_image_controller.go), the interval is split into buckets and each
 * tick refreshes one bucket of streams, so every stream is visited once per interval and a large
 * folder does not hit one registry all at once.
 */
import { bucketCount } from './interval.js';

/** Timer functions, injected so tests drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the epoch (default Date.now), for the time of the next tick. */
  now?(): number;
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
  private nextAt: number | undefined;

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
    this.nextAt = undefined;
  }

  /** When the next bucket is handed over, and which (0-based); undefined before start and once stopped. */
  get nextRun(): { at: number; bucket: number } | undefined {
    return this.nextAt === undefined ? undefined : { at: this.nextAt, bucket: this.next };
  }

  private tick(): void {
    if (this.stopped) return;
    const bucket = this.next;
    this.next = (this.next + 1) % this.buckets;
    this.visit(bucket, this.buckets);
    this.nextAt = (this.timers.now?.() ?? Date.now()) + this.tickMs;
    this.handle = this.timers.setTimeout(() => this.tick(), this.tickMs);
  }
}
