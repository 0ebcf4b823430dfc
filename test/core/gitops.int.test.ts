/**
 * commitChange (src/core/gitops.ts) over real Git: a bare remote, clones with their own config,
 * and a change that sets values in files (level-based, like refresh). A competing writer is a
 * second clone that pushes while the first one runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitChange, type ChangeRun, type CommitSpec } from '../../src/core/gitops.js';
import { GitError } from '../../src/git/errors.js';
import { openWorkTree } from '../../src/git/worktree.js';
import type { FileChange } from '../../src/state/types.js';
import { gitSandbox, type GitSandbox } from '../helpers/git/git.js';

let sb: GitSandbox;
let n = 0;
beforeAll(() => {
  sb = gitSandbox();
});
afterAll(() => sb.cleanup());

function setup() {
  const name = `c${n++}`;
  const bare = sb.bare(name, { 'state/a.yaml': 'a: 1\n', 'state/b.yaml': 'b: 1\n', 'README.md': 'x\n' });
  return { bare, clone: sb.clone(bare, `${name}-1`), other: sb.clone(bare, `${name}-2`) };
}

/** A change that sets `values` (file → text) in the state folder of `clone`. */
function setter(clone: string, values: Record<string, string>, before?: (run: number) => void) {
  let runs = 0;
  const run = async ({ dryRun }: { dryRun: boolean }): Promise<ChangeRun<number>> => {
    if (!dryRun) before?.(++runs);
    const changes: FileChange[] = [];
    for (const [file, text] of Object.entries(values)) {
      const abs = path.join(clone, 'state', file);
      const old = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : null;
      if (old === text) continue;
      changes.push({ path: file, before: old, after: text });
      if (!dryRun) fs.writeFileSync(abs, text);
    }
    return {
      result: runs,
      changes,
      facts: { command: 'test', tags: [], workloads: [] },
      data: { files: changes.map((c) => c.path) },
    };
  };
  return { run, runs: () => runs };
}

const sleeps: number[] = [];
function spec(extra: Partial<CommitSpec<number>> = {}): CommitSpec<number> {
  return {
    message: (r) => `set ${r.changes.map((c) => c.path).join(' ')}`,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...extra,
  };
}

const ff = { target: { remote: 'origin', branch: 'main' }, mode: 'fast-forward' as const };

function log(repo: string, ref = 'main'): string[] {
  return sb.git(repo, 'log', '--format=%s', ref).trim().split('\n');
}

async function rejection(p: Promise<unknown>): Promise<GitError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitError);
  return err as GitError;
}

