/** unifiedDiff against GNU diffutils `diff -U3` on generated inputs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { unifiedDiff } from '../../src/output/diff.js';

describe('unifiedDiff', () => {
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
