/**
 * `--push` when the remote says no, with the real `git` and bare repositories on disk: a
 * pre-receive hook that refuses (printing a hostile message full of terminal escape sequences),
 * and a remote that moved between isctl's fetch and its push (non-fast-forward). What the user
 * sees: the rejection named, Git's message with every control character shown as `\xNN`
 * (src/domain/escape.ts), the exit code, and the clone left as README.md "Committing and pushing"
 * says: a refused push leaves the change committed locally and says how to drop it; a remote that
 * moved gets the change run again on its new head.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_LAYOUT, ROOT, runCli, type CliResult } from '../helpers/index.js';
import { gitSandbox, type GitSandbox } from '../helpers/git/git.js';

let sb: GitSandbox;
let n = 0;
beforeAll(() => {
  sb = gitSandbox();
});
afterAll(() => sb?.cleanup());

/** A remote holding examples/state (stream hello, DeploymentConfig hello) and its OCI layout, and a clone of it. */
function setup() {
  const id = `r${n++}`;
  const seed = path.join(sb.root, `${id}-seed`);
  fs.cpSync(path.join(ROOT, 'examples', 'state'), path.join(seed, 'state'), {
    recursive: true,
    filter: (src) => !src.split(path.sep).includes('.isctl'),
  });
  fs.cpSync(EXAMPLE_LAYOUT, path.join(seed, 'hello-oci'), { recursive: true });
  // isctl's lock and caches are not state (README "The state folder").
  fs.writeFileSync(path.join(seed, '.gitignore'), '.isctl/\n');
  sb.git(sb.root, 'init', '--quiet', '-b', 'main', seed);
  sb.git(seed, 'add', '-A');
  sb.git(seed, 'commit', '--quiet', '-m', 'initial state');
  const bare = path.join(sb.root, `${id}.git`);
  sb.git(sb.root, 'clone', '--quiet', '--bare', seed, bare);
  const dir = sb.clone(bare, `${id}-work`);
  const head = (repo: string) => sb.git(repo, 'rev-parse', 'main').trim();
  return { bare, dir, head, before: head(bare) };
}

