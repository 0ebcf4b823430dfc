/**
 * Ordering policies as Flux's image-reflector-controller defines them (internal/policy
 * semver.go, numerical.go, alphabetical.go, filter.go and their _test.go tables), and the
 * validation that refuses bad flags before anything is written.
 */
import { describe, expect, it } from 'vitest';
import { parseGoFloat } from '../../../src/domain/policy/go-float.js';
import { PolicyError, parseMinAge, parsePolicy, rankTags } from '../../../src/domain/policy/policy.js';

function pick(
  policy: string,
  tags: string[],
  filter?: { tagFilter?: string; tagExtract?: string },
): string | undefined {
  return rankTags(parsePolicy({ policy, ...filter }), tags).candidates[0]?.tag;
}

describe('semver policy (Flux semver.go, Masterminds ranges)', () => {
  const tags = ['1.0.0', '1.2.0', '1.2.5', '1.3.0-rc.1', '2.0.0', 'latest', '1.2', 'v1.2.4'];
  it.each([
    // [range, tags, picked]
    ['~1.2', tags, '1.2.5'],
    ['^1', tags, '1.2.5'],
    ['>=1.2 <2', tags, '1.2.5'],
    ['1.2.x', tags, '1.2.5'],
    ['*', tags, '2.0.0'],
    // A pre-release bound admits pre-releases.
    ['>=1.0.0-0 <2.0.0', tags, '1.3.0-rc.1'],
    ['^1.x-0', tags, '1.3.0-rc.1'],
    ['~1.2', ['v1.2.3', 'v1.2.10', 'v1.2.9'], 'v1.2.10'],
    // Flux TestSemVer_Latest "With valid format" and "With valid format prefix".
    ['1.0.x', ['1.0.0', '1.0.0.1', '1.0.0p', '1.0.1', '1.2.0', '0.1.0'], '1.0.1'],
    ['1.0.x', ['v1.2.3', 'v1.0.0', 'v0.1.0'], 'v1.0.0'],
    // Build metadata does not order; among equal versions the tag whose name sorts first wins.
    ['~1.2', ['1.2.5+build.9', '1.2.5+build.10', '1.2.4'], '1.2.5+build.10'],
    ['~1.2', ['v1.2.5', '1.2.5'], '1.2.5'],
    // Pre-releases order by identifiers: numeric ones numerically.
    ['>=1.0.0-0', ['1.0.0-rc.2', '1.0.0-rc.10', '1.0.0-beta'], '1.0.0-rc.10'],
    ['>=1.0.0-0', ['1.0.0-rc.10', '1.0.0'], '1.0.0'],
  ] as [string, string[], string][])('semver:%s over %j picks %s', (range, list, want) => {
    expect(pick(`semver:${range}`, list)).toBe(want);
  });

  it('ranks every candidate, best first', () => {
    const r = rankTags(parsePolicy({ policy: 'semver:~1.2' }), tags);
    expect(r.candidates.map((c) => c.tag)).toEqual(['1.2.5', 'v1.2.4', '1.2.0']);
  });

  it('without a version in range fails with NoMatchingTag (Flux: "unable to determine latest version")', () => {
    expect(rankTags(parsePolicy({ policy: 'semver:1.0.x' }), ['b1.2.3', 'b1.0.0']).failure?.reason).toBe(
      'NoMatchingTag',
    );
    expect(rankTags(parsePolicy({ policy: 'semver:1.0.x' }), []).failure?.reason).toBe('NoMatchingTag');
  });

  it('with an extract template orders the extracted value and picks the original tag', () => {
    const p = { tagFilter: '^app-(?P<version>.*)$', tagExtract: '$version' };
    expect(pick('semver:^1', ['app-1.0.0', 'app-1.4.2', 'web-1.9.0', 'app-2.0.0'], p)).toBe('app-1.4.2');
  });
});

