/** The scheduler lease record: who holds it, until when, and when another replica may take it. */
import { describe, expect, it } from 'vitest';
import { defaultLeaseRef, formatLease, leaseDecision, leaseExpiry, parseLease } from '../../src/git/lease.js';

const rec = { holder: 'pod-a/1', renewedAt: '2026-11-22T12:00:00.000Z', durationMs: 60_000 };

describe('lease records', () => {
  it('round-trip through a commit message', () => {
    expect(parseLease(formatLease(rec))).toEqual(rec);
    expect(leaseExpiry(rec).toISOString()).toBe('2026-11-22T12:01:00.000Z');
  });

  it('anything else is no lease', () => {
    expect(parseLease('isctl scheduler lease\n\nnot json\n')).toBeUndefined();
    expect(
      parseLease('some commit\n\n{"holder":"x","renewedAt":"2026-11-22T12:00:00Z","durationMs":1}\n'),
    ).toBeUndefined();
    expect(
      parseLease('isctl scheduler lease\n\n{"holder":"x","renewedAt":"yesterday","durationMs":1}\n'),
    ).toBeUndefined();
  });

  it('another holder keeps it until renewedAt + duration; then it is free; mine is always mine', () => {
    expect(leaseDecision(undefined, 'pod-b/1', new Date('2026-11-22T12:00:30Z'))).toBe('free');
    expect(leaseDecision(rec, 'pod-b/1', new Date('2026-11-22T12:00:59.999Z'))).toBe('held');
    expect(leaseDecision(rec, 'pod-b/1', new Date('2026-11-22T12:01:00Z'))).toBe('free');
    expect(leaseDecision(rec, 'pod-a/1', new Date('2026-11-22T12:00:30Z'))).toBe('mine');
  });

  it('one ref per namespace served and branch, valid as a ref name', () => {
    expect(defaultLeaseRef('main', undefined)).toBe('refs/isctl/lease/_all/main');
    expect(defaultLeaseRef('release/1.0', 'team')).toBe('refs/isctl/lease/team/release%2F1.0');
  });
});
