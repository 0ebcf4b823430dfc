/**
 * `--tag-filter` and `--tag-extract`: Flux's `filterTags.pattern` / `filterTags.extract`
 * (fluxcd/image-reflector-controller internal/policy/filter.go `RegexFilter`): a tag takes part
 * when the pattern matches anywhere in its name; with a template, the value the policy orders is
 * the template expanded with the match (Go regexp `Expand`: `$name`, `${name}`, `$1`, `$$`).
 *
 * Flux patterns are Go RE2. They are run here as JavaScript regular expressions after a
 * translation of the RE2 forms users write (`(?P<name>…)`, a leading `(?i)`, `\A`, `\z`, POSIX
 * classes such as `[[:digit:]]`); what RE2 lacks (look-around, back-references) or JavaScript
 * would read differently (`\p{…}`, `\Q…\E`, inline flags after the start) is refused, so a
 * pattern never means something else here than in Flux.
 */

/** A bad `--tag-filter` or `--tag-extract`; the message says what is expected. */
export class TagFilterError extends Error {
  readonly flag: '--tag-filter' | '--tag-extract';
  constructor(flag: '--tag-filter' | '--tag-extract', message: string) {
    super(`${flag}: ${message}`);
    this.name = 'TagFilterError';
    this.flag = flag;
  }
}

export interface TagFilter {
  /** The pattern as the user wrote it (stored in the annotation). */
  readonly pattern: string;
  readonly regex: RegExp;
  /** Named groups, in order. */
  readonly names: readonly string[];
  /** Number of capturing groups. */
  readonly groups: number;
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function fail(message: string): never {
  throw new TagFilterError('--tag-filter', message);
}

/** Translates an RE2 pattern into JavaScript source and flags, refusing what would differ. */
function translate(pattern: string): { source: string; flags: string; names: string[]; groups: number } {
  let out = '';
  let flags = '';
  let i = 0;
  const names: string[] = [];
  let groups = 0;
  const n = pattern.length;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    if (lead[1].includes('U'))
      fail('the U (ungreedy) flag has no JavaScript equivalent; write lazy quantifiers (*?, +?)');
    flags = [...new Set(lead[1])].join('');
    i = lead[0].length;
  }
  const copyEscape = (inClass: boolean): void => {
    const c = pattern[i + 1];
    if (c === undefined) fail('the pattern ends with a lone backslash');
    if (/[1-9]/.test(c) || (c === 'k' && pattern[i + 2] === '<')) {
      fail('back-references are not RE2 syntax (Flux would refuse this pattern)');
    }
    if (c === 'p' || c === 'P')
      fail('Unicode classes (\\p{…}) are not supported; use an explicit class such as [A-Za-z]');
    if (c === 'Q' || c === 'E' || c === 'C') fail(`\\${c} is not supported; escape each special character instead`);
    if (!inClass && c === 'A') out += '(?<![\\s\\S])';
    else if (!inClass && c === 'z') out += '(?![\\s\\S])';
    else out += `\\${c}`;
    i += 2;
  };
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      copyEscape(false);
      continue;
    }
    if (c === '[') {
      out += '[';
      i++;
      if (pattern[i] === '^') {
        out += '^';
        i++;
      }
      // A ']' right after '[' or '[^' is a literal in RE2.
      if (pattern[i] === ']') {
        out += '\\]';
        i++;
      }
      while (i < n && pattern[i] !== ']') {
        if (pattern[i] === '\\') {
          copyEscape(true);
          continue;
        }
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (posix) {
          const set = POSIX[posix[2]];
          if (!set) fail(`unknown character class [:${posix[2]}:]`);
          if (posix[1]) fail(`negated class [:^${posix[2]}:] is not supported; negate the whole class instead`);
          out += set;
          i += posix[0].length;
          continue;
        }
        if (pattern[i] === '[') out += '\\[';
        else out += pattern[i];
        i++;
      }
      if (i >= n) fail('a character class is not closed: add "]"');
      out += ']';
      i++;
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] !== '?') {
        groups++;
        out += '(';
        i++;
        continue;
      }
      const rest = pattern.slice(i);
      const named = /^\(\?P?<([^>]*)>/.exec(rest);
      if (named && !rest.startsWith('(?<=') && !rest.startsWith('(?<!')) {
        const name = named[1];
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          fail(`invalid group name "${name}": use letters, digits and _, not starting with a digit`);
        }
        if (names.includes(name)) fail(`duplicate group name "${name}"`);
        names.push(name);
        groups++;
        out += `(?<${name}>`;
        i += named[0].length;
        continue;
      }
      if (rest.startsWith('(?:')) {
        out += '(?:';
        i += 3;
        continue;
      }
      if (/^\(\?(=|!|<=|<!)/.test(rest)) fail('look-around ((?=…), (?!…), (?<=…), (?<!…)) is not RE2 syntax');
      fail('inline flags are only supported at the start of the pattern, e.g. (?i)^v');
    }
    out += c;
    i++;
  }
  return { source: out, flags, names, groups };
}