describe('commitChange', () => {
  it('commits only the files the change wrote; an unrelated dirty file stays dirty', async () => {
    const { clone } = setup();
    sb.write(clone, { 'state/b.yaml': 'b: edited by hand\n', 'README.md': 'staged\n' });
    sb.git(clone, 'add', 'README.md');
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const { report } = await commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n' }).run, spec());
    expect(report).toMatchObject({ branch: 'main', pushed: false, attempts: 1, conflicts: 0 });
    expect(sb.git(clone, 'show', '--name-only', '--format=%s', 'HEAD')).toBe('set a.yaml\n\nstate/a.yaml\n');
    expect(sb.git(clone, 'status', '--porcelain')).toBe('M  README.md\n M state/b.yaml\n');
  });

  it('refuses before writing when a file it must change has uncommitted edits', async () => {
    const { clone } = setup();
    sb.write(clone, { 'state/a.yaml': 'a: edited by hand\n' });
    const head = sb.git(clone, 'rev-parse', 'HEAD');
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const err = await rejection(commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n' }).run, spec()));
    expect(err.reason).toBe('DirtyFile');
    expect(err.message).toBe('state/a.yaml has uncommitted edits and would be changed: nothing was written');
    expect(fs.readFileSync(path.join(clone, 'state/a.yaml'), 'utf8')).toBe('a: edited by hand\n');
    expect(sb.git(clone, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('a rejected push: fetch, move to the remote head, run again, commit, push — both changes kept', async () => {
    const { bare, clone, other } = setup();
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const change = setter(clone, { 'a.yaml': 'a: 2\n' }, (run) => {
      if (run !== 1) return;
      // another writer pushes while this run works
      sb.write(other, { 'state/b.yaml': 'b: 2\n' });
      sb.git(other, 'commit', '--quiet', '-am', 'other writer');
      sb.git(other, 'push', '--quiet', 'origin', 'main');
    });
    sleeps.length = 0;
    const { report } = await commitChange(wt, change.run, spec({ push: ff }));
    expect(report).toMatchObject({ pushed: true, attempts: 2, conflicts: 1 });
    expect(change.runs()).toBe(2);
    expect(sleeps).toEqual([100]); // random 0.5 × 200 ms
    expect(log(bare)).toEqual(['set a.yaml', 'other writer', 'initial state']);
    expect(sb.git(bare, 'show', 'main:state/b.yaml')).toBe('b: 2\n');
    expect(sb.git(clone, 'status', '--porcelain')).toBe('');
  });

  it('a change the other writer already made: no second commit, nothing pushed', async () => {
    const { bare, clone, other } = setup();
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const change = setter(clone, { 'a.yaml': 'a: 2\n' }, (run) => {
      if (run !== 1) return;
      sb.write(other, { 'state/a.yaml': 'a: 2\n' });
      sb.git(other, 'commit', '--quiet', '-am', 'same change elsewhere');
      sb.git(other, 'push', '--quiet', 'origin', 'main');
    });
    const { report } = await commitChange(wt, change.run, spec({ push: ff }));
    expect(report).toMatchObject({ pushed: false, attempts: 2, conflicts: 1 });
    expect(report.commit).toBeUndefined();
    expect(log(bare)).toEqual(['same change elsewhere', 'initial state']);
    expect(sb.git(clone, 'rev-parse', 'HEAD')).toBe(sb.git(bare, 'rev-parse', 'main'));
  });

  it('gives up after the bounded attempts with jittered, growing backoff', async () => {
    const { bare, clone, other } = setup();
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const change = setter(clone, { 'a.yaml': 'a: 2\n' }, (run) => {
      sb.write(other, { 'README.md': `moved ${run}\n` });
      sb.git(other, 'commit', '--quiet', '-am', `moved ${run}`);
      sb.git(other, 'push', '--quiet', 'origin', 'main');
    });
    sleeps.length = 0;
    const err = await rejection(
      commitChange(
        wt,
        change.run,
        spec({ push: ff, attempts: 4, random: () => 1, backoff: { baseMs: 10, maxMs: 50 } }),
      ),
    );
    expect(err.reason).toBe('GaveUp');
    expect(err.message).toBe('gave up after 4 attempts: origin main kept moving (last rejection: (fetch first))');
    expect(err.hint).toMatch(/committed locally as [0-9a-f]{12} but not pushed/);
    expect(sleeps).toEqual([10, 20, 40]);
    expect(change.runs()).toBe(4);
    expect(log(bare)[0]).toBe('moved 4');
    expect(log(bare)).not.toContain('set a.yaml');
  });

  it('refuses to push when the branch has commits the remote does not have', async () => {
    const { clone } = setup();
    sb.write(clone, { 'README.md': 'local\n' });
    sb.git(clone, 'commit', '--quiet', '-am', 'local only');
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const err = await rejection(commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n' }).run, spec({ push: ff })));
    expect(err.reason).toBe('Ahead');
    expect(err.message).toBe('the branch has 1 commit that origin/main does not have');
    expect(fs.readFileSync(path.join(clone, 'state/a.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('brings a branch that is behind to the remote head before running', async () => {
    const { bare, clone, other } = setup();
    sb.write(other, { 'state/b.yaml': 'b: 3\n' });
    sb.git(other, 'commit', '--quiet', '-am', 'ahead of clone');
    sb.git(other, 'push', '--quiet', 'origin', 'main');
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const { report } = await commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n' }).run, spec({ push: ff }));
    expect(report).toMatchObject({ pushed: true, attempts: 1, conflicts: 0 });
    expect(log(bare)).toEqual(['set a.yaml', 'ahead of clone', 'initial state']);
  });

  it('a failing commit hook: nothing committed, the files are as before', async () => {
    const { clone } = setup();
    fs.writeFileSync(path.join(clone, '.git/hooks/commit-msg'), '#!/bin/sh\necho "needs a ticket id" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const err = await rejection(
      commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n', 'c.yaml': 'c: 1\n' }).run, spec()),
    );
    expect(err.reason).toBe('CommitFailed');
    expect(err.message).toContain('needs a ticket id');
    expect(sb.git(clone, 'status', '--porcelain')).toBe('');
    expect(log(clone)).toEqual(['initial state']);
  });

  it('a pull-request branch is base + change, replaced by lease; the same change again is not pushed', async () => {
    const { bare, clone } = setup();
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const pr = {
      target: { remote: 'origin', branch: 'isctl/update' },
      base: { remote: 'origin', branch: 'main' },
      mode: 'replace' as const,
    };
    const first = await commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n' }).run, spec({ push: pr }));
    expect(first.report).toMatchObject({ pushed: true });
    expect(log(bare, 'isctl/update')).toEqual(['set a.yaml', 'initial state']);
    expect(log(bare)).toEqual(['initial state']);
    // A second run (a fresh checkout of main) computes the same change: the branch stays as it is.
    sb.git(clone, 'reset', '--quiet', '--hard', 'origin/main');
    const again = await commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n' }).run, spec({ push: pr }));
    expect(again.report).toMatchObject({ pushed: false, alreadyThere: true });
    expect(again.report.commit).toBe(sb.git(bare, 'rev-parse', 'isctl/update').trim());
    // A bigger change replaces the branch: still one commit on top of main.
    sb.git(clone, 'reset', '--quiet', '--hard', 'origin/main');
    await commitChange(wt, setter(clone, { 'a.yaml': 'a: 2\n', 'b.yaml': 'b: 2\n' }).run, spec({ push: pr }));
    expect(log(bare, 'isctl/update')).toEqual(['set a.yaml b.yaml', 'initial state']);
  });

  it('an owned clone drops what a killed run left before running', async () => {
    const { bare, clone } = setup();
    sb.write(clone, { 'state/b.yaml': 'b: half-done\n', 'state/stray.yaml': 'x: 1\n' });
    const wt = await openWorkTree(path.join(clone, 'state'), { env: sb.env });
    const { report } = await commitChange(
      wt,
      setter(clone, { 'a.yaml': 'a: 2\n' }).run,
      spec({ push: ff, owned: true }),
    );
    expect(report.pushed).toBe(true);
    expect(sb.git(bare, 'show', '--name-only', '--format=', 'main')).toBe('state/a.yaml\n');
    expect(sb.git(clone, 'status', '--porcelain')).toBe('');
  });
});
