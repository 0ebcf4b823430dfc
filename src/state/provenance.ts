/**
 * Where each image last came from (the mirror that answered) and what verified it (the
 * signature policy and its signers), as small JSON files by image digest at
 * `.isctl/provenance/<algorithm>/<hex>.json`, written atomically. A cache beside the blobs, not
 * state: losing it loses only those describe lines; a file that does not read is ignored.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ImageProvenance, ProvenanceStore } from '../registry/types.js';
import { writeFileAtomic } from './atomic.js';

const DIGEST = /^(sha256|sha384|sha512):([a-f0-9]{64,128})$/;

function relOf(digest: string): string | undefined {
  const m = DIGEST.exec(digest);
  return m ? path.posix.join('.isctl', 'provenance', m[1], `${m[2]}.json`) : undefined;
}

/** The provenance records of the state folder `root`; `readOnly` drops writes (dry runs). */
export function createProvenanceStore(root: string, options: { readOnly?: boolean } = {}): ProvenanceStore {
  return {
    async get(digest) {
      const rel = relOf(digest);
      if (!rel) return undefined;
      try {
        const doc = JSON.parse(await fs.readFile(path.join(root, rel), 'utf8')) as ImageProvenance;
        return doc && typeof doc.source === 'string' ? doc : undefined;
      } catch {
        return undefined;
      }
    },
    async put(digest, record) {
      const rel = relOf(digest);
      if (!rel || options.readOnly) return;
      await writeFileAtomic(root, rel, `${JSON.stringify(record, null, 2)}\n`);
    },
  };
}