/** Compiles a `--tag-filter` pattern (Flux `NewRegexFilter`); throws TagFilterError. */
export function compileTagFilter(pattern: string): TagFilter {
  if (pattern === '')
    fail('the pattern is empty: give a regular expression such as ^v?[0-9.]+$, or leave the flag out');
  const t = translate(pattern);
  let regex: RegExp;
  try {
    regex = new RegExp(t.source, t.flags);
  } catch (e) {
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    fail(`invalid regular expression ${JSON.stringify(pattern)}: ${why}`);
  }
  return { pattern, regex, names: t.names, groups: t.groups };
}

/** One piece of an extract template. */
type Piece = { text: string } | { num: number } | { name: string };

export interface ExtractTemplate {
  readonly template: string;
  readonly pieces: readonly Piece[];
}

/**
 * Parses a `--tag-extract` template against its filter (Go regexp `Expand` syntax) and checks that
 * every group it names exists; throws TagFilterError.
 */
export function compileExtract(template: string, filter: TagFilter | undefined): ExtractTemplate {
  const bad = (m: string): never => {
    throw new TagFilterError('--tag-extract', m);
  };
  if (!filter)
    bad(
      'needs --tag-filter: the template takes its groups from the filter, e.g. --tag-filter "^main-(?P<ts>[0-9]+)$" --tag-extract \'$ts\'',
    );
  const f = filter as TagFilter;
  const pieces: Piece[] = [];
  let text = '';
  let refs = 0;
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== '$') {
      text += c;
      i++;
      continue;
    }
    if (template[i + 1] === '$') {
      text += '$';
      i += 2;
      continue;
    }
    const m = /^\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/.exec(template.slice(i));
    if (!m) {
      bad(
        `"$" at position ${i + 1} of ${JSON.stringify(template)} names no group: write $name, \${name} or $1 (and $$ for a literal $)`,
      );
    }
    const ref = (m as RegExpExecArray)[1] ?? (m as RegExpExecArray)[2];
    if (text) pieces.push({ text });
    text = '';
    refs++;
    if (/^(0|[1-9][0-9]{0,7})$/.test(ref)) {
      const num = Number(ref);
      if (num > f.groups) {
        bad(`$${ref} names group ${num}, but --tag-filter has ${f.groups} group${f.groups === 1 ? '' : 's'}`);
      }
      pieces.push({ num });
    } else {
      if (!f.names.includes(ref)) {
        const has = f.names.length
          ? `its named groups: ${f.names.join(', ')}`
          : 'it has no named group; add one such as (?P<version>…)';
        bad(`$${ref} is not a group of --tag-filter (${has})`);
      }
      pieces.push({ name: ref });
    }
    i += (m as RegExpExecArray)[0].length;
  }
  if (text) pieces.push({ text });
  if (refs === 0)
    bad(`${JSON.stringify(template)} names no group, so every tag would give the same value: use e.g. '$version'`);
  return { template, pieces };
}

/** A tag that passed the filter and the value the policy orders it by. */
export interface FilteredTag {
  tag: string;
  value: string;
}

/** Flux `RegexFilter.Apply`: the tags the pattern matches, each with its extracted value. */
export function applyTagFilter(
  tags: readonly string[],
  filter: TagFilter | undefined,
  extract: ExtractTemplate | undefined,
): FilteredTag[] {
  if (!filter) return tags.map((tag) => ({ tag, value: tag }));
  const out: FilteredTag[] = [];
  for (const tag of tags) {
    const m = filter.regex.exec(tag);
    if (!m) continue;
    if (!extract) {
      out.push({ tag, value: tag });
      continue;
    }
    let value = '';
    for (const p of extract.pieces) {
      if ('text' in p) value += p.text;
      else if ('num' in p) value += m[p.num] ?? '';
      else value += m.groups?.[p.name] ?? '';
    }
    out.push({ tag, value });
  }
  return out;
}
