/**
 * The Git adapter (src/git/worktree.ts) against the real git command: bare repositories on disk,
 * clones with their own HOME and config. Every case checks what git itself then reports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError } from '../../src/git/errors.js';
import { openWorkTree } from '../../src/git/worktree.js';
import { freePort } from '../helpers/registry/registry.js';
import { gitSandbox, startGitDaemon, type GitDaemon, type GitSandbox } from '../helpers/git/git.js';

let sb: GitSandbox;
let n = 0;
beforeAll(() => {
  sb = gitSandbox();
});
afterAll(() => sb.cleanup());

/** A bare remote with `state/` and `other.txt`, and a clone of it. */
function setup(files: Record<string, string> = {}) {
  const name = `r${n++}`;
  const bare = sb.bare(name, { 'state/a.yaml': 'a: 1\n', 'state/b.yaml': 'b: 1\n', 'other.txt': 'x\n', ...files });
  const clone = sb.clone(bare, `${name}-clone`);
  return { bare, clone, state: path.join(clone, 'state') };
}

async function rejection(p: Promise<unknown>): Promise<GitError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitError);
  return err as GitError;
}

describe('opening a work tree', () => {
  it('refuses a folder outside any work tree, naming it', async () => {
    const dir = fs.mkdtempSync(path.join(sb.root, 'plain-'));
    const err = await rejection(openWorkTree(dir, { env: sb.env }));
    expect(err.reason).toBe('NotWorkTree');
    expect(err.message).toBe(`${dir} is not inside a Git work tree`);
    expect(err.hint).toMatch(/git clone|git init/);
  });

  it('knows the top folder and the prefix of a state folder below it', async () => {
    const { clone, state } = setup();
    const wt = await openWorkTree(state, { env: sb.env });
    expect(wt.root).toBe(fs.realpathSync(clone));
    expect(wt.prefix).toBe('state/');
    expect(await wt.branch()).toBe('main');
    expect(await wt.upstream('main')).toEqual({ remote: 'origin', branch: 'main' });
    expect(await wt.remotes()).toEqual(['origin']);
  });

  it('reports a detached HEAD and a branch without upstream', async () => {
    const { clone, state } = setup();
    sb.git(clone, 'switch', '--quiet', '-c', 'local');
    const wt = await openWorkTree(state, { env: sb.env });
    expect(await wt.upstream('local')).toBeUndefined();
    sb.git(clone, 'switch', '--quiet', '--detach', 'HEAD');
    const err = await rejection(wt.branch());
    expect(err.reason).toBe('DetachedHead');
    expect(err.message).toMatch(/^HEAD is detached at [0-9a-f]{7,}/);
  });

  it('refuses to work during a merge', async () => {
    const { clone, state } = setup();
    sb.git(clone, 'switch', '--quiet', '-c', 'side');
    sb.write(clone, { 'other.txt': 'side\n' });
    sb.git(clone, 'commit', '--quiet', '-am', 'side');
    sb.git(clone, 'switch', '--quiet', 'main');
    sb.write(clone, { 'other.txt': 'main\n' });
    sb.git(clone, 'commit', '--quiet', '-am', 'main');
    expect(sb.tryGit(clone, 'merge', 'side').code).not.toBe(0);
    const wt = await openWorkTree(state, { env: sb.env });
    const err = await rejection(wt.checkReady());
    expect(err.reason).toBe('OperationInProgress');
    expect(err.message).toMatch(/^a merge is in progress/);
  });
});

