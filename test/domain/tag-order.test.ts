import { describe, expect, it } from 'vitest';
import { prioritizeTags } from '../../src/domain/tag-order.js';
import { parseSemver, compareSemver } from '../../src/domain/semver.js';

// The first vector is library-go TestPrioritizeTags (pkg/image/imageutil/helpers_test.go); the
// others follow its rules.
const cases: [string[], string[]][] = [
  [
    ['other', 'latest', 'v5.5', '5.2.3', '5.5', 'v5.3.6-bother', '5.3.6-abba', '5.6'],
    ['latest', '5.6', '5.5', 'v5.5', 'v5.3.6-bother', '5.3.6-abba', '5.2.3', 'other'],
  ],
  [
    ['1.1', '1.0.0', '1.0', 'v1.0', 'v1.1', '1.0.1'],
    ['1.1', 'v1.1', '1.0', 'v1.0', '1.0.1', '1.0.0'],
  ],
  [
    ['8.1-rc1', '8.1', '8.0', 'latest', 'stable', 'alpha'],
    ['latest', '8.1', '8.1-rc1', '8.0', 'alpha', 'stable'],
  ],
  [
    ['b', 'a', 'c'],
    ['a', 'b', 'c'],
  ],
];

describe('prioritizeTags (library-go PrioritizeTags)', () => {
  it.each(cases)('orders %j', (input, want) => {
    expect(prioritizeTags(input)).toEqual(want);
  });
});

describe('semver', () => {
  it('parses strictly and compares prereleases', () => {
    expect(parseSemver('01.2.3')).toBeUndefined();
    expect(parseSemver('1.2')).toBeUndefined();
    expect(parseSemver('1.2.3-rc.1+build.5')).toEqual({ major: 1, minor: 2, patch: 3, pre: ['rc', 1] });
    expect(compareSemver(parseSemver('1.0.0-alpha')!, parseSemver('1.0.0')!)).toBe(-1);
    expect(compareSemver(parseSemver('1.0.0-alpha.2')!, parseSemver('1.0.0-alpha.10')!)).toBe(-1);
    expect(compareSemver(parseSemver('1.0.0-beta')!, parseSemver('1.0.0-alpha.1')!)).toBe(1);
  });
});
