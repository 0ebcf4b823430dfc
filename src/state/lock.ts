/**
 * The state folder lock (writes are serialised by a lock on the state folder): `.isctl/lock`
 * names its holder by more than a PID — host name, PID, the process's start time (Linux
 * `/proc/PID/stat` field 22), the boot id (`/proc/sys/kernel/random/boot_id`) and a random token.
 * It is created complete and atomically (written to a temporary name, then hard-linked into place,
 * which fails if the lock exists).
 *
 * A holder is recovered only when it is provably dead (the host name is taken to name this
 * machine, as for the PID check): the machine has booted since (another boot id); no process has
 * that PID; the process with that PID started at another time (the PID was reused); or the PID is
 * this process's own and the token is none of the locks it holds (a restarted container whose
 * processes get the same PIDs). A file that names no readable holder and has not changed for
 * 10 s is stale too (a lock is complete before it is linked into place). Stale locks are broken
 * under a second short-lived lock (`lock.break`), so two waiters never both break one; the breaker
 * follows the same rules.
 *
 * Every wait sleeps (5 ms doubling to 200 ms, jittered) and ends at the caller's deadline with a
 * LockError naming the holder.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LockError, StateFileError } from '../domain/errors.js';
import { createFileExclusive, resolveWriteTarget } from './atomic.js';
import { ownIdentity, writerIsDead } from './process-identity.js';

export { processStartTime } from './process-identity.js';

/** What the lock file records about its holder. */
export interface LockHolder {
  pid: number;
  hostname: string;
  started: string;
  token: string;
  /** Linux: start time of the process in clock ticks since boot (`/proc/PID/stat` field 22). */
  procStart?: string;
  /** Linux: the kernel's boot id. */
  bootId?: string;
}

/** Releases a held lock. */
export type ReleaseLock = () => Promise<void>;

/** A lock file that names no readable holder and has not changed for this long is stale. */
const UNREADABLE_STALE_MS = 10_000;
/** Stale locks broken in a row without a pause (more means someone keeps writing them). */
const MAX_BREAKS_WITHOUT_PAUSE = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tokens of the locks this process holds now. */
const heldTokens = new Set<string>();

/** Path of the lock file of a state folder. */
export function lockPathOf(root: string): string {
  return path.join(root, '.isctl', 'lock');
}

function me(): LockHolder {
  const { pid, hostname, procStart, bootId } = ownIdentity();
  return {
    pid,
    hostname,
    started: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    ...(procStart ? { procStart } : {}),
    ...(bootId ? { bootId } : {}),
  };
}

interface LockFile {
  text: string;
  holder?: LockHolder;
  mtimeMs: number;
}

async function readHolder(file: string): Promise<LockFile | undefined> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { text, holder: parseHolder(text), mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder> | null;
    if (!h || typeof h !== 'object' || typeof h.pid !== 'number' || typeof h.hostname !== 'string') return undefined;
    return {
      pid: h.pid,
      hostname: h.hostname,
      started: typeof h.started === 'string' ? h.started : '',
      token: typeof h.token === 'string' ? h.token : '',
      ...(typeof h.procStart === 'string' ? { procStart: h.procStart } : {}),
      ...(typeof h.bootId === 'string' ? { bootId: h.bootId } : {}),
    };
  } catch {
    return undefined;
  }
}

/** True when the holder is provably gone (see the header); false when it may be alive. */
export function holderIsDead(h: LockHolder): boolean {
  // With this process's PID and start time: alive only if it is one of the locks held here.
  return writerIsDead(h, () => heldTokens.has(h.token));
}

/**
 * Whether the folder's lock is free (`none`), held by a writer that may be alive (`live`), or left
 * by one that is provably gone or unreadable past its age (`stale`: the next locked update
 * recovers it). Nothing is changed.
 */
export async function folderLockState(root: string): Promise<'none' | 'live' | 'stale'> {
  const f = await readHolder(lockPathOf(root));
  if (!f) return 'none';
  return isStale(f, Date.now()) ? 'stale' : 'live';
}

function isStale(f: LockFile, now: number): boolean {
  if (f.holder) return holderIsDead(f.holder);
  return now - f.mtimeMs >= UNREADABLE_STALE_MS;
}

/** Creates `file` with `text` only if it does not exist; false when it does. */
function createExclusive(file: string, text: string): Promise<boolean> {
  return createFileExclusive(path.dirname(file), path.basename(file), text, { sync: false });
}

/** Removes `file` if it still holds exactly `text`. */
async function removeIfUnchanged(file: string, text: string): Promise<boolean> {
  const current = await readHolder(file);
  if (current?.text !== text) return false;
  await fs.rm(file, { force: true });
  return true;
}

/**
 * Removes the stale lock if it still holds `staleText`, under the breaker lock. `broken`: the
 * stale lock is gone (try again at once); `busy`: another waiter is breaking it (`breaker` names
 * it); `changed`: the lock is not that stale one any more.
 */
