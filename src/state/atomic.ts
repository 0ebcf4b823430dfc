/**
 * Atomic file replacement (a killed process never leaves a half-written file):
 * write a temporary file in the same folder, fsync it, rename it over the target, fsync the
 * folder. The original file mode is kept. Symbolic links are resolved first and a link that
 * leads outside the state folder is never written through.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StateFileError } from '../domain/errors.js';
import { TEMP_MARKER } from './discover.js';

/** True when `child` is `parent` or lies below it. */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real file to write for `rel`, refusing links and folders that lead outside `root`. */
export async function resolveWriteTarget(root: string, rel: string): Promise<string> {
  const realRoot = await fs.realpath(root);
  const abs = path.join(root, rel);
  let target: string;
  try {
    target = await fs.realpath(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const link = await fs.lstat(abs).catch(() => undefined);
    if (link?.isSymbolicLink())
      throw new StateFileError(rel, 'is a dangling symbolic link; isctl does not write through it');
    const parent = await fs.realpath(path.dirname(abs)).catch(() => undefined);
    target = parent ? path.join(parent, path.basename(abs)) : abs;
  }
  if (!isInside(realRoot, target)) {
    throw new StateFileError(
      rel,
      `resolves to ${target}, outside the state folder; isctl never writes through such a link`,
      undefined,
      'replace the link with a regular file, or point it inside the state folder',
    );
  }
  return target;
}

/** Replaces (or creates) `rel` below `root` with `data`, atomically; null deletes the file. `dirsToSync` defers the folder fsync to the caller. */
export async function writeFileAtomic(
  root: string,
  rel: string,
  data: string | Buffer | null,
  newFileMode = 0o644,
  dirsToSync?: Set<string>,
): Promise<void> {
  await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  const target = await resolveWriteTarget(root, rel);
  if (data === null) {
    await fs.rm(target, { force: true });
    if (target !== path.join(await fs.realpath(root), rel)) await fs.rm(path.join(root, rel), { force: true });
    return dirsToSync ? void dirsToSync.add(path.dirname(target)) : syncDir(path.dirname(target));
  }
  const existing = await fs.stat(target).catch(() => undefined);
  // The umask may cut bits of the original mode: an existing file's mode is set explicitly.
  await replaceFile(path.dirname(target), path.basename(target), data, {
    mode: existing ? existing.mode & 0o7777 : newFileMode,
    exactMode: Boolean(existing),
  });
  // The caller may batch the folder fsyncs of many renames (`dirsToSync`, then `syncDirs`).
  if (dirsToSync) dirsToSync.add(path.dirname(target));
  else await syncDir(path.dirname(target));
}

/** How a temporary file is written. */
export interface TempFileOptions {
  /** Mode of the new file (default 0o644, less the umask). */
  mode?: number;
  /** Set `mode` after creating, whatever the umask. */
  exactMode?: boolean;
  /** fsync the file before it is used (default true). */
  sync?: boolean;
}

/**
 * Writes `data` to a new temporary file beside `dir/name`, named `.NAME` + TEMP_MARKER + PID so
 * that removeStaleTempFiles recognises one a killed writer left; returns its path. The one
 * place that writes a temporary file: replaceFile renames it over the target, the lock links it.
 */
export async function writeTempFile(
  dir: string,
  name: string,
  data: string | Buffer,
  options: TempFileOptions = {},
): Promise<string> {
  const mode = options.mode ?? 0o644;
  const tmp = path.join(dir, `.${name}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const fh = await fs.open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      if (options.exactMode) await fh.chmod(mode);
      if (options.sync !== false) await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return tmp;
}

/**
 * Replaces (or creates) `dir/name` with `data` so that no reader ever sees half of it: a
 * temporary file beside it, fsynced, renamed over it. The folder fsync is the caller's.
 */
export async function replaceFile(
  dir: string,
  name: string,
  data: string | Buffer,
  options: TempFileOptions = {},
): Promise<void> {
  const tmp = await writeTempFile(dir, name, data, options);
  try {
    await fs.rename(tmp, path.join(dir, name));
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Makes the renames in these folders durable. */
export async function syncDirs(dirs: Iterable<string>): Promise<void> {
  for (const d of dirs) await syncDir(d);
}

/** Makes a rename durable; file systems that cannot fsync a folder are tolerated. */
async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // e.g. EISDIR/EINVAL on platforms without directory fsync
  } finally {
    await fh?.close();
  }
}

/** PID embedded in a temporary file name, or undefined. */
export function tempFilePid(name: string): number | undefined {
  const m = new RegExp(`${TEMP_MARKER.replace(/\./g, '\\.')}(\\d+)-`).exec(name);
  return m ? Number(m[1]) : undefined;
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

/** Removes temporary files left by killed writers (their PID is gone); returns what was removed. */
export async function removeStaleTempFiles(root: string, rels: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const rel of rels) {
    const pid = tempFilePid(path.basename(rel));
    if (pid !== undefined && pid !== process.pid && pidAlive(pid)) continue;
    await fs.rm(path.join(root, rel), { force: true });
    removed.push(rel);
  }
  return removed;
}

/** Temporary files inside `.isctl` (lock, parse cache, blobs) that were left by killed processes. */
export async function hiddenTempFiles(root: string): Promise<string[]> {
  const dirs = ['.isctl', '.isctl/cache'];
  const blobs = await fs.readdir(path.join(root, '.isctl', 'blobs')).catch(() => [] as string[]);
  dirs.push(...blobs.map((alg) => `.isctl/blobs/${alg}`));
  const found: string[] = [];
  for (const d of dirs) {
    const names = await fs.readdir(path.join(root, d)).catch(() => [] as string[]);
    for (const n of names) if (n.includes(TEMP_MARKER)) found.push(`${d}/${n}`);
  }
  return found;
}
