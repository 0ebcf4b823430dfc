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
/** JSON: tag → {digest, firstSeen}: when isctl first saw that tag name that digest. */
export const ANNOTATION_FIRST_SEEN = `${POLICY_PREFIX}first-seen`;
/** JSON: the newest candidate the last evaluation did not take, and why. */
export const ANNOTATION_HELD_BACK = `${POLICY_PREFIX}held-back`;

export const POLICY_ANNOTATIONS = [
  ANNOTATION_POLICY,
  ANNOTATION_TAG_FILTER,
  ANNOTATION_TAG_EXTRACT,
  ANNOTATION_MIN_AGE,
  ANNOTATION_FIRST_SEEN,
  ANNOTATION_HELD_BACK,
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
 * annotations untouched. First-seen records are kept: they describe the repository, not the policy.
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
  delete out[ANNOTATION_HELD_BACK];
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

/** Reads the first-seen records; a damaged value reads as none (the next run starts them again). */
export function readFirstSeen(annotations: Annotations): Record<string, FirstSeen> {
  const raw = annotations?.[ANNOTATION_FIRST_SEEN];
  if (typeof raw !== 'string') return {};
  try {
    const v = JSON.parse(raw) as unknown;
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
  } catch {
    return {};
  }
}

/** Serialises first-seen records with sorted keys, so an unchanged set writes the same bytes. */
export function formatFirstSeen(records: Record<string, FirstSeen>): string | undefined {
  const keys = Object.keys(records).sort();
  if (keys.length === 0) return undefined;
  const obj: Record<string, FirstSeen> = {};
  for (const k of keys) obj[k] = { digest: records[k].digest, firstSeen: records[k].firstSeen };
  return JSON.stringify(obj);
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

export function readHeldBack(annotations: Annotations): HeldBack | undefined {
  const raw = annotations?.[ANNOTATION_HELD_BACK];
  if (typeof raw !== 'string') return undefined;
  try {
    const v = JSON.parse(raw) as Partial<HeldBack> | null;
    if (!v || typeof v.tag !== 'string' || typeof v.reason !== 'string') return undefined;
    return {
      tag: v.tag,
      reason: v.reason,
      message: typeof v.message === 'string' ? v.message : '',
      ...(typeof v.digest === 'string' ? { digest: v.digest } : {}),
      ...(typeof v.until === 'string' ? { until: v.until } : {}),
    };
  } catch {
    return undefined;
  }
}

export function formatHeldBack(h: HeldBack): string {
  const o: Record<string, string> = { tag: h.tag, reason: h.reason, message: h.message };
  if (h.digest) o.digest = h.digest;
  if (h.until) o.until = h.until;
  return JSON.stringify(o);
}
