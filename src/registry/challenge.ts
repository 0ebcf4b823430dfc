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
  if (!header) return out;
  const s = header;
  let i = 0;
  let current: Challenge | undefined;
  // True right after a scheme, until a comma: a bare token there is a token68, not a new scheme.
  let afterScheme = false;
  const skipWs = () => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  while (i < s.length) {
    skipWs();
    if (s[i] === ',') {
      afterScheme = false;
      i++;
      continue;
    }
    const tokenStart = i;
    while (i < s.length && !/[\s,=]/.test(s[i])) i++;
    const token = s.slice(tokenStart, i);
    if (!token) {
      i++;
      continue;
    }
    skipWs();
    const padding = s[i] === '=' && (s[i + 1] === '=' || i + 1 >= s.length || s[i + 1] === ',');
    if (s[i] === '=' && current && !padding) {
      // key=value or key="quoted, with commas"
      i++;
      skipWs();
      const { value, next } = readValue(s, i);
      current.params[token.toLowerCase()] = value;
      i = next;
    } else if (padding && current) {
      // token68 with '=' padding (e.g. Negotiate data): keep it, it is never used.
      let j = i;
      while (s[j] === '=') j++;
      current.params.token68 = token + s.slice(i, j);
      i = j;
    } else if (afterScheme && current) {
      current.params.token68 = token;
      afterScheme = false;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
      afterScheme = true;
      continue;
    }
    afterScheme = false;
  }
  return out;
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
      return [{ type: s.slice(0, i), name: s.slice(i + 1, j), actions: s.slice(j + 1).split(',').filter(Boolean) }];
    });
}

/** Normalised scope string: actions sorted and de-duplicated, scopes sorted (a stable cache key). */
export function normalizeScope(scope: string): string {
  return parseScopes(scope)
    .map((s) => `${s.type}:${s.name}:${[...new Set(s.actions)].sort().join(',')}`)
    .sort()
    .join(' ');
}
