import { describe, expect, it } from 'vitest';
import { CoalescingQueue } from '../../src/server/queue.js';
import { DeliveryDeduper } from '../../src/server/dedupe.js';

describe('CoalescingQueue', () => {
  it('coalesces repeats of a key while it waits, keeps order, and drains', () => {
    const q = new CoalescingQueue<number>(10);
    expect(q.offer('a', 1)).toBe('queued');
    expect(q.offer('b', 2)).toBe('queued');
    expect(q.offer('a', 3)).toBe('coalesced');
    expect(q.depth).toBe(2);
    expect(q.drain()).toEqual([1, 2]);
    expect(q.depth).toBe(0);
    expect(q.offer('a', 4)).toBe('queued');
    expect(q.coalesced).toBe(1);
  });

  it('drops new keys when full and counts them, but still coalesces known keys', () => {
    const q = new CoalescingQueue<string>(2);
    q.offer('a', 'a');
    q.offer('b', 'b');
    expect(q.offer('c', 'c')).toBe('dropped');
    expect(q.offer('a', 'a')).toBe('coalesced');
    expect(q.dropped).toBe(1);
    expect(q.depth).toBe(2);
  });

  it('whenNotEmpty resolves on the next offer', async () => {
    const q = new CoalescingQueue<string>(2);
    let woke = false;
    const p = q.whenNotEmpty().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    q.offer('x', 'x');
    await p;
    expect(woke).toBe(true);
  });
});

describe('DeliveryDeduper', () => {
  it('remembers ids up to its capacity, forgetting the least recently seen', () => {
    const d = new DeliveryDeduper(3);
    expect(d.seenBefore('1')).toBe(false);
    expect(d.seenBefore('2')).toBe(false);
    expect(d.seenBefore('3')).toBe(false);
    expect(d.seenBefore('1')).toBe(true); // 1 becomes the most recent
    expect(d.seenBefore('4')).toBe(false); // evicts 2
    expect(d.size).toBe(3);
    expect(d.seenBefore('1')).toBe(true);
    expect(d.seenBefore('2')).toBe(false);
  });

  it('forget lets a redelivery through', () => {
    const d = new DeliveryDeduper(3);
    d.seenBefore('x');
    d.forget('x');
    expect(d.seenBefore('x')).toBe(false);
  });
});
