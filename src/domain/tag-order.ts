/**
 * library-go imageutil.PrioritizeTags: the order `--all` imports tags in and `describe is` lists
 * them: `latest`; minor versions (5.1, v5.1, 5.1-rc1) newest first; full versions (5.1.3)
 * newest first; everything else lexicographically. Equal versions: no prefix before `v`.
 */
import { compareSemver, parseSemver, type Semver } from './semver.js';

enum Priority {
  Latest = 0,
  Minor = 1,
  Full = 2,
  Other = 3,
}

interface PrioritizedTag {
  tag: string;
  priority: Priority;
  version?: Semver;
  prefix: string;
}

const minorRe = /^\d+\.\d+$/;
const minorWithPatchRe = /^(\d+\.\d+)-\w+$/;

function prioritize(tag: string): PrioritizedTag {
  if (tag === 'latest') return { tag, priority: Priority.Latest, prefix: '' };
  const prefix = tag.startsWith('v') ? 'v' : '';
  const short = prefix ? tag.slice(1) : tag;
  const full = parseSemver(short);
  if (full) return { tag, priority: Priority.Full, version: full, prefix };
  if (minorRe.test(short)) {
    const v = parseSemver(`${short}.0`);
    if (v) return { tag, priority: Priority.Minor, version: v, prefix };
  }
  const m = minorWithPatchRe.exec(short);
  if (m) {
    const v = parseSemver(short.replace(m[1], `${m[1]}.0`));
    if (v) return { tag, priority: Priority.Minor, version: v, prefix };
  }
  return { tag, priority: Priority.Other, prefix };
}

function compare(a: PrioritizedTag, b: PrioritizedTag): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.priority === Priority.Other) return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
  if (!a.version || !b.version) return 0;
  const cmp = compareSemver(a.version, b.version);
  if (cmp !== 0) return -cmp;
  return a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0;
}

/** Returns the tags in PrioritizeTags order (a new array). */
export function prioritizeTags(tags: readonly string[]): string[] {
  return tags
    .map(prioritize)
    .sort(compare)
    .map((p) => p.tag);
}