describe('numerical policy (Flux numerical.go)', () => {
  it.each([
    ['asc', ['build-9', 'build-10', 'build-100'], 'build-100'],
    ['desc', ['build-9', 'build-10', 'build-100'], 'build-9'],
  ])('numerical:%s with --tag-extract over %j picks %s', (order, list, want) => {
    expect(pick(`numerical:${order}`, list, { tagFilter: '^build-(?P<n>[0-9]+)$', tagExtract: '$n' })).toBe(want);
  });

  it.each([
    // Flux TestNumerical_Latest rows.
    ['asc', ['-62', '-88', '73', '72', '15', '16', '15', '29', '-33', '-91'], '73'],
    ['desc', ['5', '-8', '-78', '25', '70', '-4', '80', '92', '-20', '-24'], '-78'],
    ['asc', ['47.40896403322944', '-27.8520927455902', '53.47333823144817', '3.2008658570411086'], '53.47333823144817'],
    ['asc', ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'], '1606364286'],
    ['desc', ['1606234201', '1606364286', '1606334092', '1606334284', '1606334201'], '1606234201'],
    ['asc', ['1'], '1'],
    // Numbers, not strings: 10 > 9.
    ['asc', ['9', '10', '100'], '100'],
    ['ASC', ['1e3', '999'], '1e3'],
  ])('numerical:%s over %j picks %s', (order, list, want) => {
    expect(pick(`numerical:${order}`, list)).toBe(want);
  });

  it('fails on a tag that is not a number, as Flux does ("failed to parse invalid numeric value")', () => {
    const r = rankTags(parsePolicy({ policy: 'numerical:asc' }), ['0', '1a', 'b']);
    expect(r.failure).toEqual({
      reason: 'NotNumeric',
      message: expect.stringContaining('tag "1a" is not a number'),
    });
    const withExtract = rankTags(
      parsePolicy({ policy: 'numerical:asc', tagFilter: '^b-(?P<n>.*)$', tagExtract: '$n' }),
      ['b-1', 'b-x'],
    );
    expect(withExtract.failure?.message).toContain('tag "b-x" (extracted value "x") is not a number');
  });

  it.each([
    ['1', 1],
    ['-1.5', -1.5],
    ['.5', 0.5],
    ['1.', 1],
    ['1e3', 1000],
    ['0x1p4', 16],
    ['0x_1p-1', 0.5],
    ['inf', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['1_000', undefined],
    ['0x10', undefined],
    ['1e400', undefined],
    ['1a', undefined],
    ['', undefined],
    ['+nan', undefined],
  ] as [string, number | undefined][])('Go strconv.ParseFloat(%j) = %s', (s, want) => {
    expect(parseGoFloat(s)).toBe(want);
  });
});

describe('alphabetical policy (Flux alphabetical.go)', () => {
  it.each([
    ['asc', ['2026-01-03', '2026-02-01'], '2026-02-01'],
    ['desc', ['2026-01-03', '2026-02-01'], '2026-01-03'],
    // Flux TestAlphabetical_Latest rows.
    ['asc', ['16.04', '16.04.1', '16.10', '20.04', '20.10'], '20.10'],
    ['desc', ['16.04', '16.04.1', '16.10', '20.04', '20.10'], '16.04'],
    ['asc', ['xenial', 'yakkety', 'zesty', 'artful', 'bionic'], 'zesty'],
    ['desc', ['xenial', 'yakkety', 'zesty', 'artful', 'bionic'], 'artful'],
    ['asc', ['rel-1606234201', 'rel-1606364286', 'rel-1606334092'], 'rel-1606364286'],
    // Byte order: upper case before lower case, digits before letters.
    ['asc', ['B', 'a', '9'], 'a'],
    ['', ['2026-01-03', '2026-02-01'], '2026-02-01'],
  ])('alphabetical:%s over %j picks %s', (order, list, want) => {
    expect(pick(`alphabetical:${order}`, list)).toBe(want);
  });

  it('orders the extracted value (Flux filter.go with extract)', () => {
    const p = { tagFilter: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', tagExtract: '$ts' };
    expect(pick('alphabetical:asc', ['main-ff00-1700000002', 'main-0a1b-1700000009', 'dev-9-1800000000'], p)).toBe(
      'main-0a1b-1700000009',
    );
  });

  it('reports Filtered when --tag-filter matches no tag', () => {
    const r = rankTags(parsePolicy({ policy: 'alphabetical:asc', tagFilter: '^nope' }), ['a', 'b']);
    expect(r.failure).toEqual({
      reason: 'Filtered',
      message: expect.stringContaining('none of the repository\'s 2 tags matches --tag-filter "^nope"'),
    });
  });
});

describe('validation names the flag and what is expected', () => {
  it.each([
    [{ policy: 'semver:~1.2.' }, '--policy', /invalid semver range "~1.2.": improper constraint/],
    [{ policy: 'semver:' }, '--policy', /semver needs a range/],
    [{ policy: 'semver' }, '--policy', /semver needs a range/],
    // Flux TestNewSemVer "With invalid range".
    [{ policy: 'semver:1.0.0p' }, '--policy', /invalid semver range/],
    [{ policy: 'semver:1x' }, '--policy', /invalid semver range/],
    [{ policy: 'semver:x1' }, '--policy', /invalid semver range/],
    [{ policy: 'semver:-1' }, '--policy', /invalid semver range/],
    [{ policy: 'semver:a' }, '--policy', /invalid semver range/],
    [{ policy: 'numerical:up' }, '--policy', /unknown order "up" for numerical: expected asc .* or desc/],
    [{ policy: 'alphabetical:newest' }, '--policy', /unknown order "newest" for alphabetical/],
    [{ policy: 'latest' }, '--policy', /unknown policy "latest": expected semver:RANGE/],
    [{ policy: 'numerical:asc', tagFilter: '(' }, '--tag-filter', /invalid regular expression "\(":/],
    [{ policy: 'numerical:asc', tagFilter: '(?<=v)1' }, '--tag-filter', /look-around .* is not RE2 syntax/],
    [{ policy: 'numerical:asc', tagFilter: '(a)\\1' }, '--tag-filter', /back-references/],
    [
      { policy: 'numerical:asc', tagFilter: '^(?P<n>[0-9]+)$', tagExtract: '$version' },
      '--tag-extract',
      /\$version is not a group of --tag-filter \(its named groups: n\)/,
    ],
    [
      { policy: 'numerical:asc', tagFilter: '^([0-9]+)$', tagExtract: '$2' },
      '--tag-extract',
      /\$2 names group 2, but --tag-filter has 1 group$/,
    ],
    [{ policy: 'numerical:asc', tagExtract: '$n' }, '--tag-extract', /needs --tag-filter/],
    [{ policy: 'numerical:asc', tagFilter: '^(?P<n>.*)$', tagExtract: 'v' }, '--tag-extract', /names no group/],
    [
      { policy: 'numerical:asc', tagFilter: '^(?P<n>.*)$', tagExtract: '${n' },
      '--tag-extract',
      /names no group: write \$name/,
    ],
    [
      { policy: 'numerical:asc', minAge: '3 days' },
      '--min-age',
      /invalid duration "3 days": expected a duration such as 72h/,
    ],
    [{ policy: 'numerical:asc', minAge: '-1h' }, '--min-age', /invalid duration/],
  ] as [Record<string, string>, string, RegExp][])('%j is refused on %s', (input, flag, message) => {
    let err: unknown;
    try {
      parsePolicy(input as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).flag).toBe(flag);
    expect((err as Error).message.startsWith(`${flag}: `)).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('accepts the RE2 forms Flux users write', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${n} is Go regexp Expand syntax, not a JS template
    const p = parsePolicy({ policy: 'numerical:asc', tagFilter: '(?i)^RC-(?P<n>[[:digit:]]+)\\z', tagExtract: '${n}' });
    expect(rankTags(p, ['rc-7', 'RC-12', 'rc-3x']).candidates.map((c) => [c.tag, c.value])).toEqual([
      ['RC-12', '12'],
      ['rc-7', '7'],
    ]);
  });

  it('reads durations in Go syntax and days', () => {
    expect(parseMinAge('72h')).toBe(72 * 3_600_000);
    expect(parseMinAge('1h30m')).toBe(90 * 60_000);
    expect(parseMinAge('7d')).toBe(7 * 86_400_000);
    expect(parseMinAge('1.5h')).toBe(90 * 60_000);
    expect(parseMinAge('0')).toBe(0);
  });
});
