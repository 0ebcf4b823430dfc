/**
 * Discovery of state files: every *.yaml, *.yml and *.json below
 * the folder, skipping dot-folders (.git, .isctl) and node_modules. Symbolic links to files are
 * followed for reading; symbolic links to folders are not followed (no cycles, no escaping).
 * Synchronous on purpose: thousands of small readdir calls are several times faster without
 * the thread-pool round trip, and a CLI has nothing else to do meanwhile.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

import { TEMP_MARKER } from './temp-names.js';

export { TEMP_MARKER };

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
  const links: string[] = [];
  const walk = (rel: string): void => {
    let entries;
    try {
      entries = readdirSync(rel ? path.join(root, rel) : root, { withFileTypes: true });
    } catch (err) {
      if (rel && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.name.includes(TEMP_MARKER) && e.isFile()) tempFiles.push(childRel);
      else if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(childRel);
      } else if (e.isFile() && isStateFileName(e.name)) files.push(childRel);
      else if (e.isSymbolicLink() && isStateFileName(e.name) && isFileTarget(path.join(root, childRel)))
        links.push(childRel);
    }
  };
  walk('');
  files.push(...uniqueLinks(root, files, links));
  files.sort();
  tempFiles.sort();
  return { files, tempFiles };
}

/** Links whose target is not already listed: a file is loaded once, not once more per link. */
function uniqueLinks(root: string, files: string[], links: string[]): string[] {
  if (links.length === 0) return [];
  const realRoot = realpathSync(root);
  const seen = new Set(files.map((f) => path.join(realRoot, f)));
  const out: string[] = [];
  for (const link of links.sort()) {
    const target = realpathSync(path.join(root, link));
    if (seen.has(target)) continue;
    seen.add(target);
    out.push(link);
  }
  return out;
}

function isFileTarget(abs: string): boolean {
  try {
    return lstatSync(abs).isSymbolicLink() && statSync(abs).isFile();
  } catch {
    return false; // dangling link: nothing to read
  }
}
