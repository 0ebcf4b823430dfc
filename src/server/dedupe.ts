/**
 * Bounded memory of delivery ids already handled: Distribution redelivers the same `events[].id`
 * after a timeout, GitHub redeliveries keep their `X-GitHub-Delivery`.
 */

/** A least-recently-used set of delivery ids with a fixed capacity. */
export class DeliveryDeduper {
  private readonly seen = new Map<string, true>();

  constructor(readonly capacity = 10_000) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
  }

  /** Records `id`; returns true when it was seen before (a repeat to ignore). */
  seenBefore(id: string): boolean {
    if (this.seen.has(id)) {
      // Refresh its position so a redelivery storm keeps the id remembered.
      this.seen.delete(id);
      this.seen.set(id, true);
      return true;
    }
    this.seen.set(id, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
    return false;
  }

  /** Forgets `id` (used when a delivery could not be queued, so a redelivery is accepted). */
  forget(id: string): void {
    this.seen.delete(id);
  }

  /** Number of ids remembered. */
  get size(): number {
    return this.seen.size;
  }
}
