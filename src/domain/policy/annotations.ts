/**
 * Where a policy tag keeps its policy: the spec tag's `annotations` (TagReference.annotations,
 * a plain string map the API server stores and ignores), so the stream file stays a valid
 * ImageStream that `oc apply` accepts, while `from` keeps naming one concrete tag.
 */
import type { PolicyInput } from './policy.js';

export const POLICY_PREFIX = 'isctl.io/';
export const ANNOTATION_POLICY = `${POLICY_PREFIX}policy`;
export const ANNOTATION_TAG_FILTER = `${POLICY_PREFIX}tag-filter`;
export const ANNOTATION_TAG_EXTRACT = `${POLICY_PREFIX}tag-extract`;
export const ANNOTATION_MIN_AGE = `${POLICY_PREFIX}min-age`;
/**
 * On the stream's metadata, JSON: spec tag → candidate tag → {digest, firstSeen}, when isctl first
 * saw that tag name that digest.
 */
export const ANNOTATION_FIRST_SEEN = `${POLICY_PREFIX}first-seen`;
/** On the stream's metadata, JSON: spec tag → the newest candidate the last evaluation did not take, and why. */
export const ANNOTATION_HELD_BACK = `${POLICY_PREFIX}held-back`;

/** The keys on a spec tag. */
export const POLICY_ANNOTATIONS = [
  ANNOTATION_POLICY,
  ANNOTATION_TAG_FILTER,
  ANNOTATION_TAG_EXTRACT,
  ANNOTATION_MIN_AGE,
] as const;

type Annotations = Record<string, string> | null | undefined;

/** The policy texts on a spec tag, or undefined when it follows no policy. */
export function readPolicyInput(annotations: Annotations): PolicyInput | undefined {
  const a = annotations ?? {};
  const policy = a[ANNOTATION_POLICY];
  if (typeof policy !== 'string') return undefined;
  const out: PolicyInput = { policy };
  if (typeof a[ANNOTATION_TAG_FILTER] === 'string') out.tagFilter = a[ANNOTATION_TAG_FILTER];
  if (typeof a[ANNOTATION_TAG_EXTRACT] === 'string') out.tagExtract = a[ANNOTATION_TAG_EXTRACT];
  if (typeof a[ANNOTATION_MIN_AGE] === 'string') out.minAge = a[ANNOTATION_MIN_AGE];
  return out;
}

/**
 * The annotations with the policy keys set from `input` (keys it leaves out are removed), other
 * annotations untouched.
 */
export function withPolicyAnnotations(annotations: Annotations, input: PolicyInput): Record<string, string> {
  const out: Record<string, string> = { ...(annotations ?? {}) };
  out[ANNOTATION_POLICY] = input.policy;
  const set = (k: string, v: string | undefined) => {
    if (v === undefined) delete out[k];
    else out[k] = v;
  };
  set(ANNOTATION_TAG_FILTER, input.tagFilter);
  set(ANNOTATION_TAG_EXTRACT, input.tagExtract);
  set(ANNOTATION_MIN_AGE, input.minAge);
  return out;
}

/** The annotations without any policy key; undefined when nothing is left. */
export function withoutPolicyAnnotations(annotations: Annotations): Record<string, string> | undefined {
  const out: Record<string, string> = { ...(annotations ?? {}) };
  for (const k of POLICY_ANNOTATIONS) delete out[k];
  return Object.keys(out).length ? out : undefined;
}

export interface FirstSeen {
  digest: string;
  firstSeen: string;
}

/** The newest candidate a policy did not take. */
export interface HeldBack {
  tag: string;
  /** `MinAge`, or the registry failure that kept it out (`NotFound`, `PlatformMissing`, …). */
  reason: string;
  message: string;
  digest?: string;
  /** With `MinAge`: when the cooldown ends (RFC 3339). */
  until?: string;
}

function readJsonMap(annotations: Annotations, key: string): Record<string, unknown> {
  const raw = annotations?.[key];
  if (typeof raw !== 'string') return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Sorted keys, so an unchanged map writes the same bytes; an empty map removes the annotation. */
function writeJsonMap(annotations: Record<string, string>, key: string, map: Record<string, unknown>): void {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) {
    delete annotations[key];
    return;
  }
  const sorted: Record<string, unknown> = {};
  for (const k of keys) sorted[k] = map[k];
  const text = JSON.stringify(sorted);
  if (annotations[key] !== text) annotations[key] = text;
}

/**
 * The first-seen records of one policy tag, kept in the stream's `metadata.annotations` (they
 * are observations, not desired state: writing them is no spec change and bumps no generation).
 * A damaged value reads as none: the next run starts the records again, holding back longer.
 */
export function readFirstSeen(streamAnnotations: Annotations, specTag: string): Record<string, FirstSeen> {
  const all = readJsonMap(streamAnnotations, ANNOTATION_FIRST_SEEN);
  const v = all[specTag];
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Record<string, FirstSeen> = {};
  for (const [tag, rec] of Object.entries(v as Record<string, unknown>)) {
    const r = rec as Partial<FirstSeen> | null;
    if (
      r &&
      typeof r.digest === 'string' &&
      typeof r.firstSeen === 'string' &&
      !Number.isNaN(Date.parse(r.firstSeen))
    ) {
      out[tag] = { digest: r.digest, firstSeen: r.firstSeen };
    }
  }
  return out;
}

/** Sets (or with an empty record set, removes) the first-seen records of one policy tag. */
export function writeFirstSeen(
  streamAnnotations: Record<string, string>,
  specTag: string,
  records: Record<string, FirstSeen>,
): void {
  const all = readJsonMap(streamAnnotations, ANNOTATION_FIRST_SEEN);
  const keys = Object.keys(records).sort();
  if (keys.length === 0) delete all[specTag];
  else {
    const obj: Record<string, FirstSeen> = {};
    for (const k of keys) obj[k] = { digest: records[k].digest, firstSeen: records[k].firstSeen };
    all[specTag] = obj;
  }
  writeJsonMap(streamAnnotations, ANNOTATION_FIRST_SEEN, all);
}

export function readHeldBack(streamAnnotations: Annotations, specTag: string): HeldBack | undefined {
  const v = readJsonMap(streamAnnotations, ANNOTATION_HELD_BACK)[specTag] as Partial<HeldBack> | null | undefined;
  if (!v || typeof v.tag !== 'string' || typeof v.reason !== 'string') return undefined;
  return {
    tag: v.tag,
    reason: v.reason,
    message: typeof v.message === 'string' ? v.message : '',
    ...(typeof v.digest === 'string' ? { digest: v.digest } : {}),
    ...(typeof v.until === 'string' ? { until: v.until } : {}),
  };
}

/** Sets or (undefined) clears the held-back record of one policy tag. */
export function writeHeldBack(
  streamAnnotations: Record<string, string>,
  specTag: string,
  h: HeldBack | undefined,
): void {
  const all = readJsonMap(streamAnnotations, ANNOTATION_HELD_BACK);
  if (!h) delete all[specTag];
  else {
    const o: Record<string, string> = { tag: h.tag, reason: h.reason, message: h.message };
    if (h.digest) o.digest = h.digest;
    if (h.until) o.until = h.until;
    all[specTag] = o;
  }
  writeJsonMap(streamAnnotations, ANNOTATION_HELD_BACK, all);
}
