import { describe, expect, it } from 'vitest';
import { bucketCount, bucketOf, formatInterval, parseInterval } from '../../src/server/interval.js';
import { UsageError } from '../../src/domain/errors.js';

describe('parseInterval', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['1500ms', 1500],
  ])('%s = %d ms', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['', '15', 'm', '5 m', '1d', '-5m', '10ms', '5m30', 'abc'])(
    'rejects %j with a usage error naming it',
    (text) => {
      expect(() => parseInterval(text)).toThrow(UsageError);
      expect(() => parseInterval(text)).toThrow(`invalid interval "${text}"`);
    },
  );

  it('formats back', () => {
    expect(formatInterval(5_400_000)).toBe('1h30m');
    expect(formatInterval(900_000)).toBe('15m');
    expect(formatInterval(30_000)).toBe('30s');
  });
});

describe('buckets (OpenShift factory.go Buckets())', () => {
  it('2 below 10 minutes, 4 up to an hour, 8 above', () => {
    expect(bucketCount(parseInterval('30s'))).toBe(2);
    expect(bucketCount(parseInterval('10m'))).toBe(4);
    expect(bucketCount(parseInterval('15m'))).toBe(4);
    expect(bucketCount(parseInterval('1h'))).toBe(4);
    expect(bucketCount(parseInterval('1h30m'))).toBe(8);
  });

  it('spreads streams over the buckets stably', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[bucketOf('ns', `stream-${i}`, 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(60);
    expect(bucketOf('a', 'b', 4)).toBe(bucketOf('a', 'b', 4));
  });
});
