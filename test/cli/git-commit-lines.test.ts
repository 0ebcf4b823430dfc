/**
 * What `--commit --push` prints about Git is escaped like every text isctl did not write: a
 * rejection reason comes from the remote (the status line its receive-pack sends back, which
 * `git push --porcelain` passes on), and remote and branch names from the Git configuration; a
 * control character in them (ESC ] 0 ; retitles a terminal window, ESC [ 2 J clears the screen)
 * is shown as \xNN, never sent raw (src/domain/escape.ts).
 */
import { describe, expect, it } from 'vitest';
import { commitReportLines, conflictNotice } from '../../src/cli/git-commit.js';

const ESC = '\u001b';

describe('lines about Git', () => {
  it('a push rejection reason from the remote is printed escaped', () => {
    const line = conflictNotice(
      { remote: 'origin', branch: 'main' },
      { attempt: 1, why: `(fetch first)${ESC}]0;owned${ESC}\\${ESC}[2J`, delayMs: 250 },
    );
    expect(line).toBe(
      'origin main moved (push rejected (fetch first)\\x1b]0;owned\\x1b\\\\x1b[2J); ' +
        'running the change again on its head in 250 ms (retry 1)\n',
    );
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('remote and branch names are escaped in the notice and in the report lines', () => {
    const target = { remote: `up${ESC}[31mstream`, branch: `ma\u009bin` };
    expect(conflictNotice(target, { attempt: 2, why: 'stale info', delayMs: 5 })).toMatch(
      /^up\\x1b\[31mstream ma\\x9bin moved \(push rejected stale info\)/,
    );
    const lines = commitReportLines({
      branch: `ma\u009bin`,
      commit: 'abcdef0123456789',
      pushed: true,
      target,
      attempts: 1,
      conflicts: 0,
    });
    expect(lines).toEqual(['committed abcdef012345 on ma\\x9bin', 'pushed to up\\x1b[31mstream ma\\x9bin']);
  });
});
