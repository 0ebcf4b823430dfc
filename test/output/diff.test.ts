import { describe, expect, test } from 'vitest';
import { unifiedDiff } from '../../src/output/diff.js';

const lines = (n: number, f = (i: number) => `line ${i}`) =>
  `${Array.from({ length: n }, (_, i) => f(i + 1)).join('\n')}\n`;

describe('unifiedDiff', () => {
  test('a one-line change with 3 lines of context', () => {
    const before = lines(10);
    const after = before.replace('line 5\n', 'line five\n');
    expect(unifiedDiff({ path: 'is/a.yaml', before, after }, { color: false })).toBe(
      '--- a/is/a.yaml\n+++ b/is/a.yaml\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n',
    );
  });

  test('changes further apart than 6 lines make two hunks; closer ones merge', () => {
    const before = lines(20);
    const after = before.replace('line 2\n', 'two\n').replace('line 18\n', 'eighteen\n').replace('line 8\n', '');
    expect(unifiedDiff({ path: 'f', before, after }, { color: false })).toBe(
      '--- a/f\n+++ b/f\n@@ -1,11 +1,10 @@\n line 1\n-line 2\n+two\n line 3\n line 4\n line 5\n line 6\n line 7\n-line 8\n line 9\n line 10\n line 11\n' +
        '@@ -15,6 +14,6 @@\n line 15\n line 16\n line 17\n-line 18\n+eighteen\n line 19\n line 20\n',
    );
  });

  test('new and deleted files use /dev/null', () => {
    expect(unifiedDiff({ path: 'n.yaml', before: null, after: 'a: 1\nb: 2\n' }, { color: false })).toBe(
      '--- /dev/null\n+++ b/n.yaml\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n',
    );
    expect(unifiedDiff({ path: 'n.yaml', before: 'a: 1\n', after: null }, { color: false })).toBe(
      '--- a/n.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-a: 1\n',
    );
  });

  test('a missing final newline is marked as diff does', () => {
    expect(unifiedDiff({ path: 'f.json', before: '{\n}', after: '{\n}\n' }, { color: false })).toBe(
      '--- a/f.json\n+++ b/f.json\n@@ -1,2 +1,2 @@\n {\n-}\n\\ No newline at end of file\n+}\n',
    );
  });

  test('no change, no output; colour only when asked', () => {
    expect(unifiedDiff({ path: 'f', before: 'a\n', after: 'a\n' }, { color: true })).toBe('');
    const plain = unifiedDiff({ path: 'f', before: 'a\n', after: 'b\n' }, { color: false });
    expect(plain).not.toContain('\u001b[');
    const colored = unifiedDiff({ path: 'f', before: 'a\n', after: 'b\n' }, { color: true });
    expect(colored).toContain('\u001b[31m-a\u001b[39m');
    expect(colored).toContain('\u001b[32m+b\u001b[39m');
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  test('fast on a 10,000-line file with a few changes', () => {
    const before = lines(10_000);
    const after = before.replace('line 10\n', 'x\n').replace('line 9000\n', 'y\nline 9000\n');
    const t0 = performance.now();
    const out = unifiedDiff({ path: 'big', before, after }, { color: false });
    expect(performance.now() - t0).toBeLessThan(200);
    expect(out.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-line 10', '+x', '+y']);
  });
});
