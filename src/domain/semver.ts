/**
 * Strict semantic versions as blang/semver v4 parses them (what library-go's PrioritizeTags uses):
 * MAJOR.MINOR.PATCH without leading zeros, optional -prerelease and +build.
 */

/** A parsed version; build metadata is kept but ignored by `compareSemver`. */
export interface Semver {
  major: number;
  minor: number;
  patch: number;
  pre: (string | number)[];
}

const numeric = /^(0|[1-9][0-9]*)$/;
const ident = /^[0-9A-Za-z-]+$/;

/** Parses a strict semver string; undefined when it is not one. */
export function parseSemver(s: string): Semver | undefined {
  let rest = s;
  const plus = rest.indexOf('+');
  if (plus >= 0) {
    const build = rest.slice(plus + 1).split('.');
    if (build.some((b) => !ident.test(b))) return undefined;
    rest = rest.slice(0, plus);
  }
  const pre: (string | number)[] = [];
  const dash = rest.indexOf('-');
  if (dash >= 0) {
    const parts = rest.slice(dash + 1).split('.');
    for (const p of parts) {
      if (!ident.test(p)) return undefined;
      if (/^[0-9]+$/.test(p)) {
        if (!numeric.test(p)) return undefined; // leading zero in a numeric prerelease
        pre.push(Number(p));
      } else pre.push(p);
    }
    rest = rest.slice(0, dash);
  }
  const core = rest.split('.');
  if (core.length !== 3 || core.some((c) => !numeric.test(c))) return undefined;
  return { major: Number(core[0]), minor: Number(core[1]), patch: Number(core[2]), pre };
}

/** Compares two versions by semver precedence (-1, 0, 1). */
export function compareSemver(a: Semver, b: Semver): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] > b[k] ? 1 : -1;
  }
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < Math.max(a.pre.length, b.pre.length); i++) {
    if (i >= a.pre.length) return -1;
    if (i >= b.pre.length) return 1;
    const x = a.pre[i];
    const y = b.pre[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x > y ? 1 : -1;
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x > y ? 1 : -1;
  }
  return 0;
}