/** `isctl import-image hello:1.0 --push` in the clone: it changes hello.yaml and rolls out hello-deploy.yaml. */
const importAndPush = (dir: string, env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(['--dir', path.join(dir, 'state'), 'import-image', 'hello:1.0', '--push'], {
    cwd: sb.root,
    env: { ...sb.env, ISCTL_GIT_TIMEOUT: '30', ...env },
  });

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Control characters other than the line feed: none may reach the user's terminal. */
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('a push the remote refuses (pre-receive hook)', () => {
  it("names the refusal, shows the hook's message with its escape sequences escaped, exits 1; the change stays committed locally", async () => {
    const { bare, dir, head, before } = setup();
    // Retitles the terminal window, clears the screen, recolours, backspaces and uses a C1 CSI (UTF-8).
    const hostile = String.raw`\033]0;pwned\007\033[2J\033[31mACCESS GRANTED\033[0m\b\302\2332K`;
    fs.writeFileSync(
      path.join(bare, 'hooks', 'pre-receive'),
      `#!/bin/sh\nprintf '${hostile}\\n' >&2\necho 'main is protected: open a pull request' >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const r = await importAndPush(dir);

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(RAW_CONTROLS);
    const commit = sb.git(dir, 'rev-parse', 'HEAD').trim();
    expect(r.stderr).toBe(
      'error: origin refused the push to main: [remote rejected] (pre-receive hook declined)\n' +
        'remote: \\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mACCESS GRANTED\\x1b[0m\\x08\\x9b2K\n' +
        'remote: main is protected: open a pull request\n' +
        `error: failed to push some refs to '${bare}'\n` +
        'hint: the remote (a hook or a branch protection rule) decides; see its message. The change is committed ' +
        `locally as ${commit.slice(0, 12)} but not pushed: drop it (git reset --keep origin/main) and run again once ` +
        'the remote accepts it, or with --push-branch NAME to push it to a branch of its own for a pull request\n',
    );
    // The remote is unchanged; the clone holds the commit on top of what it had, and nothing uncommitted.
    expect(head(bare)).toBe(before);
    expect(sb.git(dir, 'rev-parse', 'HEAD~')).toBe(`${before}\n`);
    expect(sb.git(dir, 'show', '--name-only', '--format=%s', 'HEAD')).toMatch(
      /^isctl import-image: default\/hello:1\.0 → sha256:[0-9a-f]{12}, deploymentconfig hello rolled out\n\nstate\/hello-deploy\.yaml\nstate\/hello\.yaml\n$/,
    );
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');

    // The hint's command drops it: the files are what the remote has, nothing else changed.
    sb.git(dir, 'reset', '--quiet', '--keep', 'origin/main');
    expect(head(dir)).toBe(before);
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
    for (const f of ['state/hello.yaml', 'state/hello-deploy.yaml'])
      expect(fs.readFileSync(path.join(dir, f), 'utf8')).toBe(sb.git(bare, 'show', `main:${f}`));
  });
});

/**
 * A proc-receive hook (githooks(5) "proc-receive", receive.procReceiveRefs) answers the push of
 * every branch itself, `ng REF REASON`, with the reason in the file `hooks/reason`: the remote
 * writes the text of git's own status line, which `git push --porcelain` prints as it came.
 */
const PROC_RECEIVE = `#!/usr/bin/env node
const fs = require('node:fs');
function readExact(n) {
  const b = Buffer.alloc(n);
  for (let o = 0; o < n; ) {
    const r = fs.readSync(0, b, o, n - o, null);
    if (r === 0) process.exit(2);
    o += r;
  }
  return b;
}
function readPkt() {
  const len = parseInt(readExact(4).toString(), 16);
  return len === 0 ? null : readExact(len - 4).toString();
}
function writePkt(s) {
  const b = Buffer.from(s);
  fs.writeSync(1, (b.length + 4).toString(16).padStart(4, '0'));
  fs.writeSync(1, b);
}
const reason = fs.readFileSync(__dirname + '/reason', 'utf8');
while (readPkt() !== null);
writePkt('version=1\\n');
fs.writeSync(1, '0000');
const refs = [];
for (let l; (l = readPkt()) !== null; ) refs.push(l.trim().split(' ')[2]);
for (const ref of refs) writePkt('ng ' + ref + ' ' + reason + '\\n');
fs.writeSync(1, '0000');
`;

function remoteAnswers(bare: string, reason: string): void {
  sb.git(bare, 'config', 'receive.procReceiveRefs', 'refs/heads/');
  fs.writeFileSync(path.join(bare, 'hooks', 'proc-receive'), PROC_RECEIVE, { mode: 0o755 });
  fs.writeFileSync(path.join(bare, 'hooks', 'reason'), reason);
}

describe("a rejection whose reason the remote writes (git's status line)", () => {
  it('a refusal: the reason is shown with its escape sequences escaped, exit 1', async () => {
    const { bare, dir, head, before } = setup();
    remoteAnswers(bare, 'protected\x1b[2J\x1b]0;pwned\x07 branch');
    const r = await importAndPush(dir);

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(RAW_CONTROLS);
    expect(r.stderr).toMatch(
      /^error: origin refused the push to main: \[remote rejected\] \(protected\\x1b\[2J\\x1b\]0;pwned\\x07 branch\)\n/,
    );
    expect(r.stderr).toMatch(/\nhint: the remote \(a hook or a branch protection rule\) decides; see its message\. /);
    expect(head(bare)).toBe(before);
    expect(sb.git(dir, 'rev-parse', 'HEAD~')).toBe(`${before}\n`);
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
  });

  it('a reason that reads as a lost race is retried, and every line that quotes it is escaped', async () => {
    const { bare, dir, head, before } = setup();
    remoteAnswers(bare, 'failed to update ref\x1b]0;pwned\x07\x1b[1A');
    const r = await importAndPush(dir, { ISCTL_GIT_PUSH_ATTEMPTS: '2' });

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(RAW_CONTROLS);
    const commit = sb.git(dir, 'rev-parse', 'HEAD').trim();
    const why = '(failed to update ref\\x1b]0;pwned\\x07\\x1b[1A)';
    expect(r.stderr).toMatch(
      new RegExp(
        `^origin main moved \\(push rejected ${escapeRegExp(why)}\\); running the change again on its head in \\d+ ms \\(retry 1\\)\\n` +
          `error: gave up after 2 attempts: origin main kept moving \\(last rejection: ${escapeRegExp(why)}\\)\\n` +
          `hint: the change is committed locally as ${commit.slice(0, 12)} but not pushed: `,
      ),
    );
    expect(head(bare)).toBe(before);
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
  });
});

describe('a push rejected because the remote moved (non-fast-forward)', () => {
  /** The script that pushes a commit of another writer (from a clone of its own) to the remote. */
  function rival(bare: string, dir: string): string {
    const other = sb.clone(bare, `${path.basename(dir)}-rival`);
    return (
      `(cd "${other}" && unset GIT_DIR GIT_INDEX_FILE && git pull -q --rebase && date +%s%N >> rival.txt && ` +
      'git add rival.txt && git commit -qm rival && git push -q origin main)'
    );
  }

  /**
   * The remote moves right after isctl's fetch, once: the clone's reference-transaction hook, when
   * the fetch has updated isctl's private ref (refs/isctl/…), has the other writer push first. So
   * isctl's push meets a remote head it does not have, and git refuses it before sending anything.
   */
  function rivalAfterFetch(bare: string, dir: string): void {
    const done = path.join(sb.root, `${path.basename(dir)}-moved`);
    fs.writeFileSync(
      path.join(dir, '.git', 'hooks', 'reference-transaction'),
      '#!/bin/sh\n' +
        '[ "$1" = committed ] || exit 0\n' +
        'grep -q " refs/isctl/" || exit 0\n' +
        `[ -e "${done}" ] && exit 0\n` +
        `touch "${done}" && ${rival(bare, dir)} >/dev/null 2>&1\n`,
      { mode: 0o755 },
    );
  }

  /**
   * The remote moves while isctl pushes, every time: the clone's pre-push hook (which runs after
   * the remote advertised its head) has the other writer push first, so the remote's own
   * compare-and-swap of the branch refuses isctl's update.
   */
  function rivalDuringPush(bare: string, dir: string): void {
    fs.writeFileSync(path.join(dir, '.git', 'hooks', 'pre-push'), `#!/bin/sh\n${rival(bare, dir)}\n`, {
      mode: 0o755,
    });
  }

  it('names the rejection, runs the change again on the new head and pushes it: exit 0, clone and remote agree', async () => {
    const { bare, dir, head } = setup();
    rivalAfterFetch(bare, dir);
    const r = await importAndPush(dir);

    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^origin main moved \(push rejected \(fetch first\)\); running the change again on its head in \d+ ms \(retry 1\)\n$/,
    );
    expect(r.stdout).toMatch(/\ncommitted [0-9a-f]{12} on main\npushed to origin main after 1 rejected push\n$/);
    expect(sb.git(bare, 'log', '--format=%s', 'main').trim().split('\n').slice(0, 2)).toEqual([
      expect.stringMatching(/^isctl import-image: default\/hello:1\.0 → /),
      'rival',
    ]);
    expect(head(dir)).toBe(head(bare));
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
  });

  it('rejected by the remote on every attempt (ISCTL_GIT_PUSH_ATTEMPTS=1): gives up naming the rejection, exit 1, the commit kept', async () => {
    const { bare, dir, head, before } = setup();
    rivalDuringPush(bare, dir);
    const r = await importAndPush(dir, { ISCTL_GIT_PUSH_ATTEMPTS: '1' });

    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const commit = sb.git(dir, 'rev-parse', 'HEAD').trim();
    expect(r.stderr).toBe(
      'error: gave up after 1 attempt: origin main kept moving (last rejection: (failed to update ref))\n' +
        `hint: the change is committed locally as ${commit.slice(0, 12)} but not pushed: push it later ` +
        '(git pull --rebase && git push), or drop it (git reset --keep origin/main) and run again\n',
    );
    expect(sb.git(bare, 'log', '--format=%s', 'main').trim().split('\n')[0]).toBe('rival');
    expect(sb.git(dir, 'rev-parse', 'HEAD~')).toBe(`${before}\n`);
    expect(head(bare)).not.toBe(before);
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
  });
});
