/**
 * The state folder lock (DESIGN.md: writes are "serialised by a lock on the state folder"):
 * `.isctl/lock` holds the PID, host name and start time of its holder. It is created complete
 * and atomically (written to a temporary name, then hard-linked into place, which fails if the
 * lock exists). A lock whose holder PID is gone on this host is stale and is broken under a
 * second short-lived lock, so two waiters never both break it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LockError } from '../domain/errors.js';
import { pidAlive } from './atomic.js';
import { TEMP_MARKER } from './discover.js';

/** What the lock file records about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  started: string;
  token: string;
}

/** Releases a held lock. */
export type ReleaseLock = () => Promise<void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Path of the lock file of a state folder. */
export function lockPathOf(root: string): string {
  return path.join(root, '.isctl', 'lock');
}

async function readHolder(file: string): Promise<{ text: string; holder?: LockHolder } | undefined> {
  try {
    const text = await fs.readFile(file, 'utf8');
    try {
      return { text, holder: JSON.parse(text) as LockHolder };
    } catch {
      return { text };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function isStale(h: LockHolder | undefined): boolean {
  return !!h && typeof h.pid === 'number' && h.hostname === os.hostname() && !pidAlive(h.pid);
}

/** Creates `file` with `text` only if it does not exist; false when it does. */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  await fs.writeFile(tmp, text, { mode: 0o644 });
  try {
    await fs.link(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
    // File systems without hard links: fall back to O_EXCL (content written right after).
    try {
      await fs.writeFile(file, text, { flag: 'wx', mode: 0o644 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Removes the lock file if it still holds `staleText`, under the breaker lock. */
async function breakStale(file: string, staleText: string): Promise<void> {
  const breaker = `${file}.break`;
  const me = JSON.stringify({
    pid: process.pid,
    hostname: os.hostname(),
    started: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  });
  if (!(await createExclusive(breaker, me))) {
    const b = await readHolder(breaker);
    if (b && isStale(b.holder)) await fs.rm(breaker, { force: true });
    return;
  }
  try {
    const current = await readHolder(file);
    if (current?.text === staleText) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

/** Lock files held by the current async call chain (to refuse a nested update() instead of waiting for itself). */
const holding = new AsyncLocalStorage<ReadonlySet<string>>();
/** In-process queue per lock file: updates of one process take turns before touching the file lock. */
const queues = new Map<string, Promise<unknown>>();

/** Runs `fn` holding the lock of `root`: in-process callers queue, other processes wait up to `timeoutMs`. */
export async function withFolderLock<T>(root: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const file = lockPathOf(root);
  if (holding.getStore()?.has(file))
    throw new LockError(`internal error: update() called inside update() of the same state folder (${file})`);
  const previous = queues.get(file) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const release = await takeLock(file, timeoutMs);
      try {
        return await holding.run(new Set([...(holding.getStore() ?? []), file]), fn);
      } finally {
        await release();
      }
    });
  queues.set(file, run);
  try {
    return await run;
  } finally {
    if (queues.get(file) === run) queues.delete(file);
  }
}

/** Takes the exclusive lock of `root`, waiting with backoff up to `timeoutMs`. */
export async function acquireLock(root: string, timeoutMs: number): Promise<ReleaseLock> {
  return takeLock(lockPathOf(root), timeoutMs);
}

async function takeLock(file: string, timeoutMs: number): Promise<ReleaseLock> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.access(path.dirname(file), fs.constants?.W_OK ?? 2);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new LockError(
      `cannot create the lock file ${file} (${code}); isctl needs write access to the state folder to change it`,
      'check the folder permissions, or use a read-only command',
    );
  }
  const me: LockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    started: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(me)}\n`;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    if (await createExclusive(file, text)) return () => releaseLock(file, text);
    const current = await readHolder(file);
    if (current && isStale(current.holder)) {
      await breakStale(file, current.text);
      continue;
    }
    if (Date.now() >= deadline) {
      const h = current?.holder;
      const who = h ? `process ${h.pid} on ${h.hostname} (since ${h.started})` : 'another process';
      throw new LockError(
        `the state folder is locked by ${who}: ${file}`,
        'wait for that isctl to finish; if that process no longer exists, delete the lock file',
      );
    }
    await sleep(delay / 2 + Math.random() * delay);
  }
}

async function releaseLock(file: string, text: string): Promise<void> {
  const current = await readHolder(file);
  if (current?.text === text) await fs.rm(file, { force: true });
}
