/**
 * The folder lock under stale and odd lock files: every wait sleeps and ends at its deadline (no
 * spinning, whatever the breaker file holds); holders are identified by more than a PID (host
 * name, process start time, boot id, token) and provably dead ones are recovered — also one that
 * recorded this very process's PID (PID 1 of a restarted container).
 */
import { executionAsyncId } from 'node:async_hooks';
import { afterEach, describe, expect, test } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { LockError } from '../../src/domain/errors.js';
import { processStartTime, withFolderLock } from '../../src/state/lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): { dir: string; lock: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'isctl-lockfile-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, '.isctl'));
  return { dir, lock: path.join(dir, '.isctl', 'lock') };
}

/** No process has this PID (beyond any pid_max). */
const DEAD_PID = 2 ** 30;
/** A live process of this machine that is not this one: the test runner that forked this worker. */
const LIVE_PID = process.ppid;

const holder = (o: Record<string, unknown>) =>
  JSON.stringify({ hostname: hostname(), started: '2024-01-01T00:00:00Z', token: 'theirs', ...o });

/** Takes the lock with `timeoutMs`, measuring wall time and this process's CPU time. */
async function take(dir: string, timeoutMs: number) {
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const result = await withFolderLock(dir, timeoutMs, async () => 'acquired' as const).catch((e: unknown) => e);
  const cpu = process.cpuUsage(cpu0);
  return { result, ms: Date.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** Holds the lock of `dir` (through withFolderLock) until the returned function is called. */
async function hold(dir: string): Promise<() => Promise<void>> {
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let taken = () => {};
  const acquired = new Promise<void>((r) => {
    taken = r;
  });
  const done = withFolderLock(dir, 1000, async () => {
    taken();
    await released;
  });
  await Promise.race([acquired, done]);
  return async () => {
    release();
    await done;
  };
}

describe('waiting never spins and ends at the deadline', () => {
  test('a stale lock paired with a breaker file held by a live process: sleeps, then a LockError naming the breaker', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, holder({ pid: DEAD_PID }));
    writeFileSync(`${lock}.break`, holder({ pid: LIVE_PID }));
    const r = await Promise.race([take(dir, 1000), new Promise((res) => setTimeout(() => res('hung'), 8000))]);
    expect(r).not.toBe('hung');
    const { result, ms, cpuMs } = r as Awaited<ReturnType<typeof take>>;
    expect(result).toBeInstanceOf(LockError);
    expect((result as LockError).message).toBe(
      `the state folder has a stale lock that process ${LIVE_PID} on ${hostname()} (since 2024-01-01T00:00:00Z) is breaking: ${lock}.break`,
    );
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(3000);
    // Sleeping between tries: far less CPU than the wait (a spin burns all of it).
    expect(cpuMs).toBeLessThan(ms / 3);
    expect(existsSync(`${lock}.break`)).toBe(true); // a live holder's breaker is never removed
  });

  test('a stale lock paired with a breaker file that holds no JSON (and is old) is recovered', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, holder({ pid: DEAD_PID }));
    writeFileSync(`${lock}.break`, 'not json');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${lock}.break`, old, old);
    const r = await Promise.race([take(dir, 2000), new Promise((res) => setTimeout(() => res('hung'), 8000))]);
    expect(r).not.toBe('hung');
    expect((r as Awaited<ReturnType<typeof take>>).result).toBe('acquired');
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(`${lock}.break`)).toBe(false);
  });

  test('a fresh lock file that names no readable holder is waited for (sleeping), then reported', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, '');
    const { result, ms, cpuMs } = await take(dir, 600);
    expect((result as LockError).message).toBe(
      `the state folder is locked by a lock file that names no readable holder: ${lock}`,
    );
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(cpuMs).toBeLessThan(ms / 3);
  });

  test('a lock file that names no readable holder and has not changed for 10 s is stale', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, '{"pid":');
    const old = new Date(Date.now() - 11_000);
    utimesSync(lock, old, old);
    expect((await take(dir, 1000)).result).toBe('acquired');
  });

  test('a live holder is waited for until the deadline and never removed', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, holder({ pid: LIVE_PID }));
    const { result, ms, cpuMs } = await take(dir, 800);
    expect((result as LockError).message).toBe(
      `the state folder is locked by process ${LIVE_PID} on ${hostname()} (since 2024-01-01T00:00:00Z): ${lock}`,
    );
    expect(ms).toBeGreaterThanOrEqual(750);
    expect(cpuMs).toBeLessThan(ms / 3);
    expect(existsSync(lock)).toBe(true);
  });
});

describe('holders are identified by more than their PID', () => {
  test('a stale lock recorded with this process’s own PID and another token (a restarted container’s PID 1) is recovered at once', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, holder({ pid: process.pid, token: 'previous-incarnation' }));
    const { result, ms } = await take(dir, 5000);
    expect(result).toBe('acquired');
    expect(ms).toBeLessThan(1000);
  });

  test('a lock this process holds is not mistaken for a stale one by a second waiter in the same process', async () => {
    const { dir } = folder();
    // Another path to the same folder (a symlink) is not queued behind the holder in-process:
    // it meets the lock file, which names this PID with a token this process holds.
    const alias = path.join(mkdtempSync(path.join(tmpdir(), 'isctl-lockalias-')), 'alias');
    dirs.push(path.dirname(alias));
    symlinkSync(dir, alias);
    const release = await hold(dir);
    const second = await take(alias, 400);
    expect(second.result).toBeInstanceOf(LockError);
    await release();
    expect((await take(dir, 400)).result).toBe('acquired');
  });

  test('a live PID whose process started at another time (the PID was reused) is a dead holder', async () => {
    const { dir, lock } = folder();
    expect(processStartTime(LIVE_PID)).toMatch(/^\d+$/);
    writeFileSync(lock, holder({ pid: LIVE_PID, procStart: '1' }));
    expect((await take(dir, 2000)).result).toBe('acquired');
  });

  test('a holder recorded before the last boot (another boot id) is dead', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, holder({ pid: LIVE_PID, bootId: '00000000-0000-0000-0000-000000000000' }));
    expect((await take(dir, 2000)).result).toBe('acquired');
  });

  test('a holder on another host is never taken for dead', async () => {
    const { dir, lock } = folder();
    writeFileSync(lock, holder({ pid: DEAD_PID, hostname: `not-${hostname()}` }));
    const { result } = await take(dir, 300);
    expect(result).toBeInstanceOf(LockError);
    expect(existsSync(lock)).toBe(true);
  });

  test('the lock file records host name, PID, start time, boot id and a token', async () => {
    const { dir, lock } = folder();
    const release = await hold(dir);
    const { readFileSync } = await import('node:fs');
    const h = JSON.parse(readFileSync(lock, 'utf8')) as Record<string, unknown>;
    await release();
    expect(h).toMatchObject({ pid: process.pid, hostname: hostname(), procStart: processStartTime(process.pid) });
    expect(h.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.token).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('the in-process record of held locks', () => {
  test('stops tracking promises once the last holder is done (a long serve does not pay for it)', async () => {
    // With no AsyncLocalStorage enabled, Node gives promise continuations no async id (0).
    const idAfterAwait = async () => {
      await null;
      return executionAsyncId();
    };
    expect(await idAfterAwait()).toBe(0);
    const { dir } = folder();
    const inside = await withFolderLock(dir, 1000, async () => {
      await null;
      return executionAsyncId();
    });
    expect(inside).not.toBe(0); // tracked while a lock is held: a nested update is still refused
    expect(await idAfterAwait()).toBe(0);
    // Overlapping holders: tracking ends only when the last one is done.
    const { dir: other } = folder();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = withFolderLock(dir, 1000, () => held);
    const second = await withFolderLock(other, 1000, async () => 1);
    expect(second).toBe(1);
    const during = await withFolderLock(other, 1000, async () => {
      await null;
      return executionAsyncId();
    });
    expect(during).not.toBe(0);
    release();
    await first;
    expect(await idAfterAwait()).toBe(0);
  });
});
