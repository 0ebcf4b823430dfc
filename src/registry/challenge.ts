/**
 * WWW-Authenticate parsing (RFC 7235 §4.1 / RFC 6750 §3): several challenges per header, quoted
 * values that may contain commas and `\"` escapes, and distribution token scopes
 * (docs/spec/auth/scope.md: `type:name:actions`, where the name may itself contain `:`).
 */

/** One challenge: scheme (lower-cased) and its auth-params (keys lower-cased). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate value (several headers may be joined with ", ") into challenges. */
export function parseWwwAuthenticate(header: string | undefined): Challenge[] {
  const out: Challenge[] = [];
  const s = header ?? '';
  let i = 0;
  // True right after a scheme, until a comma: a bare token there is a token68, not a new scheme.
  let afterScheme = false;
  while (i < s.length) {
    i = skipWs(s, i);
    if (s[i] === ',') {
      afterScheme = false;
      i++;
      continue;
    }
    const start = i;
    while (i < s.length && !/[\s,=]/.test(s[i])) i++;
    const token = s.slice(start, i);
    if (!token) {
      i++;
      continue;
    }
    i = skipWs(s, i);
    const current = out[out.length - 1];
    if (current && (s[i] === '=' || afterScheme)) {
      i = readParam(s, i, token, current);
      afterScheme = false;
    } else {
      out.push({ scheme: token.toLowerCase(), params: {} });
      afterScheme = true;
    }
  }
  return out;
}

function skipWs(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  return i;
}

// `key=value`, `key="quoted, with commas"`, or a token68 (with optional '=' padding).
function readParam(s: string, i: number, token: string, into: Challenge): number {
  const padding = s[i] === '=' && (s[i + 1] === '=' || i + 1 >= s.length || s[i + 1] === ',');
  if (s[i] === '=' && !padding) {
    const { value, next } = readValue(s, skipWs(s, i + 1));
    into.params[token.toLowerCase()] = value;
    return next;
  }
  let j = i;
  while (s[j] === '=') j++;
  into.params.token68 = token + s.slice(i, j);
  return j;
}

function readValue(s: string, start: number): { value: string; next: number } {
  let i = start;
  if (s[i] !== '"') {
    while (i < s.length && s[i] !== ',' && s[i] !== ' ' && s[i] !== '\t') i++;
    return { value: s.slice(start, i), next: i };
  }
  i++;
  let value = '';
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\' && i + 1 < s.length) i++;
    value += s[i];
    i++;
  }
  return { value, next: i + 1 };
}

/** The first Bearer or Basic challenge (go-containerregistry ping.go picks the first supported one). */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

/** One resource scope `type:name:actions`. */
export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

/** Parses a space-separated scope list; the name may contain ':' (split type at the first, actions at the last). */
export function parseScopes(scope: string | undefined): Scope[] {
  if (!scope) return [];
  return scope
    .split(' ')
    .filter(Boolean)
    .flatMap((s) => {
      const i = s.indexOf(':');
      const j = s.lastIndexOf(':');
      if (i < 0 || j === i) return [];
      return [
        {
          type: s.slice(0, i),
          name: s.slice(i + 1, j),
          actions: s
            .slice(j + 1)
            .split(',')
            .filter(Boolean),
        },
      ];
    });
}

/** Normalised scope string: actions sorted and de-duplicated, scopes sorted (a stable cache key). */
export function normalizeScope(scope: string): string {
  return parseScopes(scope)
    .map((s) => `${s.type}:${s.name}:${[...new Set(s.actions)].sort().join(',')}`)
    .sort()
    .join(' ');
}