async function breakStale(
  file: string,
  staleText: string,
): Promise<{ outcome: 'broken' | 'changed' } | { outcome: 'busy'; breaker?: LockFile }> {
  const breakerFile = `${file}.break`;
  const token = me();
  const text = JSON.stringify(token);
  if (!(await createExclusive(breakerFile, text))) {
    const b = await readHolder(breakerFile);
    // A breaker left by a dead waiter is removed (only if it is still that one); the next round retries.
    if (b && isStale(b, Date.now())) await removeIfUnchanged(breakerFile, b.text);
    return { outcome: 'busy', ...(b ? { breaker: b } : {}) };
  }
  heldTokens.add(token.token);
  try {
    return { outcome: (await removeIfUnchanged(file, staleText)) ? 'broken' : 'changed' };
  } finally {
    heldTokens.delete(token.token);
    await removeIfUnchanged(breakerFile, text);
  }
}

/** Lock files held by the current async call chain (to refuse a nested update() instead of waiting for itself). */
const holding = new AsyncLocalStorage<ReadonlySet<string>>();
/**
 * How many runs are inside `holding` now. Node (without async context frames) tracks the context
 * of every promise made while any AsyncLocalStorage is enabled, and one stays enabled until
 * disabled: so it is disabled when the last run ends, and a long `serve` does not pay for every
 * promise of its later registry work.
 */
let holders = 0;
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
      holders++;
      try {
        return await holding.run(new Set([...(holding.getStore() ?? []), file]), fn);
      } finally {
        if (--holders === 0) holding.disable();
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

async function takeLock(file: string, timeoutMs: number): Promise<ReleaseLock> {
  // A .isctl that is a link leading out of the state folder is refused before anything is created.
  const root = path.dirname(path.dirname(file));
  await resolveWriteTarget(root, path.relative(root, file)).catch((err: unknown) => {
    if (err instanceof StateFileError) throw new LockError(err.message, err.hint);
    throw err;
  });
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
  const holder = me();
  const text = `${JSON.stringify(holder)}\n`;
  const deadline = Date.now() + timeoutMs;
  let breaksInARow = 0;
  let busyBreaker: LockFile | undefined;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    heldTokens.add(holder.token);
    if (await createExclusive(file, text).catch((err: unknown) => lockWriteFailed(file, err)))
      return () => releaseLock(file, text, holder.token);
    heldTokens.delete(holder.token);
    const current = await readHolder(file);
    busyBreaker = undefined;
    if (current && isStale(current, Date.now())) {
      const r = await breakStale(file, current.text);
      // Progress (the stale lock is gone): try again at once, but never more than a few times in a row.
      if (r.outcome === 'broken' && breaksInARow++ < MAX_BREAKS_WITHOUT_PAUSE) continue;
      if (r.outcome === 'busy') busyBreaker = r.breaker;
    } else if (!current && breaksInARow++ < MAX_BREAKS_WITHOUT_PAUSE) {
      continue; // released between the two calls
    }
    if (Date.now() >= deadline) throw lockedError(file, current, busyBreaker);
    breaksInARow = 0;
    await sleep(Math.min(delay / 2 + Math.random() * delay, Math.max(1, deadline - Date.now())));
  }
}

/** A lock file the file system would not take (a full disk, a read-only mount), named as such. */
function lockWriteFailed(file: string, err: unknown): never {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') throw err;
  // Node's message is "CODE: description, syscall 'path'": the path would name the temporary file.
  throw new LockError(
    `cannot create the lock file ${file} (${String(e.message).split(', ')[0] || e.code}); nothing was changed`,
    e.code === 'ENOSPC' || e.code === 'EDQUOT'
      ? 'free space on that file system, then run the command again'
      : 'check the folder permissions, or use a read-only command',
  );
}

function describeHolder(f: LockFile | undefined): string {
  const h = f?.holder;
  if (h) return `process ${h.pid} on ${h.hostname}${h.started ? ` (since ${h.started})` : ''}`;
  return f ? 'a lock file that names no readable holder' : 'another process';
}

function lockedError(file: string, current: LockFile | undefined, breaker: LockFile | undefined): LockError {
  if (breaker) {
    return new LockError(
      `the state folder has a stale lock that ${describeHolder(breaker)} is breaking: ${file}.break`,
      'wait for that isctl to finish; if that process no longer exists, delete the .break file',
    );
  }
  return new LockError(
    `the state folder is locked by ${describeHolder(current)}: ${file}`,
    'wait for that isctl to finish; if that process no longer exists, delete the lock file',
  );
}

async function releaseLock(file: string, text: string, token: string): Promise<void> {
  try {
    await removeIfUnchanged(file, text);
  } finally {
    heldTokens.delete(token);
  }
}
