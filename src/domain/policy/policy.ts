/**
 * Tag policies: which of a repository's tags a policy tag follows. The three orderings and what
 * their order words mean are Flux's (fluxcd/image-reflector-controller internal/policy):
 *
 * - `semver:RANGE` (semver.go): tags that are strict versions with an optional `v`
 *   (fluxcd/pkg version.ParseVersion) and satisfy the Masterminds/semver range; the highest wins.
 *   Other tags take no part.
 * - `numerical:asc|desc` (numerical.go): every tag is parsed as a Go float; one that is not a
 *   number fails the policy. `asc` picks the last tag in ascending order (the highest), `desc` the
 *   lowest.
 * - `alphabetical:asc|desc` (alphabetical.go): byte order; `asc` picks the last (the greatest),
 *   `desc` the first.
 *
 * Flux leaves the choice among equal values to map iteration order; here the tag whose name sorts
 * first wins, so a run is reproducible.
 */
import { parseGoFloat } from './go-float.js';
import {
  applyTagFilter,
  compileExtract,
  compileTagFilter,
  type ExtractTemplate,
  type FilteredTag,
  type TagFilter,
  TagFilterError,
} from './tag-filter.js';
import {
  compareVersions,
  parseTagVersion,
  parseVersionRange,
  RangeSyntaxError,
  rangeAdmits,
  type RangeVersion,
  type VersionRange,
} from './version-range.js';

export type PolicyOrder = 'asc' | 'desc';

export type PolicyKind =
  | { type: 'semver'; range: VersionRange }
  | { type: 'numerical'; order: PolicyOrder }
  | { type: 'alphabetical'; order: PolicyOrder };

/** A validated policy, as the flags or the spec tag's annotations gave it. */
export interface TagPolicy {
  /** `semver:~1.2`, `numerical:asc`, … as stored. */
  readonly policy: string;
  readonly kind: PolicyKind;
  readonly filter?: TagFilter;
  readonly extract?: ExtractTemplate;
  /** Milliseconds; 0 when there is no cooldown. */
  readonly minAgeMs: number;
  /** `--min-age` as written (`72h`), when given. */
  readonly minAge?: string;
}

/** The raw texts, as flags or annotations carry them. */
export interface PolicyInput {
  policy: string;
  tagFilter?: string;
  tagExtract?: string;
  minAge?: string;
}

export type PolicyFlag = '--policy' | '--tag-filter' | '--tag-extract' | '--min-age';

/** Bad policy input; the message starts with the flag and says what is expected. */
export class PolicyError extends Error {
  readonly flag: PolicyFlag;
  constructor(flag: PolicyFlag, message: string) {
    super(message.startsWith(flag) ? message : `${flag}: ${message}`);
    this.name = 'PolicyError';
    this.flag = flag;
  }
}

const POLICY_FORMS = 'semver:RANGE (e.g. semver:~1.2), numerical:asc|desc or alphabetical:asc|desc';

function parseOrder(kind: string, word: string): PolicyOrder {
  const w = word.toLowerCase();
  // Flux (factory.go) upper-cases the order and defaults an empty one to ASC.
  if (w === '' || w === 'asc') return 'asc';
  if (w === 'desc') return 'desc';
  throw new PolicyError(
    '--policy',
    `unknown order "${word}" for ${kind}: expected asc (pick the highest) or desc (pick the lowest)`,
  );
}

function parseKind(text: string): PolicyKind {
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)).trim().toLowerCase();
  const arg = colon < 0 ? '' : text.slice(colon + 1);
  switch (kind) {
    case 'semver': {
      if (arg.trim() === '')
        throw new PolicyError(
          '--policy',
          `semver needs a range after "semver:", e.g. semver:~1.2 or semver:">=1.2 <2"`,
        );
      try {
        return { type: 'semver', range: parseVersionRange(arg) };
      } catch (e) {
        if (e instanceof RangeSyntaxError) {
          throw new PolicyError(
            '--policy',
            `invalid semver range ${JSON.stringify(arg)}: ${e.message}; expected a Masterminds/semver range such as ~1.2, ^1, >=1.2 <2, 1.2.x or >=1.0.0-0`,
          );
        }
        throw e;
      }
    }
    case 'numerical':
    case 'alphabetical':
      return { type: kind, order: parseOrder(kind, arg.trim()) };
    default:
      throw new PolicyError('--policy', `unknown policy ${JSON.stringify(text)}: expected ${POLICY_FORMS}`);
  }
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses `--min-age`: Go duration syntax (`72h`, `1h30m`, `90s`, `1.5h`), plus `d` for days;
 * `0` means no cooldown.
 */
export function parseMinAge(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  let m: RegExpExecArray | null;
  while (at < s.length && (m = re.exec(s)) !== null) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    at = re.lastIndex;
  }
  if (s === '' || at !== s.length) {
    throw new PolicyError(
      '--min-age',
      `invalid duration ${JSON.stringify(text)}: expected a duration such as 72h, 7d, 1h30m or 90s`,
    );
  }
  return Math.round(total);
}

