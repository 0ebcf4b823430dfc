/**
 * Alignment of an old and a new list so that the editor touches only what changed: items are
 * matched by their identity key when they have one (`name` of spec.tags and containers, `tag`
 * of status.tags), otherwise by equality (longest common subsequence), and the leftovers between
 * two matches are paired in order as modified items (a TagEvent prepended to history stays an
 * insertion; a condition updated in place stays a modification). When the leftovers differ in
 * number, maps are paired by likeness (how many of their entries are equal, and how many keys
 * hold a list or a map on both sides), so removing `- type: ConfigChange` before a trigger whose
 * `automatic` changed edits that one value instead of rewriting the list, and an item whose
 * nested list grew is edited in place.
 */
import { jsonEqual } from './equal.js';

/** A matched pair of indices: old[oldIndex] became new[newIndex]. */
export interface Match {
  oldIndex: number;
  newIndex: number;
}

type Identity = (item: Record<string, unknown>) => unknown;

// Kubernetes objects in a List by kind/namespace/name; tags, containers, ports by name; history by tag.
const IDENTITIES: Identity[] = [
  (o) => {
    const m = o.metadata as Record<string, unknown> | undefined;
    return typeof o.kind === 'string' && typeof m?.name === 'string'
      ? `${o.kind}/${String(m.namespace ?? '')}/${m.name}`
      : undefined;
  },
  (o) => o.name,
  (o) => o.tag,
];

/** Matches between `before` and `after`, increasing in both indices. */
export function alignLists(before: readonly unknown[], after: readonly unknown[]): Match[] {
  for (const key of IDENTITIES) {
    const keyed = alignByKey(before, after, key);
    if (keyed) return keyed;
  }
  return alignByValue(before, after);
}

function keysOf(list: readonly unknown[], key: Identity): string[] | undefined {
  const keys: string[] = [];
  for (const item of list) {
    const k =
      item && typeof item === 'object' && !Array.isArray(item) ? key(item as Record<string, unknown>) : undefined;
    if (typeof k !== 'string') return undefined;
    keys.push(k);
  }
  return new Set(keys).size === keys.length ? keys : undefined;
}

function alignByKey(before: readonly unknown[], after: readonly unknown[], key: Identity): Match[] | undefined {
  const oldKeys = keysOf(before, key);
  const newKeys = keysOf(after, key);
  if (!oldKeys || !newKeys || oldKeys.length === 0 || newKeys.length === 0) return undefined;
  const index = new Map(oldKeys.map((k, i) => [k, i]));
  const matches: Match[] = [];
  newKeys.forEach((k, newIndex) => {
    const oldIndex = index.get(k);
    if (oldIndex !== undefined) matches.push({ oldIndex, newIndex });
  });
  // A reordered list is not an identity alignment; fall back to equality.
  return matches.every((m, i) => i === 0 || m.oldIndex > matches[i - 1].oldIndex) ? matches : undefined;
}

function alignByValue(before: readonly unknown[], after: readonly unknown[]): Match[] {
  let pre = 0;
  while (pre < before.length && pre < after.length && jsonEqual(before[pre], after[pre])) pre++;
  let suf = 0;
  while (
    suf < before.length - pre &&
    suf < after.length - pre &&
    jsonEqual(before[before.length - 1 - suf], after[after.length - 1 - suf])
  )
    suf++;
  const equal: Match[] = [];
  for (let i = 0; i < pre; i++) equal.push({ oldIndex: i, newIndex: i });
  for (const m of lcs(before.slice(pre, before.length - suf), after.slice(pre, after.length - suf))) {
    equal.push({ oldIndex: m.oldIndex + pre, newIndex: m.newIndex + pre });
  }
  for (let i = 0; i < suf; i++) equal.push({ oldIndex: before.length - suf + i, newIndex: after.length - suf + i });
  return pairGaps(equal, before, after);
}

/**
 * Adds pairs for the gaps between equal matches: in order when both sides of a gap have the same
 * length, else the maps most alike (see pairByLikeness).
 */
function pairGaps(equal: Match[], before: readonly unknown[], after: readonly unknown[]): Match[] {
  const out: Match[] = [];
  let prev: Match = { oldIndex: -1, newIndex: -1 };
  for (const m of [...equal, { oldIndex: before.length, newIndex: after.length }]) {
    const gap = m.oldIndex - prev.oldIndex - 1;
    const newGap = m.newIndex - prev.newIndex - 1;
    if (gap > 0 && gap === newGap) {
      for (let k = 1; k <= gap; k++) out.push({ oldIndex: prev.oldIndex + k, newIndex: prev.newIndex + k });
    } else if (gap > 0 && newGap > 0) {
      const olds = before.slice(prev.oldIndex + 1, m.oldIndex);
      const news = after.slice(prev.newIndex + 1, m.newIndex);
      for (const p of pairByLikeness(olds, news))
        out.push({ oldIndex: prev.oldIndex + 1 + p.oldIndex, newIndex: prev.newIndex + 1 + p.newIndex });
    }
    if (m.oldIndex < before.length) out.push(m);
    prev = m;
  }
  return out;
}

/**
 * How alike two maps are (0 when either is not a map): 2 for each entry with an equal value, 1
 * for each key whose values are both lists or both maps (an item whose nested list grew is still
 * that item: `- kind: [a]` becoming `- kind: [a, b]` is edited in place, not rewritten).
 */
function likeness(a: unknown, b: unknown): number {
  if (!isMap(a) || !isMap(b)) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(a)) {
    if (!Object.hasOwn(b, k)) continue;
    if (jsonEqual(v, b[k])) n += 2;
    else if ((Array.isArray(v) && Array.isArray(b[k])) || (isMap(v) && isMap(b[k]))) n += 1;
  }
  return n;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The in-order pairing of two short lists that shares the most equal entries (pairs sharing none are left out). */
function pairByLikeness(a: readonly unknown[], b: readonly unknown[]): Match[] {
  if (a.length * b.length > 10_000) return [];
  const w = b.length + 1;
  const dp = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--) {
      const l = likeness(a[i], b[j]);
      dp[i * w + j] = Math.max(l > 0 ? dp[(i + 1) * w + j + 1] + l : 0, dp[(i + 1) * w + j], dp[i * w + j + 1]);
    }
  const out: Match[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const l = likeness(a[i], b[j]);
    if (l > 0 && dp[i * w + j] === dp[(i + 1) * w + j + 1] + l) {
      out.push({ oldIndex: i, newIndex: j });
      i++;
      j++;
    } else if (dp[(i + 1) * w + j] >= dp[i * w + j + 1]) i++;
    else j++;
  }
  return out;
}

/** Longest common subsequence by JSON equality (quadratic; lists in objects are short). */
function lcs(a: readonly unknown[], b: readonly unknown[]): Match[] {
  if (a.length === 0 || b.length === 0 || a.length * b.length > 1_000_000) return [];
  const ka = a.map((x) => JSON.stringify(x));
  const kb = b.map((x) => JSON.stringify(x));
  const w = b.length + 1;
  const dp = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      dp[i * w + j] = ka[i] === kb[j] ? dp[(i + 1) * w + j + 1] + 1 : Math.max(dp[(i + 1) * w + j], dp[i * w + j + 1]);
    }
  }
  const out: Match[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (ka[i] === kb[j]) {
      out.push({ oldIndex: i, newIndex: j });
      i++;
      j++;
    } else if (dp[(i + 1) * w + j] >= dp[i * w + j + 1]) i++;
    else j++;
  }
  return out;
}
