/**
 * Atomic file replacement (a killed process never leaves a half-written file):
 * write a temporary file in the same folder, fsync it, rename it over the target, fsync the
 * folder. The original file mode is kept. Symbolic links are resolved first and a link that
 * leads outside the state folder is never written through.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StateFileError } from '../domain/errors.js';
import { isStaleTempName, TEMP_MARKER, tempPathFor } from './temp-names.js';

export { tempFileWriter, tempPathFor } from './temp-names.js';

/** True when `child` is `parent` or lies below it. */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The real file to write for `rel`, refusing links and folders that lead outside `root`. The
 * nearest part of the path that exists is resolved, so a folder link leading out is refused
 * before any folder below it is created.
 */
export async function resolveWriteTarget(root: string, rel: string): Promise<string> {
  const realRoot = await fs.realpath(root);
  let target: string | undefined;
  // A file another process removes between the lstat and the realpath (the folder lock of a
  // holder that just let go) is not a dangling link: the path is resolved again.
  for (let attempt = 0; target === undefined; attempt++) {
    let existing = path.join(root, rel);
    const missing: string[] = [];
    for (let st = await lstatOrNone(existing); st === undefined; st = await lstatOrNone(existing)) {
      const parent = path.dirname(existing);
      if (parent === existing) break;
      missing.unshift(path.basename(existing));
      existing = parent;
    }
    try {
      target = path.join(await fs.realpath(existing), ...missing);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const st = await lstatOrNone(existing);
      if (attempt >= 8 || st?.isSymbolicLink()) {
        const shown = path.relative(root, existing).split(path.sep).join('/') || rel;
        throw new StateFileError(shown, 'is a dangling symbolic link; isctl does not write through it');
      }
    }
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

async function lstatOrNone(p: string) {
  try {
    return await fs.lstat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** One file of a transaction, written to its temporary file but not yet in place. */
export interface PreparedWrite {
  rel: string;
  target: string;
  /** The temporary file holding the new content; undefined: the file is to be deleted. */
  tmp?: string;
}

/**
 * First half of replacing `rel`: resolves it (refusing links out of `root`), creates the folders
 * it needs (recorded in `createdDirs`, so a failed transaction can remove them again) and writes
 * and fsyncs the new content to a temporary file. Nothing visible changes yet.
 */
export async function prepareWrite(
  root: string,
  rel: string,
  data: string | Buffer | null,
  newFileMode = 0o644,
  createdDirs?: string[],
): Promise<PreparedWrite> {
  const target = await resolveWriteTarget(root, rel);
  if (data === null) return { rel, target };
  const made = await fs.mkdir(path.dirname(target), { recursive: true });
  if (made !== undefined) createdDirs?.push(made);
  const existing = await fs.stat(target).catch(() => undefined);
  // The umask may cut bits of the original mode: an existing file's mode is set explicitly.
  const tmp = await writeTempFile(path.dirname(target), path.basename(target), data, {
    mode: existing ? existing.mode & 0o7777 : newFileMode,
    exactMode: Boolean(existing),
  });
  return { rel, target, tmp };
}

/** Second half: puts the prepared file in place (or deletes it). `dirsToSync` defers the folder fsync. */
export async function commitWrite(root: string, p: PreparedWrite, dirsToSync?: Set<string>): Promise<void> {
  if (p.tmp === undefined) {
    await fs.rm(p.target, { force: true });
    const link = path.join(await fs.realpath(root), p.rel);
    if (p.target !== link) await fs.rm(path.join(root, p.rel), { force: true });
  } else {
    try {
      await fs.rename(p.tmp, p.target);
    } catch (err) {
      await abortWrite(p);
      throw err;
    }
  }
  // The caller may batch the folder fsyncs of many renames (`dirsToSync`, then `syncDirs`).
  if (dirsToSync) dirsToSync.add(path.dirname(p.target));
  else await syncDir(path.dirname(p.target));
}

/** Drops a prepared write that will not be committed. */
export async function abortWrite(p: PreparedWrite): Promise<void> {
  if (p.tmp !== undefined) await fs.rm(p.tmp, { force: true });
}

/** Removes folders a failed transaction created, as far as they hold nothing but empty folders. */
export async function removeCreatedDirs(dirs: readonly string[]): Promise<void> {
  const removeEmpty = async (d: string, depth: number): Promise<void> => {
    const below = await fs.readdir(d, { withFileTypes: true }).catch(() => []);
    if (depth < 64) for (const e of below) if (e.isDirectory()) await removeEmpty(path.join(d, e.name), depth + 1);
    await fs.rmdir(d).catch(() => undefined); // not empty: something else lives there now
  };
  // mkdir -p reports the first folder it made; the ones below it were made by it too.
  for (const d of dirs) await removeEmpty(d, 0);
}

/** Replaces (or creates) `rel` below `root` with `data`, atomically; null deletes the file. `dirsToSync` defers the folder fsync to the caller. */
export async function writeFileAtomic(
  root: string,
  rel: string,
  data: string | Buffer | null,
  newFileMode = 0o644,
  dirsToSync?: Set<string>,
): Promise<void> {
  await commitWrite(root, await prepareWrite(root, rel, data, newFileMode), dirsToSync);
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
 * Writes `data` to a new temporary file beside `dir/name` (named by tempPathFor, so that
 * removeStaleTempFiles recognises one a dead writer left); returns its path. The one place that
 * writes a temporary file: prepareWrite and replaceFile rename it over the target, the lock links
 * it. A write that fails part way (ENOSPC) removes it.
 */
export async function writeTempFile(
  dir: string,
  name: string,
  data: string | Buffer,
  options: TempFileOptions = {},
): Promise<string> {
  const mode = options.mode ?? 0o644;
  const tmp = tempPathFor(path.join(dir, name));
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

/**
 * Creates `dir/name` with `data` only if it does not exist; false when it does. The file appears
 * complete or not at all: a temporary file is written and hard-linked into place (the link fails
 * if the name exists). Only on a file system without hard links is it created with O_EXCL and
 * written after, which a killed process can leave short.
 */
export async function createFileExclusive(
  dir: string,
  name: string,
  data: string,
  options: TempFileOptions = {},
): Promise<boolean> {
  const file = path.join(dir, name);
  const tmp = await writeTempFile(dir, name, data, options);
  try {
    await fs.link(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
    try {
      await fs.writeFile(file, data, { flag: 'wx', mode: options.mode ?? 0o644 });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Writes a file of isctl's own caches (`rel`, in `.isctl/cache`) atomically. Its folder is made
 * when missing, with a `.gitignore` that ignores everything in it; when that cannot be made, no
 * cache file is written (it would show up in `git status`) and the error is thrown.
 */
export async function writeCacheFile(root: string, rel: string, content: string): Promise<void> {
  // Resolved first: a .isctl linked out of the state folder gets no folder made outside.
  const dir = path.dirname(await resolveWriteTarget(root, rel));
  await fs.mkdir(dir, { recursive: true });
  const ignore = await fs.lstat(path.join(dir, '.gitignore')).catch(() => undefined);
  if (!ignore) await createFileExclusive(dir, '.gitignore', '*\n');
  await writeFileAtomic(root, rel, content);
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

/**
 * Removes temporary files left by writers that are provably gone (the rules of the folder lock:
 * another boot, no such PID, a PID reused by a process started later, or this process's own PID
 * recorded by an earlier process with it); returns what was removed. Files of live writers, of
 * this process and of other hosts stay.
 */
export async function removeStaleTempFiles(root: string, rels: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const rel of rels) {
    if (!isStaleTempName(path.basename(rel))) continue;
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
