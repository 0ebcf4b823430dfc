/**
 * A full disk, injected into node:fs in this process (the in-process CLI of runCli writes through
 * it): a write of new data (a file opened with 'wx', or fs.promises.writeFile) that the test picks
 * fails with ENOSPC after writing part of its data, as a full disk does. Undone by
 * `vi.restoreAllMocks()`.
 */
import type fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import { vi } from 'vitest';

/** The error a full disk gives. */
export const enospc = () =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/**
 * Makes the writes `fails(file, n)` picks (`n`: the how-manieth write of new data in this process,
 * from 1) fail with ENOSPC, after writing half of their data (`written: 'half'`) or none of it.
 * Returns how many writes were seen and the file of the last one that failed.
 */
export function fullDisk(
  fails: (file: string, n: number) => boolean,
  written: 'half' | 'none' = 'half',
): { writes: () => number; failed: () => string | undefined } {
  let n = 0;
  let failed: string | undefined;
  const part = <T extends string | Uint8Array>(data: T): T =>
    (written === 'none'
      ? data.slice(0, 0)
      : typeof data === 'string'
        ? data.slice(0, data.length >> 1)
        : data.subarray(0, data.length >> 1)) as T;
  const realOpen = fsp.open.bind(fsp);
  const realWriteFile = fsp.writeFile.bind(fsp);
  vi.spyOn(fsp, 'open').mockImplementation((async (file: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    const fh = await realOpen(file, flags, mode);
    if (flags !== 'wx' || !fails(String(file), ++n)) return fh;
    failed = String(file);
    const write = fh.writeFile.bind(fh);
    fh.writeFile = (async (data: string | Uint8Array) => {
      await write(part(data));
      throw enospc();
    }) as typeof fh.writeFile;
    return fh;
  }) as typeof fsp.open);
  vi.spyOn(fsp, 'writeFile').mockImplementation((async (
    file: fs.PathLike,
    data: string,
    opts?: fs.WriteFileOptions,
  ) => {
    if (!fails(String(file), ++n)) return realWriteFile(file, data, opts);
    failed = String(file);
    await realWriteFile(file, part(data), opts);
    throw enospc();
  }) as typeof fsp.writeFile);
  return { writes: () => n, failed: () => failed };
}