/** Validates every part of a policy; throws PolicyError naming the first bad flag. */
export function parsePolicy(input: PolicyInput): TagPolicy {
  const kind = parseKind(input.policy);
  let filter: TagFilter | undefined;
  let extract: ExtractTemplate | undefined;
  try {
    if (input.tagFilter !== undefined) filter = compileTagFilter(input.tagFilter);
    if (input.tagExtract !== undefined) extract = compileExtract(input.tagExtract, filter);
  } catch (e) {
    if (e instanceof TagFilterError) throw new PolicyError(e.flag, e.message);
    throw e;
  }
  const minAgeMs = input.minAge !== undefined ? parseMinAge(input.minAge) : 0;
  const policy = kind.type === 'semver' ? `semver:${kind.range.text}` : `${kind.type}:${kind.order}`;
  return {
    policy,
    kind,
    ...(filter ? { filter } : {}),
    ...(extract ? { extract } : {}),
    minAgeMs,
    ...(input.minAge !== undefined ? { minAge: input.minAge.trim() } : {}),
  };
}

/** Why a policy found nothing to follow. */
export type RankFailure =
  | { reason: 'NoMatchingTag'; message: string }
  | { reason: 'Filtered'; message: string }
  | { reason: 'NotNumeric'; message: string };

export interface Ranking {
  /** Candidates, best first (what the policy would pick is `candidates[0]`). */
  candidates: FilteredTag[];
  /** How many tags the registry listed, and how many passed `--tag-filter`. */
  listed: number;
  matchedFilter: number;
  failure?: RankFailure;
}

function byName(a: FilteredTag, b: FilteredTag): number {
  return a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0;
}

/** Describes a policy for messages: `semver:~1.2 with --tag-filter ^v`. */
export function describePolicy(p: TagPolicy): string {
  let s = p.policy;
  if (p.filter) s += ` with --tag-filter ${JSON.stringify(p.filter.pattern)}`;
  if (p.extract) s += ` --tag-extract ${JSON.stringify(p.extract.template)}`;
  return s;
}

/** Orders a repository's tags by the policy, best first (Flux's `Latest` generalised to a ranking). */
export function rankTags(p: TagPolicy, tags: readonly string[]): Ranking {
  const filtered = applyTagFilter(tags, p.filter, p.extract);
  const base = { listed: tags.length, matchedFilter: filtered.length };
  if (tags.length === 0) {
    return { ...base, candidates: [], failure: { reason: 'NoMatchingTag', message: 'the repository has no tags' } };
  }
  if (filtered.length === 0) {
    return {
      ...base,
      candidates: [],
      failure: {
        reason: 'Filtered',
        message: `none of the repository's ${tags.length} tags matches --tag-filter ${JSON.stringify(p.filter?.pattern)}`,
      },
    };
  }
  let candidates: FilteredTag[];
  switch (p.kind.type) {
    case 'semver': {
      const range = p.kind.range;
      const parsed: { t: FilteredTag; v: RangeVersion }[] = [];
      for (const t of filtered) {
        const v = parseTagVersion(t.value);
        if (v && rangeAdmits(range, v)) parsed.push({ t, v });
      }
      parsed.sort((a, b) => compareVersions(b.v, a.v) || byName(a.t, b.t));
      candidates = parsed.map((x) => x.t);
      break;
    }
    case 'numerical': {
      const nums: { t: FilteredTag; n: number }[] = [];
      for (const t of filtered) {
        const n = parseGoFloat(t.value);
        if (n === undefined) {
          const what = t.value === t.tag ? `tag "${t.tag}"` : `tag "${t.tag}" (extracted value "${t.value}")`;
          return {
            ...base,
            candidates: [],
            failure: {
              reason: 'NotNumeric',
              message: `${what} is not a number: a numerical policy needs every tag it sees to be one (narrow them with --tag-filter and --tag-extract)`,
            },
          };
        }
        nums.push({ t, n });
      }
      const sign = p.kind.order === 'asc' ? -1 : 1;
      // NaN (a tag named "nan") sorts after every number in both orders: it is never better.
      nums.sort((a, b) => {
        if (Number.isNaN(a.n) || Number.isNaN(b.n))
          return Number.isNaN(a.n) === Number.isNaN(b.n) ? byName(a.t, b.t) : Number.isNaN(a.n) ? 1 : -1;
        return a.n === b.n ? byName(a.t, b.t) : a.n < b.n ? -sign : sign;
      });
      candidates = nums.map((x) => x.t);
      break;
    }
    case 'alphabetical': {
      const sign = p.kind.order === 'asc' ? -1 : 1;
      candidates = [...filtered].sort((a, b) =>
        a.value === b.value ? byName(a, b) : a.value < b.value ? -sign : sign,
      );
      break;
    }
  }
  if (candidates.length === 0) {
    const after = p.filter ? `, ${filtered.length} after --tag-filter` : '';
    return {
      ...base,
      candidates,
      failure: {
        reason: 'NoMatchingTag',
        message: `no tag satisfies ${p.policy} (${tags.length} tags${after}; only strict X.Y.Z versions, with an optional v, take part)`,
      },
    };
  }
  return { ...base, candidates };
}
