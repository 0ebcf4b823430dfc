/**
 * Discovery of state files (DESIGN.md "The state folder"): every *.yaml, *.yml and *.json below
 * the folder, skipping dot-folders (.git, .isctl) and node_modules. Symbolic links to files are
 * followed for reading; symbolic links to folders are not followed (no cycles, no escaping).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Marker inside the name of a temporary file written by `writeFileAtomic`. */
export const TEMP_MARKER = '.isctl-tmp-';

/** What a walk of the state folder found: state files and stray temporary files (relative, `/`-separated). */
export interface FolderListing {
  files: string[];
  tempFiles: string[];
}

const STATE_EXT = /\.(ya?ml|json)$/i;

/** True for a file name isctl reads as a state file. */
export function isStateFileName(name: string): boolean {
  return STATE_EXT.test(name) && !name.includes(TEMP_MARKER);
}

/** Lists state files below `root` in a stable (sorted) order. */
export async function listStateFiles(root: string): Promise<FolderListing> {
  const files: string[] = [];
  const tempFiles: string[] = [];
  async function walk(rel: string): Promise<void> {
    const abs = rel ? path.join(root, rel) : root;
    let entries;
    try {
      entries = await fs.readdir(abs, { withFileTypes: true });
    } catch (err) {
      if (rel && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const subdirs: string[] = [];
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.includes(TEMP_MARKER) && e.isFile()) tempFiles.push(childRel);
      else if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') subdirs.push(childRel);
      } else if ((e.isFile() || e.isSymbolicLink()) && isStateFileName(e.name)) {
        if (e.isSymbolicLink() && !(await isFileTarget(path.join(root, childRel)))) continue;
        files.push(childRel);
      }
    }
    await Promise.all(subdirs.map(walk));
  }
  await walk('');
  await dropDuplicateLinks(root, files);
  files.sort();
  tempFiles.sort();
  return { files, tempFiles };
}

/** A link to a file that is itself listed (or listed through another link) would load it twice. */
async function dropDuplicateLinks(root: string, files: string[]): Promise<void> {
  const links = new Map<string, string>();
  for (const f of files) {
    const abs = path.join(root, f);
    if ((await fs.lstat(abs)).isSymbolicLink()) links.set(f, await fs.realpath(abs));
  }
  if (links.size === 0) return;
  const realRoot = await fs.realpath(root);
  const seen = new Set(files.filter((f) => !links.has(f)).map((f) => path.join(realRoot, f)));
  for (const [f, target] of [...links].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (seen.has(target)) files.splice(files.indexOf(f), 1);
    else seen.add(target);
  }
}

async function isFileTarget(abs: string): Promise<boolean> {
  try {
    return (await fs.stat(abs)).isFile();
  } catch {
    return false; // dangling link: nothing to read
  }
}
