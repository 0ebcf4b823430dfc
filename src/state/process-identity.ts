/**
 * Who wrote a lock file or a temporary file, and whether that writer is provably gone. A PID
 * alone cannot tell: PIDs are reused, and a restarted container's first process gets PID 1 again,
 * the PID of the process that is asking. So a writer is named by its host name, PID, the start
 * time of that process (Linux `/proc/PID/stat` field 22, clock ticks since boot) and the boot id
 * (`/proc/sys/kernel/random/boot_id`); the folder lock adds a random token (src/state/lock.ts).
 *
 * A writer is dead when it ran on this machine (the host name is taken to name it) and the machine
 * has booted since (another boot id), no process has its PID, or the process with its PID started
 * at another time. A writer on another host is never taken for dead.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** What names a writing process, as far as this machine can tell. */
export interface ProcessIdentity {
  pid: number;
  hostname: string;
  /** Linux: start time of the process in clock ticks since boot. */
  procStart?: string;
  /** Linux: the kernel's boot id. */
  bootId?: string;
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Start time of `pid` in clock ticks since boot, or undefined where /proc cannot tell. */
export function processStartTime(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start && /^\d+$/.test(start) ? start : undefined;
}

let bootIdCache: string | null | undefined;
/** The kernel's boot id, or undefined where /proc cannot tell. */
export function bootId(): string | undefined {
  if (bootIdCache === undefined) bootIdCache = readProc('/proc/sys/kernel/random/boot_id')?.trim() || null;
  return bootIdCache ?? undefined;
}

/** True when a process with this PID exists (on this host). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let ownStart: string | null | undefined;
/** This process. */
export function ownIdentity(): ProcessIdentity {
  if (ownStart === undefined) ownStart = processStartTime(process.pid) ?? null;
  const boot = bootId();
  return {
    pid: process.pid,
    hostname: os.hostname(),
    ...(ownStart ? { procStart: ownStart } : {}),
    ...(boot ? { bootId: boot } : {}),
  };
}

/**
 * True when the writer is provably gone. `isMine` decides for a writer with this process's PID
 * and start time (the lock compares its token; a temporary file of this process is its own).
 */
export function writerIsDead(w: ProcessIdentity, isMine: () => boolean): boolean {
  if (w.hostname !== os.hostname()) return false;
  const boot = bootId();
  if (w.bootId && boot && w.bootId !== boot) return true;
  if (w.pid === process.pid) {
    const mine = ownIdentity().procStart;
    // Another process that had this PID before (a restarted container's PID 1): dead.
    if (w.procStart && mine && w.procStart !== mine) return true;
    return !isMine();
  }
  if (!pidAlive(w.pid)) return true;
  if (w.procStart) {
    const now = processStartTime(w.pid);
    if (now !== undefined && now !== w.procStart) return true;
  }
  return false;
}

/** Eight hex digits standing for a longer value in a file name (host name, boot id). */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}
