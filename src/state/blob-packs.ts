/**
 * Pack files of the image cache: many blobs in one file, `.isctl/blobs/packs/<sha256 of the
 * file>.pack`. On this kind of disk creating a file costs far more than writing its bytes (about
 * half a millisecond of system time each on an ext4 virtual disk, against microseconds for a
 * read), so a run that records thousands of manifests and configs writes them as one file.
 *
 * Layout (all text up to the data):
 *
 *     isctl-blob-pack 1 <count> <toc bytes>\n
 *     <algorithm>:<hex> <size>\n          (count lines, toc bytes in all)
 *     <the blobs' bytes, one after the other, in the order of the lines>
 *
 * A pack is immutable and named by its content; every blob read from it is verified against its
 * digest, as a loose file is. A pack whose table does not add up to its size is not used.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const PACK_MAGIC = 'isctl-blob-pack 1';
/** The file name of a pack: the sha256 of its content. */
export const PACK_NAME = /^[0-9a-f]{64}\.pack$/;
/** Bounds a pack table is checked against before it is read (a damaged or hostile file). */
const MAX_ENTRIES = 1 << 16;
const MAX_TOC_BYTES = MAX_ENTRIES * 160;
const HEADER_PROBE = 64;
/** No blob isctl stores is larger (manifests are capped at 4 MiB, configs at 8 MiB when fetched). */
const MAX_BLOB_BYTES = 16 << 20;
const ENTRY = /^(sha256|sha384|sha512):([a-f0-9]+) (0|[1-9][0-9]{0,9})$/;
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** One blob to pack. */
export interface PackInput {
  digest: string;
  bytes: Buffer;
}

/** Where a packed blob lies in its pack. */
export interface PackEntry {
  digest: string;
  offset: number;
  size: number;
}

/** The bytes of a pack holding `blobs` (sorted by digest, so the same blobs make the same file) and its name. */
export function encodePack(blobs: readonly PackInput[]): { name: string; bytes: Buffer; entries: PackEntry[] } {
  const sorted = [...blobs].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  const toc = Buffer.from(sorted.map((b) => `${b.digest} ${b.bytes.length}\n`).join(''));
  const header = Buffer.from(`${PACK_MAGIC} ${sorted.length} ${toc.length}\n`);
  const bytes = Buffer.concat([header, toc, ...sorted.map((b) => b.bytes)]);
  const entries: PackEntry[] = [];
  let offset = header.length + toc.length;
  for (const b of sorted) {
    entries.push({ digest: b.digest, offset, size: b.bytes.length });
    offset += b.bytes.length;
  }
  return { name: `${createHash('sha256').update(bytes).digest('hex')}.pack`, bytes, entries };
}

/**
 * The table of the pack open as `fh` (of `fileSize` bytes), or undefined when it is not a pack
 * this version reads or its table does not add up: such a file is left alone and not used.
 */
export async function readPackTable(fh: FileHandle, fileSize: number): Promise<PackEntry[] | undefined> {
  const probe = Buffer.alloc(Math.min(HEADER_PROBE, fileSize));
  const { bytesRead } = await fh.read(probe, 0, probe.length, 0);
  const nl = probe.subarray(0, bytesRead).indexOf(10);
  if (nl < 0) return undefined;
  const m = /^isctl-blob-pack 1 (0|[1-9][0-9]{0,5}) (0|[1-9][0-9]{0,8})$/.exec(probe.toString('latin1', 0, nl));
  if (!m) return undefined;
  const count = Number(m[1]);
  const tocBytes = Number(m[2]);
  if (count > MAX_ENTRIES || tocBytes > MAX_TOC_BYTES || nl + 1 + tocBytes > fileSize) return undefined;
  const toc = Buffer.alloc(tocBytes);
  const got = await fh.read(toc, 0, tocBytes, nl + 1);
  if (got.bytesRead !== tocBytes) return undefined;
  const text = toc.toString('latin1');
  const lines = text.split('\n');
  // Every line ends in a newline: the text splits into count lines and an empty tail.
  if (lines.length !== count + 1 || lines[count] !== '') return undefined;
  const entries: PackEntry[] = [];
  let offset = nl + 1 + tocBytes;
  for (let i = 0; i < count; i++) {
    const e = ENTRY.exec(lines[i]);
    if (!e || HEX_LENGTH[e[1]] !== e[2].length) return undefined;
    const size = Number(e[3]);
    if (size > MAX_BLOB_BYTES) return undefined;
    entries.push({ digest: `${e[1]}:${e[2]}`, offset, size });
    offset += size;
  }
  return offset === fileSize ? entries : undefined;
}
