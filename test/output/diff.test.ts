import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
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

  test('hunks agree with GNU diff -u on generated inputs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'isctl-diff-'));
    try {
      const text = fc
        .array(fc.constantFrom('a', 'b', 'c', 'd', '', '  x: 1'), { maxLength: 30 })
        .map((ls) => ls.map((l) => `${l}\n`).join(''));
      fc.assert(
        fc.property(text, text, (before, after) => {
          writeFileSync(path.join(dir, 'a'), before);
          writeFileSync(path.join(dir, 'b'), after);
          const gnu = spawnSync('diff', ['-U3', path.join(dir, 'a'), path.join(dir, 'b')]).stdout.toString();
          const ours = unifiedDiff({ path: 'f', before, after }, { color: false });
          const body = (s: string) => s.split('\n').slice(2).join('\n');
          // Both are shortest edit scripts; the hunk ranges and the sets of changed lines must agree.
          const shape = (s: string) =>
            body(s)
              .split('\n')
              .filter((l) => l.startsWith('@@'))
              .join('|');
          const count = (s: string, c: string) =>
            body(s)
              .split('\n')
              .filter((l) => l.startsWith(c) && !l.startsWith('@@')).length;
          expect(shape(ours)).toBe(shape(gnu));
          expect(count(ours, '-')).toBe(count(gnu, '-'));
          expect(count(ours, '+')).toBe(count(gnu, '+'));
        }),
        { numRuns: 150 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
