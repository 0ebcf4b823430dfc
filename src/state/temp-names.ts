/**
 * How isctl names a temporary file and when it may remove one somebody else left: one rule for
 * the state folder's files (./atomic.ts), the folder lock's (./lock.ts), the image cache's
 * (./blobs.ts) and the start-up code cache of src/cli/launch.ts. The name names its writer as
 * the folder lock does (PID, process start time, host name and boot id; ./process-identity.ts),
 * so a later run removes it only once that writer is provably gone.
 *
 * This module is also built into dist/launch.js (the launcher `isctl --version` loads, kept under
 * 16 kB by scripts/build.mjs): it imports nothing of isctl but ./process-identity.ts.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ownIdentity, shortHash, writerIsDead, type ProcessIdentity } from './process-identity.js';

/** Marker inside the name of a temporary file written by isctl. */
export const TEMP_MARKER = '.isctl-tmp-';

/** The name of a temporary file next to `target`: `.NAME.isctl-tmp-PID-START-HOSTBOOT-RANDOM`. */
export function tempPathFor(target: string): string {
  const me = ownIdentity();
  const id = `${me.pid}-${me.procStart ?? '0'}-${shortHash(me.hostname)}${shortHash(me.bootId ?? '')}`;
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}${TEMP_MARKER}${id}-${randomBytes(4).toString('hex')}`,
  );
}

/** The writer a temporary file name names (see tempPathFor); `legacy`: an older name, with a PID only. */
export function tempFileWriter(name: string): (ProcessIdentity & { legacy?: true }) | undefined {
  const at = name.lastIndexOf(TEMP_MARKER);
  if (at < 0) return undefined;
  const rest = name.slice(at + TEMP_MARKER.length);
  const full = /^(\d+)-(\d+)-([0-9a-f]{8})([0-9a-f]{8})-[0-9a-f]+$/.exec(rest);
  if (full) {
    const me = ownIdentity();
    const [, pid, start, host, boot] = full;
    return {
      pid: Number(pid),
      hostname: host === shortHash(me.hostname) ? me.hostname : `(host ${host})`,
      ...(start !== '0' ? { procStart: start } : {}),
      ...(boot !== shortHash(me.bootId ?? '') ? { bootId: `(boot ${boot})` } : me.bootId ? { bootId: me.bootId } : {}),
    };
  }
  const old = /^(\d+)-/.exec(rest);
  // An older name: the PID only, on this machine; this process never writes such a name.
  return old ? { pid: Number(old[1]), hostname: os.hostname(), legacy: true } : undefined;
}

/**
 * True when the temporary file `name` may be removed: its writer is provably gone (the rules of
 * the folder lock: another boot, no such PID, a PID reused by a process started later, or this
 * process's own PID recorded by an earlier process with it), or the name names no writer. Files
 * of live writers, of this process and of other hosts stay.
 */
export function isStaleTempName(name: string): boolean {
  const writer = tempFileWriter(name);
  // This process writes only the full form: a legacy name with its PID is an earlier process's.
  return !writer || writerIsDead(writer, () => !writer.legacy);
}
