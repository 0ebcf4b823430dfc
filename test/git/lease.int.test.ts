/**
 * The scheduler lease over real Git: two replicas (clones) race for it by compare-and-swap push;
 * one wins, the other sees the holder; the holder renews; when it stops renewing, the lease
 * expires and the other takes it; release hands it over at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLease } from '../../src/git/lease.js';
import { Git } from '../../src/git/worktree.js';
import { gitSandbox, type GitSandbox } from '../helpers/git/git.js';

let sb: GitSandbox;
beforeAll(() => {
  sb = gitSandbox();
});
afterAll(() => sb.cleanup());

describe('GitLease', () => {
  it('one of two racing replicas wins; the lease expires when not renewed; release frees it', async () => {
    const bare = sb.bare('lease');
    let now = new Date('2026-11-22T12:00:00Z');
    const clock = () => now;
    const make = (name: string) =>
      new GitLease(new Git(sb.clone(bare, name), { env: sb.env }), {
        remote: 'origin',
        ref: 'refs/isctl/lease/_all/main',
        holder: name,
        durationMs: 60_000,
        now: clock,
      });
    const a = make('replica-a');
    const b = make('replica-b');
    const [ra, rb] = await Promise.all([a.acquire(), b.acquire()]);
    expect([ra.held, rb.held].sort()).toEqual([false, true]);
    const [winner, loser] = ra.held ? [a, b] : [b, a];
    const winnerName = ra.held ? 'replica-a' : 'replica-b';
    // the loser, asking again, learns who holds it and until when
    expect(await loser.acquire()).toEqual({
      held: false,
      holder: winnerName,
      expiresAt: new Date('2026-11-22T12:01:00Z'),
    });
    // the holder renews
    now = new Date('2026-11-22T12:00:50Z');
    expect(await winner.acquire()).toMatchObject({ held: true, expiresAt: new Date('2026-11-22T12:01:50Z') });
    now = new Date('2026-11-22T12:01:30Z');
    expect((await loser.acquire()).held).toBe(false);
    // the holder stops renewing (it died): after expiry the other one takes over
    now = new Date('2026-11-22T12:01:50Z');
    expect(await loser.acquire()).toMatchObject({ held: true });
    expect((await winner.acquire()).held).toBe(false);
    // release: the remote ref is gone and the other replica takes it at once
    await loser.release();
    expect(sb.tryGit(bare, 'rev-parse', '--verify', 'refs/isctl/lease/_all/main').code).not.toBe(0);
    expect((await winner.acquire()).held).toBe(true);
    // the lease ref is one small commit with an empty tree, never on a branch
    expect(sb.git(bare, 'log', '--format=%s', 'refs/isctl/lease/_all/main')).toBe('isctl scheduler lease\n');
    expect(sb.git(bare, 'rev-parse', 'refs/isctl/lease/_all/main^{tree}').trim()).toBe(
      '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    );
    expect(sb.git(bare, 'log', '--format=%s', 'main')).toBe('initial state\n');
  });
});
