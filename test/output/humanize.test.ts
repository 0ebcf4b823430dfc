import { describe, expect, it } from 'vitest';
import { humanDuration, humanSize, relativeTime } from '../../src/output/humanize.js';
import { tabwrite, DESCRIBE_TABWRITER, TABLE_TABWRITER } from '../../src/output/tabwriter.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('humanDuration (go-units HumanDuration)', () => {
  it.each([
    [-5 * S, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * S, '1 second'],
    [59 * S, '59 seconds'],
    [60 * S, 'About a minute'],
    [119 * S, 'About a minute'],
    [2 * M, '2 minutes'],
    [59 * M + 59 * S, '59 minutes'],
    [60 * M, 'About an hour'],
    [89 * M, 'About an hour'],
    [90 * M, '2 hours'],
    [2 * H, '2 hours'],
    [47 * H + 29 * M, '47 hours'],
    [47 * H + 30 * M, '2 days'],
    [48 * H, '2 days'],
    [13 * 24 * H, '13 days'],
    [14 * 24 * H, '2 weeks'],
    [59 * 24 * H, '8 weeks'],
    [60 * 24 * H, '2 months'],
    [729 * 24 * H, '24 months'],
    [730 * 24 * H, '2 years'],
  ])('%d ms → %s', (ms, want) => expect(humanDuration(ms)).toBe(want));

  it('an unset timestamp saturates like Go durations: 292 years', () => {
    expect(relativeTime(new Date('2026-01-01T00:00:00Z'), '')).toBe('292 years');
    expect(relativeTime(new Date('2026-01-01T00:00:00Z'), null)).toBe('292 years');
  });
});

describe('humanSize (go-units HumanSize, %.4g)', () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [1024, '1.024kB'],
    [3409, '3.409kB'],
    [4430, '4.43kB'],
    [28_400_000, '28.4MB'],
    [12_345_678, '12.35MB'],
    [999_950, '1000kB'],
    [5_000_000_000, '5GB'],
  ])('%d → %s', (n, want) => expect(humanSize(n)).toBe(want));
});

describe('tabwriter', () => {
  it('describe layout: blocks broken by tab-less lines, tab stops of 8', () => {
    const got = tabwrite(
      'Name:\tmyapp\nNamespace:\tx\nImage Repository:\tfoo\n\nlatest\n      5 minutes ago\tsha\n',
      DESCRIBE_TABWRITER,
    );
    expect(got).toBe('Name:\t\t\tmyapp\nNamespace:\t\tx\nImage Repository:\tfoo\n\nlatest\n      5 minutes ago\tsha\n');
  });
  it('kubectl table layout: min width 6, padding 3, last column unpadded', () => {
    const got = tabwrite(
      'NAME\tIMAGE REPOSITORY\tTAGS\tUPDATED\nmyapp\tr/myproject/myapp\tlatest,1.25\t5 minutes ago\nx\t\t\t\n',
      TABLE_TABWRITER,
    );
    expect(got).toBe(
      `NAME    IMAGE REPOSITORY    TAGS          UPDATED\n` +
        `myapp   r/myproject/myapp   latest,1.25   5 minutes ago\n` +
        `x${' '.repeat(7)}${' '.repeat(20)}${' '.repeat(14)}\n`,
    );
  });
});