describe('dirty files', () => {
  it('lists modified, staged, untracked and renamed files of the state folder only, without .isctl/', async () => {
    const { clone, state } = setup({ 'state/c.yaml': 'c: 1\n' });
    sb.write(clone, {
      'state/a.yaml': 'a: 2\n',
      'state/new.yaml': 'n: 1\n',
      'state/.isctl/lock': '{}',
      'other.txt': 'y\n',
    });
    sb.write(clone, { 'state/b.yaml': 'b: 2\n' });
    sb.git(clone, 'add', 'state/b.yaml');
    sb.git(clone, 'mv', 'state/c.yaml', 'state/d.yaml');
    const wt = await openWorkTree(state, { env: sb.env });
    expect([...(await wt.dirty())].sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml', 'new.yaml']);
  });
});

describe('commit', () => {
  it('commits exactly the given files; what else is staged or modified stays as it was', async () => {
    const { clone, state } = setup();
    sb.write(clone, { 'other.txt': 'staged by the user\n', 'state/b.yaml': 'b: user edit\n' });
    sb.git(clone, 'add', 'other.txt');
    sb.write(state, { 'a.yaml': 'a: 2\n', 'sub/new.yaml': 'new: 1\n' });
    const wt = await openWorkTree(state, { env: sb.env });
    const sha = await wt.commit(['a.yaml', 'sub/new.yaml'], 'isctl: test\n\nbody line\n');
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(sb.git(clone, 'rev-parse', 'HEAD').trim()).toBe(sha);
    expect(sb.git(clone, 'show', '--name-status', '--format=%s%n%b', 'HEAD')).toBe(
      'isctl: test\nbody line\n\n\nM\tstate/a.yaml\nA\tstate/sub/new.yaml\n',
    );
    // The user's staged file is still staged, their edit still unstaged; our files are clean.
    expect(sb.git(clone, 'status', '--porcelain')).toBe('M  other.txt\n M state/b.yaml\n');
  });

  it('commits a deleted file', async () => {
    const { clone, state } = setup();
    fs.rmSync(path.join(state, 'b.yaml'));
    const wt = await openWorkTree(state, { env: sb.env });
    await wt.commit(['b.yaml'], 'remove b');
    expect(sb.git(clone, 'show', '--name-status', '--format=', 'HEAD')).toBe('D\tstate/b.yaml\n');
    expect(sb.git(clone, 'status', '--porcelain')).toBe('');
  });

  it('makes no commit when the files do not differ from HEAD', async () => {
    const { clone, state } = setup();
    const before = sb.git(clone, 'rev-parse', 'HEAD');
    const wt = await openWorkTree(state, { env: sb.env });
    expect(await wt.commit(['a.yaml'], 'nothing')).toBeUndefined();
    expect(sb.git(clone, 'rev-parse', 'HEAD')).toBe(before);
  });

  it('a failing pre-commit hook: no commit, the error carries its output, restore puts the files back', async () => {
    const { clone, state } = setup();
    const hook = path.join(clone, '.git/hooks/pre-commit');
    fs.writeFileSync(hook, '#!/bin/sh\necho "lint: state/a.yaml is not allowed" >&2\nexit 1\n', { mode: 0o755 });
    const before = sb.git(clone, 'rev-parse', 'HEAD');
    sb.write(state, { 'a.yaml': 'a: 3\n', 'added.yaml': 'x: 1\n' });
    const wt = await openWorkTree(state, { env: sb.env });
    const err = await rejection(wt.commit(['a.yaml', 'added.yaml'], 'refused'));
    expect(err.reason).toBe('CommitFailed');
    expect(err.message).toContain('lint: state/a.yaml is not allowed');
    expect(sb.git(clone, 'rev-parse', 'HEAD')).toBe(before);
    await wt.restore(['a.yaml', 'added.yaml']);
    expect(sb.git(clone, 'status', '--porcelain')).toBe('');
    expect(fs.readFileSync(path.join(state, 'a.yaml'), 'utf8')).toBe('a: 1\n');
    expect(fs.existsSync(path.join(state, 'added.yaml'))).toBe(false);
    // no temporary index is left in .git
    expect(fs.readdirSync(path.join(clone, '.git')).filter((f) => f.startsWith('isctl-index'))).toEqual([]);
  });

  it('without an identity: a clear error; with --author the author also commits', async () => {
    const { clone, state } = setup();
    const env = { ...sb.env, GIT_CONFIG_GLOBAL: path.join(sb.root, 'empty.gitconfig'), EMAIL: '' };
    fs.writeFileSync(env.GIT_CONFIG_GLOBAL, '');
    sb.write(state, { 'a.yaml': 'a: 4\n' });
    const wt = await openWorkTree(state, { env });
    const err = await rejection(wt.commit(['a.yaml'], 'who'));
    expect(err.reason).toBe('NoIdentity');
    expect(err.hint).toContain('--author "Name <email>"');
    await wt.commit(['a.yaml'], 'who', 'Image Bot <bot@example.invalid>');
    expect(sb.git(clone, 'log', '-1', '--format=%an <%ae>|%cn <%ce>')).toBe(
      'Image Bot <bot@example.invalid>|Image Bot <bot@example.invalid>\n',
    );
  });
});

describe('fetch, move and push', () => {
  it('fetches a branch, or undefined when the remote has none', async () => {
    const { bare, state } = setup();
    const wt = await openWorkTree(state, { env: sb.env });
    expect(await wt.fetch({ remote: 'origin', branch: 'main' })).toBe(sb.git(bare, 'rev-parse', 'main').trim());
    expect(await wt.fetch({ remote: 'origin', branch: 'nope' })).toBeUndefined();
  });

  it('a fast-forward push lands; a push after the remote moved is rejected, not forced', async () => {
    const { bare, clone, state } = setup();
    const other = sb.clone(bare, `other-${n++}`);
    const wt = await openWorkTree(state, { env: sb.env });
    sb.write(state, { 'a.yaml': 'a: mine\n' });
    await wt.commit(['a.yaml'], 'mine');
    sb.write(other, { 'state/b.yaml': 'b: theirs\n' });
    sb.git(other, 'commit', '--quiet', '-am', 'theirs');
    sb.git(other, 'push', '--quiet', 'origin', 'main');
    const theirs = sb.git(bare, 'rev-parse', 'main');
    const r = await wt.push({ remote: 'origin', branch: 'main' });
    expect(r.status).toBe('rejected');
    expect(sb.git(bare, 'rev-parse', 'main')).toBe(theirs);
    // after moving to the remote head, the same change pushes
    const remote = await wt.fetch({ remote: 'origin', branch: 'main' });
    await wt.moveTo(remote!, 'keep');
    sb.write(state, { 'a.yaml': 'a: mine\n' });
    const mine = await wt.commit(['a.yaml'], 'mine again');
    expect(await wt.push({ remote: 'origin', branch: 'main' })).toEqual({ status: 'pushed', commit: mine });
    expect(sb.git(bare, 'rev-parse', 'main').trim()).toBe(mine);
    expect(sb.git(clone, 'log', '--format=%s', '-3')).toBe('mine again\ntheirs\ninitial state\n');
  });

  it('a lease replaces a branch only while it holds the expected commit', async () => {
    const { bare, state } = setup();
    const wt = await openWorkTree(state, { env: sb.env });
    sb.write(state, { 'a.yaml': 'a: pr\n' });
    const first = await wt.commit(['a.yaml'], 'pr');
    expect((await wt.push({ remote: 'origin', branch: 'pr' }, { lease: '' })).status).toBe('pushed');
    sb.write(state, { 'a.yaml': 'a: pr2\n' });
    await wt.commit(['a.yaml'], 'pr2');
    // '' means "must not exist yet"
    expect((await wt.push({ remote: 'origin', branch: 'pr' }, { lease: '' })).status).toBe('rejected');
    expect(await wt.push({ remote: 'origin', branch: 'pr' }, { lease: `${'0'.repeat(39)}1` })).toMatchObject({
      status: 'rejected',
    });
    expect(sb.git(bare, 'rev-parse', 'pr').trim()).toBe(first);
    expect((await wt.push({ remote: 'origin', branch: 'pr' }, { lease: first! })).status).toBe('pushed');
  });

  it('a remote hook that refuses is a refusal with its message, not a conflict', async () => {
    const { bare, state } = setup();
    fs.writeFileSync(path.join(bare, 'hooks/pre-receive'), '#!/bin/sh\necho "main is protected" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const wt = await openWorkTree(state, { env: sb.env });
    sb.write(state, { 'a.yaml': 'a: 5\n' });
    await wt.commit(['a.yaml'], 'x');
    const err = await rejection(wt.push({ remote: 'origin', branch: 'main' }));
    expect(err.reason).toBe('PushRefused');
    expect(err.message).toContain('main is protected');
  });

  it('an unreachable remote: a clear error naming it, no credential in the message', async () => {
    const { clone, state } = setup();
    const port = await freePort();
    sb.git(clone, 'remote', 'add', 'gone', `http://robot:s3cret-token@127.0.0.1:${port}/state.git`);
    const wt = await openWorkTree(state, { env: sb.env, timeoutMs: 20_000 });
    const f = await rejection(wt.fetch({ remote: 'gone', branch: 'main' }));
    expect(f.reason).toBe('Unreachable');
    expect(f.message).toMatch(/^cannot fetch from gone: /);
    const p = await rejection(wt.push({ remote: 'gone', branch: 'main' }));
    expect(p.reason).toBe('Unreachable');
    for (const e of [f, p]) expect(`${e.message}${e.detail}`).not.toContain('s3cret-token');
  });

  it("moving with 'keep' keeps unrelated edits and refuses to overwrite one; 'discard' drops them", async () => {
    const { bare, state } = setup();
    const other = sb.clone(bare, `other-${n++}`);
    sb.write(other, { 'state/a.yaml': 'a: remote\n' });
    sb.git(other, 'commit', '--quiet', '-am', 'remote');
    sb.git(other, 'push', '--quiet', 'origin', 'main');
    const wt = await openWorkTree(state, { env: sb.env });
    const remote = (await wt.fetch({ remote: 'origin', branch: 'main' }))!;
    sb.write(state, { 'a.yaml': 'a: local edit\n', 'b.yaml': 'b: local edit\n' });
    const err = await rejection(wt.moveTo(remote, 'keep'));
    expect(err.reason).toBe('WouldOverwrite');
    expect(err.message).toContain('a.yaml');
    sb.write(state, { 'a.yaml': 'a: 1\n' });
    await wt.moveTo(remote, 'keep');
    expect(fs.readFileSync(path.join(state, 'a.yaml'), 'utf8')).toBe('a: remote\n');
    expect(fs.readFileSync(path.join(state, 'b.yaml'), 'utf8')).toBe('b: local edit\n');
    sb.write(state, { 'stray.yaml': 'x: 1\n', '.isctl/blobs/keep': 'k' });
    await wt.moveTo(remote, 'discard');
    expect(fs.readFileSync(path.join(state, 'b.yaml'), 'utf8')).toBe('b: 1\n');
    expect(fs.existsSync(path.join(state, 'stray.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(state, '.isctl/blobs/keep'))).toBe(true);
  });
});

describe('over the network (git daemon on 127.0.0.1)', () => {
  let daemon: GitDaemon;
  let base: string;
  beforeAll(async () => {
    base = fs.mkdtempSync(path.join(sb.root, 'served-'));
    daemon = await startGitDaemon(sb, base);
  });
  afterAll(async () => daemon?.stop());

  it('a push of the commit the branch already holds is up to date, not a second push', async () => {
    // Two writers making one change on one base in the same second (same author, dates and
    // message) make one identical commit: git push --porcelain flags the second '=' (up to date).
    const bare = sb.bare('same');
    fs.renameSync(bare, path.join(base, 'same.git'));
    const url = `${daemon.url}same.git`;
    const a = sb.clone(url, 'same-a');
    const b = sb.clone(url, 'same-b');
    const fixed = { ...sb.env, GIT_AUTHOR_DATE: '2026-12-07T08:00:00Z', GIT_COMMITTER_DATE: '2026-12-07T08:00:00Z' };
    const wa = await openWorkTree(a, { env: fixed });
    const wb = await openWorkTree(b, { env: fixed });
    sb.write(a, { 'x.yaml': 'x: same\n' });
    sb.write(b, { 'x.yaml': 'x: same\n' });
    const ca = await wa.commit(['x.yaml'], 'the same change');
    const cb = await wb.commit(['x.yaml'], 'the same change');
    expect(cb).toBe(ca);
    expect(await wa.push({ remote: 'origin', branch: 'main' })).toEqual({ status: 'pushed', commit: ca });
    expect(await wb.push({ remote: 'origin', branch: 'main' })).toEqual({
      status: 'pushed',
      commit: ca,
      upToDate: true,
    });
  });

  it('fetches, is rejected when the remote moved, and pushes', async () => {
    const bare = sb.bare('net');
    fs.renameSync(bare, path.join(base, 'net.git'));
    const url = `${daemon.url}net.git`;
    const a = sb.clone(url, 'net-a');
    const b = sb.clone(url, 'net-b');
    const wa = await openWorkTree(a, { env: sb.env });
    const wb = await openWorkTree(b, { env: sb.env });
    sb.write(a, { 'x.yaml': 'x: a\n' });
    sb.write(b, { 'y.yaml': 'y: b\n' });
    const ca = await wa.commit(['x.yaml'], 'a');
    await wb.commit(['y.yaml'], 'b');
    expect(await wa.push({ remote: 'origin', branch: 'main' })).toEqual({ status: 'pushed', commit: ca });
    expect((await wb.push({ remote: 'origin', branch: 'main' })).status).toBe('rejected');
    expect(await wb.fetch({ remote: 'origin', branch: 'main' })).toBe(ca);
    expect(sb.git(path.join(base, 'net.git'), 'rev-parse', 'main').trim()).toBe(ca);
  });
});
