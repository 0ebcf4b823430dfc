/**
 * The bounded import queue between the webhook listener and the importer (imports run behind a
 * queue that a burst cannot grow without bound). Repeats of the same key while it waits are
 * coalesced into one entry; when the queue is full new keys are dropped and counted, never
 * buffered.
 */

/** What happened to an offered item. */
export type OfferResult = 'queued' | 'coalesced' | 'dropped';

/** A FIFO of distinct keys with a maximum depth. */
export class CoalescingQueue<T> {
  private readonly items = new Map<string, T>();
  private droppedCount = 0;
  private coalescedCount = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly maxDepth = 1000) {
    if (maxDepth < 1) throw new RangeError('maxDepth must be at least 1');
  }

  /** Adds `value` under `key` unless the same key is already waiting (then it is coalesced) or the queue is full. */
  offer(key: string, value: T): OfferResult {
    if (this.items.has(key)) {
      this.coalescedCount++;
      return 'coalesced';
    }
    if (this.items.size >= this.maxDepth) {
      this.droppedCount++;
      return 'dropped';
    }
    this.items.set(key, value);
    for (const w of this.waiters.splice(0)) w();
    return 'queued';
  }

  /** Removes and returns every waiting item, oldest first. */
  drain(): T[] {
    const out = [...this.items.values()];
    this.items.clear();
    return out;
  }

  /** Resolves when at least one item is waiting (immediately if one is). */
  whenNotEmpty(): Promise<void> {
    if (this.items.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every waiter without an item (used on shutdown). */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Items waiting now. */
  get depth(): number {
    return this.items.size;
  }

  /** Items refused because the queue was full, since start. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Offers merged into an item already waiting, since start. */
  get coalesced(): number {
    return this.coalescedCount;
  }
}
