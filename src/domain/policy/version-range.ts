/**
 * Versions and version ranges as Masterminds/semver v3 reads them (the library Flux's
 * image-reflector-controller uses for `semver` policies). npm's `semver` package differs on
 * pre-releases, `>0,<2.0`, `=>` and `^1.x-0`, so this follows Masterminds/semver, not npm:
 *
 * - version.go `StrictNewVersion` (tags), `NewVersion` with coercion (versions inside a range),
 *   `Compare` / `comparePrerelease` (build metadata ignored, numeric identifiers below
 *   alphanumeric ones);
 * - constraints.go `NewConstraint` (`||` OR, comma or space AND, `a - b` ranges, the operators
 *   `= != > < >= => <= =< ~ ~> ^`, `x`/`X`/`*` wildcards) and `Check`: a pre-release version only
 *   satisfies an AND group in which some constraint names a pre-release (v3.4.0 #267).
 *
 * The range grammar is read by a tokenizer instead of the upstream regular expressions: JavaScript
 * regular expressions backtrack, RE2's do not, and a range comes from a file anyone can edit. The
 * tokenizer accepts exactly the strings `validConstraintRegex` accepts and splits them the way
 * `findConstraintRegex` does (tested against upstream's vectors).
 */

/** A parsed version. Numbers are bigint because upstream parses them as uint64. */
export interface RangeVersion {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Pre-release without its `-`; '' for a release. */
  pre: string;
  /** Build metadata without its `+`; ignored by comparisons. */
  metadata: string;
  /** The text that was parsed (with its `v`, if any). */
  original: string;
}

const MAX_UINT64 = 18446744073709551615n;
const NUMERIC = /^[0-9]+$/;
const ALLOWED = /^[0-9A-Za-z-]+$/;

function uint64(s: string): bigint | undefined {
  if (!NUMERIC.test(s)) return undefined;
  const n = BigInt(s);
  return n > MAX_UINT64 ? undefined : n;
}

/** version.go `validatePrerelease`: dot-separated, non-empty, no leading zero in numbers. */
function validPrerelease(p: string): boolean {
  return p.split('.').every((part) => {
    if (part === '') return false;
    if (NUMERIC.test(part)) return !(part.length > 1 && part[0] === '0');
    return ALLOWED.test(part);
  });
}

/** version.go `validateMetadata`. */
function validMetadata(m: string): boolean {
  return m.split('.').every((part) => part !== '' && ALLOWED.test(part));
}

