/**
 * Masterminds/semver v3 range semantics. The vectors in `single` and `multi` are upstream's
 * constraints_test.go `TestConstraintCheck` and `TestConstraintsCheck` (the empty-range rows
 * excepted: `NewConstraint("")` is an error upstream too), `newConstraint` is `TestNewConstraint`.
 * Where npm's `semver` package answers differently, the row says so.
 */
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  parseLooseVersion,
  parseStrictVersion,
  parseTagVersion,
  parseVersionRange,
  rangeAdmits,
} from '../../../src/domain/policy/version-range.js';

function admits(range: string, version: string): boolean {
  const v = parseLooseVersion(version);
  if (!v) throw new Error(`test version ${version} does not parse`);
  return rangeAdmits(parseVersionRange(range), v);
}

const single: [string, string, boolean][] = [
  ['=2.0.0', '1.2.3', false],
  ['=2.0.0', '2.0.0', true],
  ['=2.0', '1.2.3', false],
  ['=2.0', '2.0.0', true],
  ['=2.0', '2.0.1', true],
  ['4.1', '4.1.0', true],
  ['!=4.1.0', '4.1.0', false],
  ['!=4.1.0', '4.1.1', true],
  ['!=4.1', '4.1.0', false],
  ['!=4.1', '4.1.1', false],
  ['!=4.1', '5.1.0-alpha.1', false],
  ['!=4.1.0', '5.1.0-alpha.1', false],
  ['!=4.1-alpha', '4.1.0', true],
  ['!=4.1', '5.1.0', true],
  ['<11', '0.1.0', true],
  ['<11', '11.1.0', false],
  ['<1.1', '0.1.0', true],
  ['<1.1', '1.1.0', false],
  ['<1.1', '1.1.1', false],
  ['<=11', '1.2.3', true],
  ['<=11', '12.2.3', false],
  ['<=11', '11.2.3', true],
  ['<=1.1', '1.2.3', false],
  ['<=1.1', '0.1.0', true],
  ['<=1.1', '1.1.0', true],
  ['<=1.1', '1.1.1', true],
  ['>1.1', '4.1.0', true],
  ['>1.1', '1.1.0', false],
  ['>0', '0', false],
  ['>0', '1', true],
  ['>0', '0.0.1-alpha', false],
  ['>0.0', '0.0.1-alpha', false],
  ['>0-0', '0.0.1-alpha', false],
  ['>0.0-0', '0.0.1-alpha', false],
  ['>0', '0.0.0-alpha', false],
  ['>0-0', '0.0.0-alpha', false],
  ['>0.0.0-0', '0.0.0-alpha', true],
  ['>1.2.3-alpha.1', '1.2.3-alpha.2', true],
  ['>1.2.3-alpha.1', '1.3.3-alpha.2', true],
  ['>11', '11.1.0', false],
  ['>11.1', '11.1.0', false],
  ['>11.1', '11.1.1', false],
  ['>11.1', '11.2.1', true],
  ['>=11', '11.1.2', true],
  ['>=11.1', '11.1.2', true],
  ['>=11.1', '11.0.2', false],
  ['>=1.1', '4.1.0', true],
  ['>=1.1', '1.1.0', true],
  ['>=1.1', '0.0.9', false],
  ['>=0', '0.0.1-alpha', false],
  ['>=0.0', '0.0.1-alpha', false],
  ['>=0-0', '0.0.1-alpha', true],
  ['>=0.0-0', '0.0.1-alpha', true],
  ['>=0', '0.0.0-alpha', false],
  ['>=0-0', '0.0.0-alpha', true],
  ['>=0.0.0-0', '0.0.0-alpha', true],
  ['>=0.0.0-0', '1.2.3', true],
  ['>=0.0.0-0', '3.4.5-beta.1', true],
  ['<0', '0.0.0-alpha', false],
  ['<0-z', '0.0.0-alpha', true],
  ['>=0', '0', true],
  ['=0', '1', false],
  ['*', '1', true],
  ['*', '4.5.6', true],
  ['*', '1.2.3-alpha.1', false],
  ['*-0', '1.2.3-alpha.1', true],
  ['2.*', '1', false],
  ['2.*', '3.4.5', false],
  ['2.*', '2.1.1', true],
  ['2.1.*', '2.1.1', true],
  ['2.1.*', '2.2.1', false],
  ['2', '1', false],
  ['2', '3.4.5', false],
  ['2', '2.1.1', true],
  ['2.1', '2.1.1', true],
  ['2.1', '2.2.1', false],
  ['~1.2.3', '1.2.4', true],
  ['~1.2.3', '1.3.4', false],
  ['~1.2', '1.2.4', true],
  ['~1.2', '1.3.4', false],
  ['~1', '1.2.4', true],
  ['~1', '2.3.4', false],
  ['~0.2.3', '0.2.5', true],
  ['~0.2.3', '0.3.5', false],
  ['~1.2.3-beta.2', '1.2.3-beta.4', true],
  ['~1.2.3-beta.2', '1.2.4-beta.2', true],
  ['~1.2.3-beta.2', '1.3.4-beta.2', false],
  ['^1.2.3', '1.8.9', true],
  ['^1.2.3', '2.8.9', false],
  ['^1.2.3', '1.2.1', false],
  ['^1.1.0', '2.1.0', false],
  ['^1.2.0', '2.2.1', false],
  ['^1.2.0', '1.2.1-alpha.1', false],
  ['^1.2.0-alpha.0', '1.2.1-alpha.1', true],
  ['^1.2.0-alpha.0', '1.2.1-alpha.0', true],
  ['^1.2.0-alpha.2', '1.2.0-alpha.1', false],
  ['^1.2', '1.8.9', true],
  ['^1.2', '2.8.9', false],
  ['^1', '1.8.9', true],
  ['^1', '2.8.9', false],
  ['^0.2.3', '0.2.5', true],
  ['^0.2.3', '0.5.6', false],
  ['^0.2', '0.2.5', true],
  ['^0.2', '0.5.6', false],
  ['^0.0.3', '0.0.3', true],
  ['^0.0.3', '0.0.4', false],
  ['^0.0', '0.0.3', true],
  ['^0.0', '0.1.4', false],
  ['^0.0', '1.0.4', false],
  ['^0', '0.2.3', true],
  ['^0', '1.1.4', false],
  ['^0.2.3-beta.2', '0.2.3-beta.4', true],
  ['^0.2.3-beta.2', '0.2.4-beta.2', true],
  ['^0.2.3-beta.2', '0.3.4-beta.2', false],
  ['^0.2.3-beta.2', '0.2.3-beta.2', true],
];
const multi: [string, string, boolean][] = [
  ['*', '1.2.3', true],
  ['~0.0.0', '1.2.3', true],
  ['0.x.x', '1.2.3', false],
  ['0.0.x', '1.2.3', false],
  ['0.0.0', '1.2.3', false],
  ['*', '1.2.3', true],
  ['^0.0.0', '1.2.3', false],
  ['= 2.0', '1.2.3', false],
  ['= 2.0', '2.0.0', true],
  ['4.1', '4.1.0', true],
  ['4.1.x', '4.1.3', true],
  ['1.x', '1.4', true],
  ['!=4.1', '4.1.0', false],
  ['!=4.1-alpha', '4.1.0-alpha', false],
  ['!=4.1-alpha', '4.1.1-alpha', false],
  ['!=4.1-alpha', '4.1.0', true],
  ['!=4.1', '5.1.0', true],
  ['!=4.x', '5.1.0', true],
  ['!=4.x', '4.1.0', false],
  ['!=4.1.x', '4.2.0', true],
  ['!=4.2.x', '4.2.3', false],
  ['>1.1', '4.1.0', true],
  ['>1.1', '1.1.0', false],
  ['<1.1', '0.1.0', true],
  ['<1.1', '1.1.0', false],
  ['<1.1', '1.1.1', false],
  ['<1.x', '1.1.1', false],
  ['<1.x', '0.1.1', true],
  ['<1.x', '2.0.0', false],
  ['<1.1.x', '1.2.1', false],
  ['<1.1.x', '1.1.500', false],
  ['<1.1.x', '1.0.500', true],
  ['<1.2.x', '1.1.1', true],
  ['>=1.1', '4.1.0', true],
  ['>=1.1', '4.1.0-beta', false],
  ['>=1.1', '1.1.0', true],
  ['>=1.1', '0.0.9', false],
  ['<=1.1', '0.1.0', true],
  ['<=1.1', '0.1.0-alpha', false],
  ['<=1.1-a', '0.1.0-alpha', true],
  ['<=1.1', '1.1.0', true],
  ['<=1.x', '1.1.0', true],
  ['<=2.x', '3.0.0', false],
  ['<=1.1', '1.1.1', true],
  ['<=1.1.x', '1.2.500', false],
  ['<=4.5', '3.4.0', true],
  ['<=4.5', '3.7.0', true],
  ['<=4.5', '4.6.3', false],
  ['>1.1, <2', '1.1.1', false],
  ['>1.1, <2', '1.2.1', true],
  ['>1.1, <3', '4.3.2', false],
  ['>=1.1, <2, !=1.2.3', '1.2.3', false],
  ['>1.1 <2', '1.1.1', false],
  ['>1.1 <2', '1.2.1', true],
  ['>1.1    <3', '4.3.2', false],
  ['>=1.1    <2    !=1.2.3', '1.2.3', false],
  ['>=1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
  ['>=1.1, <2, !=1.2.3 || > 3', '3.1.2', false],
  ['>=1.1, <2, !=1.2.3 || >= 3', '3.0.0', true],
  ['>=1.1, <2, !=1.2.3 || > 3', '3.0.0', false],
  ['>=1.1, <2, !=1.2.3 || > 3', '1.2.3', false],
  ['>=1.1 <2 !=1.2.3', '1.2.3', false],
  ['>=1.1 <2 !=1.2.3 || > 3', '4.1.2', true],
  ['>=1.1 <2 !=1.2.3 || > 3', '3.1.2', false],
  ['>=1.1 <2 !=1.2.3 || >= 3', '3.0.0', true],
  ['>=1.1 <2 !=1.2.3 || > 3', '3.0.0', false],
  ['>=1.1 <2 !=1.2.3 || > 3', '1.2.3', false],
  ['> 1.1, <     2', '1.1.1', false],
  ['>   1.1, <2', '1.2.1', true],
  ['>1.1, <  3', '4.3.2', false],
  ['>= 1.1, <     2, !=1.2.3', '1.2.3', false],
  ['> 1.1 < 2', '1.1.1', false],
  ['>1.1 < 2', '1.2.1', true],
  ['> 1.1    <3', '4.3.2', false],
  ['>=1.1    < 2    != 1.2.3', '1.2.3', false],
  ['>= 1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
  ['>= 1.1, <2, != 1.2.3 || > 3', '3.1.2', false],
  ['>= 1.1, <2, != 1.2.3 || >= 3', '3.0.0', true],
  ['>= 1.1, <2, !=1.2.3 || > 3', '3.0.0', false],
  ['>= 1.1, <2, !=1.2.3 || > 3', '1.2.3', false],
  ['>= 1.1 <2 != 1.2.3', '1.2.3', false],
  ['>= 1.1 <2 != 1.2.3 || > 3', '4.1.2', true],
  ['>= 1.1 <2 != 1.2.3 || > 3', '3.1.2', false],
  ['>= 1.1 <2 != 1.2.3 || >= 3', '3.0.0', true],
  ['>= 1.1 < 2 !=1.2.3 || > 3', '3.0.0', false],
  ['>=1.1 < 2 !=1.2.3 || > 3', '1.2.3', false],
  ['>= 1.0.0  <= 2.0.0-beta', '1.0.1-beta', true],
  ['>= 1.0.0  <= 2.0.0-beta', '1.0.1', true],
  ['>= 1.0.0  <= 2.0.0-beta', '3.0.0', false],
  ['>= 1.0.0  <= 2.0.0-beta || > 3', '1.0.1-beta', true],
  ['>= 1.0.0  <= 2.0.0-beta || > 3', '3.0.1-beta', false],
  ['>= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3', '1.0.1-beta', true],
  ['>= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3', '1.0.1-beta', false],
  ['>= 1.0.0-0  <= 2.0.0', '1.0.1-beta', true],
  ['1.1 - 2', '1.1.1', true],
  ['1.5.0 - 4.5', '3.7.0', true],
  ['1.1-3', '4.3.2', false],
  ['^1.1', '1.1.1', true],
  ['^1.1', '4.3.2', false],
  ['^1.x', '1.1.1', true],
  ['^2.x', '1.1.1', false],
  ['^1.x', '2.1.1', false],
  ['^1.x', '1.1.1-beta1', false],
  ['^1.1.2-alpha', '1.2.1-beta1', true],
  ['^1.2.x-alpha', '1.1.1-beta1', false],
  ['^0.0.1', '0.0.1', true],
  ['^0.0.1', '0.3.1', false],
  ['~*', '2.1.1', true],
  ['~1', '2.1.1', false],
  ['~1', '1.3.5', true],
  ['~1', '1.4', true],
  ['~1.x', '2.1.1', false],
  ['~1.x', '1.3.5', true],
  ['~1.x', '1.4', true],
  ['~1.1', '1.1.1', true],
  ['~1.1', '1.1.1-alpha', false],
  ['~1.1-alpha', '1.1.1-beta', true],
  ['~1.1.1-beta', '1.1.1-alpha', false],
  ['~1.1.1-beta', '1.1.1', true],
  ['~1.2.3', '1.2.5', true],
  ['~1.2.3', '1.2.2', false],
  ['~1.2.3', '1.3.2', false],
  ['~1.1', '1.2.3', false],
  ['~1.3', '2.4.5', false],
  ['1.0.0 - 2.0.0 <=2.0.0', '1.5.0', true],
  ['1.0.0 - 2.0.0, <=2.0.0', '1.5.0', true],
];

describe('Masterminds/semver constraints_test.go TestConstraintCheck', () => {
  it.each(single)('%s admits %s: %s', (range, version, want) => {
    expect(admits(range, version)).toBe(want);
  });
});

describe('Masterminds/semver constraints_test.go TestConstraintsCheck', () => {
  it.each(multi)('%s admits %s: %s', (range, version, want) => {
    expect(admits(range, version)).toBe(want);
  });
});

// TestNewConstraint: [input, ORs, constraints in the first OR] or an error.
const newConstraint: [string, number, number][] = [
  ['>= 1.1', 1, 1],
  ['>40.50.60, < 50.70', 1, 2],
  ['2.0', 1, 1],
  ['v2.3.5-20161202202307-sha.e8fc5e5', 1, 1],
  ['v1.2.3-0abc', 1, 1],
  ['>= 1.2.3 < 2.0', 1, 2],
  ['>= 1.2.3 < 2.0 || => 3.0 < 4', 2, 2],
  ['>= 1.2.3, < 2.0', 1, 2],
  ['>= 1.2.3, < 2.0 || => 3.0, < 4', 2, 2],
  ['3 - 4 || => 3.0, < 4', 2, 2],
  ['12.3.34 ~1.2.3', 1, 2],
  ['1.0.0 - 2.0.0, <=2.0.0', 1, 3],
];
const improper = [
  'v1.2.3-beta.01',
  '>= bar',
  'BAR >= 1.2.3',
  '12.3.4.1234',
  '12.23.4.1234',
  '12.3.34.1234',
  '12.3.34~ 1.2.3',
  // Not upstream rows, but what its validConstraintRegex refuses:
  '',
  '   ',
  '>=1.2,',
  ',>=1.2',
  '>=1.2,,<2',
  '>=1.2 ||',
  '> = 1.2',
  '>>1.2',
  '1.2<2',
  '1.x3',
  '1|2',
];

describe('Masterminds/semver constraints_test.go TestNewConstraint', () => {
  it.each(newConstraint)('%s has %i OR groups, %i constraints in the first', (input, ors, count) => {
    const r = parseVersionRange(input);
    expect(r.groups.length).toBe(ors);
    expect(r.groups[0].length).toBe(count);
  });
  it.each(improper)('refuses %j with upstream wording', (input) => {
    expect(() => parseVersionRange(input)).toThrow(/improper constraint: "/);
  });
  it('bounds the length of a range', () => {
    expect(() => parseVersionRange('1'.repeat(2000))).toThrow(/at most 1024 characters/);
  });
});

describe('ranges where npm semver differs (Masterminds is followed)', () => {
  it.each([
    // `=>` is an operator in Masterminds (constraintOps), a syntax error in npm.
    ['=>1.2.0', '1.3.0', true],
    // Comma-separated AND (npm reads `>0,<2.0` as one broken comparator).
    ['>0,<2.0', '1.5.0', true],
    ['>0,<2.0', '0.5.0', false],
    // `^1.x-0`: the -0 opts the group into pre-releases across the whole major (npm: only 1.0.0-x).
    ['^1.x-0', '1.3.0-rc.1', true],
    // A pre-release lower bound admits pre-releases of every version in the group (v3.4.0 #267);
    // npm only admits pre-releases of 1.0.0 itself.
    ['>=1.0.0-0', '1.3.0-rc.1', true],
    ['>=1.0.0-0 <2.0.0', '1.3.0-rc.1', true],
    ['>=1.0.0-0 <2.0.0 || >=3', '3.1.0-rc.1', false],
    ['~1.2', '1.3.0-rc.1', false],
    ['~1.2', '1.2.9', true],
  ] as [string, string, boolean][])('%s admits %s: %s', (range, version, want) => {
    expect(admits(range, version)).toBe(want);
  });
});

describe('versions', () => {
  it.each([
    ['1.2.3', true],
    ['v1.2.3', true],
    ['1.2.3-rc.1', true],
    ['1.2.3+build.7', true],
    ['v1.2.3-rc.1+build.7', true],
    ['1.2', false],
    ['1', false],
    ['01.2.3', false],
    ['1.02.3', false],
    ['vv1.2.3', false],
    ['V1.2.3', false],
    ['1.2.3.4', false],
    ['1.2.3-rc.01', false],
    ['1.2.3-', false],
    ['1.2.3+', false],
    ['1.2.3-rc..1', false],
    ['latest', false],
    ['18446744073709551616.0.0', false],
    ['18446744073709551615.0.0', true],
  ] as [string, boolean][])('fluxcd/pkg version.ParseVersion(%j) parses: %s', (tag, ok) => {
    expect(parseTagVersion(tag) !== undefined).toBe(ok);
  });

  it('StrictNewVersion takes no v; NewVersion coerces', () => {
    expect(parseStrictVersion('v1.2.3')).toBeUndefined();
    expect(parseLooseVersion('v1.2')).toMatchObject({ major: 1n, minor: 2n, patch: 0n });
    expect(parseLooseVersion('01.2.3')).toMatchObject({ major: 1n });
  });

  it('orders by version.go Compare: build metadata ignored, numeric identifiers before alphanumeric', () => {
    const order = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    for (let i = 1; i < order.length; i++) {
      expect(compareVersions(parseTagVersion(order[i - 1])!, parseTagVersion(order[i])!)).toBe(-1);
    }
    expect(compareVersions(parseTagVersion('1.2.3+a')!, parseTagVersion('v1.2.3+b')!)).toBe(0);
  });
});