/** version.go `StrictNewVersion`: exactly MAJOR.MINOR.PATCH, no `v`, no leading zeros. */
export function parseStrictVersion(v: string): RangeVersion | undefined {
  if (v.length === 0) return undefined;
  // SplitN(v, ".", 3): the pre-release and metadata live in the third part.
  const first = v.indexOf('.');
  if (first < 0) return undefined;
  const second = v.indexOf('.', first + 1);
  if (second < 0) return undefined;
  const parts = [v.slice(0, first), v.slice(first + 1, second), v.slice(second + 1)];
  let metadata = '';
  let pre = '';
  const plus = parts[2].indexOf('+');
  if (plus >= 0) {
    metadata = parts[2].slice(plus + 1);
    parts[2] = parts[2].slice(0, plus);
    if (!validMetadata(metadata)) return undefined;
  }
  const dash = parts[2].indexOf('-');
  if (dash >= 0) {
    pre = parts[2].slice(dash + 1);
    parts[2] = parts[2].slice(0, dash);
    if (!validPrerelease(pre)) return undefined;
  }
  const nums: bigint[] = [];
  for (const p of parts) {
    if (p.length > 1 && p[0] === '0') return undefined;
    const n = uint64(p);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  return { major: nums[0], minor: nums[1], patch: nums[2], pre, metadata, original: v };
}

/**
 * fluxcd/pkg version/version.go `ParseVersion`, the parser Flux's semver policy applies to tags:
 * a strict version, optionally with one leading `v` (`v1.2.3`); `1.2`, `01.2.3`, `latest` take no
 * part.
 */
export function parseTagVersion(tag: string): RangeVersion | undefined {
  const v = parseStrictVersion(tag.startsWith('v') ? tag.slice(1) : tag);
  return v ? { ...v, original: tag } : undefined;
}

const LOOSE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** version.go `NewVersion` with `CoerceNewVersion` (the default): `1`, `1.2`, `v1.2.3`, `01.2`. */
export function parseLooseVersion(v: string): RangeVersion | undefined {
  const m = LOOSE.exec(v);
  if (!m) return undefined;
  const major = uint64(m[1]);
  const minor = m[2] ? uint64(m[2].slice(1)) : 0n;
  const patch = m[3] ? uint64(m[3].slice(1)) : 0n;
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  const pre = m[5] ?? '';
  const metadata = m[8] ?? '';
  if (pre !== '' && !validPrerelease(pre)) return undefined;
  if (metadata !== '' && !validMetadata(metadata)) return undefined;
  return { major, minor, patch, pre, metadata, original: v };
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** version.go `comparePrePart`. */
function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const oi = uint64(o);
  const si = uint64(s);
  if (oi === undefined && si === undefined) return s > o ? 1 : -1;
  if (oi === undefined) return -1;
  if (si === undefined) return 1;
  return si > oi ? 1 : -1;
}

/** version.go `comparePrerelease`: identifier by identifier; a missing one sorts first. */
function comparePrerelease(v: string, o: string): number {
  const s = v.split('.');
  const t = o.split('.');
  for (let i = 0; i < Math.max(s.length, t.length); i++) {
    const d = comparePrePart(s[i] ?? '', t[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** version.go `Compare`: -1, 0 or 1; build metadata is ignored. */
export function compareVersions(a: RangeVersion, b: RangeVersion): number {
  const d = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch);
  if (d !== 0) return d;
  if (a.pre === '' && b.pre === '') return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  return comparePrerelease(a.pre, b.pre);
}

type Op = '' | '=' | '!=' | '>' | '<' | '>=' | '=>' | '<=' | '=<' | '~' | '~>' | '^';
const OPS: ReadonlySet<string> = new Set<Op>(['', '=', '!=', '>', '<', '>=', '=>', '<=', '=<', '~', '~>', '^']);

interface Constraint {
  op: Op;
  con: RangeVersion;
  /** The version text as written (e.g. `4.x`). */
  orig: string;
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

/** A parsed range: OR of AND groups. */
export interface VersionRange {
  readonly text: string;
  readonly groups: readonly (readonly Constraint[])[];
  /** Per group: some constraint names a pre-release, so pre-releases may satisfy the group. */
  readonly groupAdmitsPre: readonly boolean[];
}

/** A range that does not parse; the message is upstream's (`improper constraint: "…"`). */
export class RangeSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangeSyntaxError';
  }
}

/** Go's `\s` (RE2): tab, newline, form feed, carriage return and space. */
const WS = '\t\n\f\r ';
const OP_CHARS = '=!<>~^';
/** constraints.go `cvRegex`: the class `[0-9|x|X|\*]` includes a literal `|`, as upstream's does. */
const CV_SRC = String.raw`v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?`;
const CV = new RegExp(`^${CV_SRC}$`);
const S = '[\\t\\n\\f\\r ]';
const RANGE_RE = new RegExp(`${S}*(${CV_SRC})${S}+-${S}+(${CV_SRC})${S}*`, 'g');
/** A range longer than this is refused: no real range comes close, and it bounds the work. */
export const MAX_RANGE_LENGTH = 1024;

/** constraints.go `rewriteRange`: `1.2 - 1.4.5` → `>= 1.2, <= 1.4.5 `. */
function rewriteRange(i: string): string {
  let o = i;
  for (const m of i.matchAll(RANGE_RE)) {
    // strings.Replace(o, match, t, 1): the first occurrence in the text rewritten so far.
    o = o.replace(m[0], () => `>= ${m[1]}, <= ${m[11]} `);
  }
  return o;
}

function isX(s: string): boolean {
  return s === 'x' || s === 'X' || s === '*';
}

/** constraints.go `parseConstraint` for one operator and version. */
function parseConstraint(op: Op, cv: string): Constraint {
  const m = CV.exec(cv);
  if (!m) throw new RangeSyntaxError(`improper constraint: ${JSON.stringify(op + cv)}`);
  const [, major, minor = '', patch = '', preWithDash = ''] = m;
  let ver = cv;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major)) {
    ver = `0.0.0${preWithDash}`;
    dirty = true;
  } else if (isX(minor.slice(1)) || minor === '') {
    minorDirty = true;
    dirty = true;
    ver = `${major}.0.0${preWithDash}`;
  } else if (isX(patch.slice(1)) || patch === '') {
    dirty = true;
    patchDirty = true;
    ver = `${major}${minor}.0${preWithDash}`;
  }
  const con = parseLooseVersion(ver);
  if (!con) throw new RangeSyntaxError(`improper constraint: ${JSON.stringify(op + cv)}`);
  return { op, con, orig: cv, dirty, minorDirty, patchDirty };
}

/**
 * Splits one `||` segment into constraints; undefined where `validConstraintRegex` would not
 * match: `^\s*OP\s*CV\s*((\s+|,\s*)OP\s*CV\s*)*$`.
 */
function splitAnd(seg: string): { op: Op; cv: string }[] | undefined {
  const out: { op: Op; cv: string }[] = [];
  const n = seg.length;
  let i = 0;
  const skipWs = () => {
    const start = i;
    while (i < n && WS.includes(seg[i])) i++;
    return i > start;
  };
  skipWs();
  for (;;) {
    const opStart = i;
    while (i < n && OP_CHARS.includes(seg[i])) i++;
    const op = seg.slice(opStart, i);
    if (!OPS.has(op)) return undefined;
    skipWs();
    const cvStart = i;
    while (i < n && !WS.includes(seg[i]) && seg[i] !== ',' && !OP_CHARS.includes(seg[i])) i++;
    const cv = seg.slice(cvStart, i);
    if (!CV.test(cv)) return undefined;
    out.push({ op: op as Op, cv });
    const spaced = skipWs();
    if (i >= n) return out;
    if (seg[i] === ',') {
      i++;
      skipWs();
      if (i >= n) return undefined;
    } else if (!spaced) return undefined;
  }
}

/** constraints.go `NewConstraint`. Throws RangeSyntaxError with upstream's wording. */
export function parseVersionRange(text: string): VersionRange {
  if (text.length > MAX_RANGE_LENGTH) {
    throw new RangeSyntaxError(`a range is at most ${MAX_RANGE_LENGTH} characters (this one has ${text.length})`);
  }
  const rewritten = rewriteRange(text);
  const groups: Constraint[][] = [];
  const groupAdmitsPre: boolean[] = [];
  for (const seg of rewritten.split('||')) {
    const parts = splitAnd(seg);
    if (!parts) throw new RangeSyntaxError(`improper constraint: ${JSON.stringify(seg)}`);
    const group = parts.map((p) => parseConstraint(p.op, p.cv));
    groups.push(group);
    groupAdmitsPre.push(group.some((c) => c.con.pre !== ''));
  }
  return { text, groups, groupAdmitsPre };
}

function lessThan(v: RangeVersion, c: RangeVersion): boolean {
  return compareVersions(v, c) < 0;
}

function tilde(v: RangeVersion, c: Constraint): boolean {
  if (lessThan(v, c.con)) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function caret(v: RangeVersion, c: Constraint): boolean {
  if (lessThan(v, c.con)) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (c.con.major === 0n && v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  if (c.con.minor === 0n && v.minor > 0n) return false;
  return c.con.patch === v.patch;
}

function notEqual(v: RangeVersion, c: Constraint): boolean {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) {
      if (v.pre !== '' || c.con.pre !== '') return comparePrerelease(v.pre, c.con.pre) !== 0;
      return false;
    }
  }
  return compareVersions(v, c.con) !== 0;
}

function greaterThan(v: RangeVersion, c: Constraint): boolean {
  if (!c.dirty) return compareVersions(v, c.con) === 1;
  if (v.major > c.con.major) return true;
  if (v.major < c.con.major) return false;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return compareVersions(v, c.con) === 1;
}

function lessThanEqual(v: RangeVersion, c: Constraint): boolean {
  if (!c.dirty) return compareVersions(v, c.con) <= 0;
  if (v.major > c.con.major) return false;
  if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
  return true;
}

/** One constraint's check function (constraints.go `constraintOps`). */
function check(v: RangeVersion, c: Constraint, includePre: boolean): boolean {
  // Every upstream constraint function starts with this: a pre-release only counts when its
  // AND group asks for pre-releases.
  if (v.pre !== '' && !includePre) return false;
  switch (c.op) {
    case '':
    case '=':
      return c.dirty ? tilde(v, c) : compareVersions(v, c.con) === 0;
    case '!=':
      return notEqual(v, c);
    case '>':
      return greaterThan(v, c);
    case '<':
      return compareVersions(v, c.con) < 0;
    case '>=':
    case '=>':
      return compareVersions(v, c.con) >= 0;
    case '<=':
    case '=<':
      return lessThanEqual(v, c);
    case '~':
    case '~>':
      return tilde(v, c);
    case '^':
      return caret(v, c);
  }
}

/** constraints.go `Constraints.Check` (IncludePrerelease false, as Flux leaves it). */
export function rangeAdmits(range: VersionRange, v: RangeVersion): boolean {
  return range.groups.some((group, i) => group.every((c) => check(v, c, range.groupAdmitsPre[i])));
}
