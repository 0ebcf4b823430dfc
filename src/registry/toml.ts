/**
 * The TOML subset containers-registries.conf(5) files use: `key = value` pairs, `[table]` and
 * `[[array.of.tables]]` headers (dotted names), basic ("…", with \" \\ \n \t \uXXXX escapes) and
 * literal ('…') strings, booleans, integers, arrays (over several lines, trailing comma allowed)
 * and `#` comments. Anything else is refused with FILE:LINE, so a file is never half-understood.
 */

/** A parsed TOML value. */
export type TomlValue = string | boolean | number | TomlValue[] | TomlTable;
/** A TOML table. */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** A syntax error at `file:line`. */
export class TomlError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TomlError';
  }
}

/** Parses `text` (the content of `file`) into nested tables. */
export function parseToml(text: string, file: string): TomlTable {
  const root: TomlTable = {};
  let current = root;
  const p = { text, i: 0, line: 1, file };
  const fail = (msg: string): never => {
    throw new TomlError(file, p.line, msg);
  };
  const defined = new Set<TomlTable>();
  while (p.i < text.length) {
    skipBlank(p, true);
    if (p.i >= text.length) break;
    const c = text[p.i];
    if (c === '[') {
      const array = text[p.i + 1] === '[';
      p.i += array ? 2 : 1;
      skipBlank(p, false);
      const path = readKeyPath(p, fail);
      skipBlank(p, false);
      if (!text.startsWith(array ? ']]' : ']', p.i)) fail(`expected "${array ? ']]' : ']'}" after the table name`);
      p.i += array ? 2 : 1;
      current = array ? openArrayTable(root, path, fail) : openTable(root, path, fail, defined);
    } else {
      const path = readKeyPath(p, fail);
      skipBlank(p, false);
      if (text[p.i] !== '=') fail(`expected "=" after key "${path.join('.')}"`);
      p.i++;
      skipBlank(p, false);
      const value = readValue(p, fail);
      let t = current;
      for (const k of path.slice(0, -1)) t = subTable(t, k, fail);
      const last = path[path.length - 1];
      if (Object.hasOwn(t, last)) fail(`key "${path.join('.')}" is defined twice`);
      t[last] = value;
    }
    skipBlank(p, false);
    if (p.i < text.length && text[p.i] !== '\n') fail(`unexpected "${text[p.i]}" after the value`);
  }
  return root;
}

interface Pos {
  text: string;
  i: number;
  line: number;
  file: string;
}

/** Skips spaces, tabs and comments; with `newlines` also line ends. */
function skipBlank(p: Pos, newlines: boolean): void {
  while (p.i < p.text.length) {
    const c = p.text[p.i];
    if (c === ' ' || c === '\t' || c === '\r') p.i++;
    else if (c === '#') while (p.i < p.text.length && p.text[p.i] !== '\n') p.i++;
    else if (c === '\n' && newlines) {
      p.i++;
      p.line++;
    } else break;
  }
}

function readKeyPath(p: Pos, fail: (m: string) => never): string[] {
  const path: string[] = [];
  for (;;) {
    skipBlank(p, false);
    const c = p.text[p.i];
    if (c === '"' || c === "'") path.push(readString(p, fail));
    else {
      const m = /^[A-Za-z0-9_-]+/.exec(p.text.slice(p.i, p.i + 256));
      if (!m) fail(c === undefined || c === '\n' ? 'expected a key' : `unexpected "${c}" where a key was expected`);
      path.push((m as RegExpExecArray)[0]);
      p.i += (m as RegExpExecArray)[0].length;
    }
    skipBlank(p, false);
    if (p.text[p.i] !== '.') return path;
    p.i++;
  }
}

function readValue(p: Pos, fail: (m: string) => never): TomlValue {
  const c = p.text[p.i];
  if (c === '"' || c === "'") return readString(p, fail);
  if (c === '[') {
    p.i++;
    const items: TomlValue[] = [];
    for (;;) {
      skipBlank(p, true);
      if (p.text[p.i] === ']') {
        p.i++;
        return items;
      }
      if (p.i >= p.text.length) fail('unterminated array: expected "]"');
      items.push(readValue(p, fail));
      skipBlank(p, true);
      if (p.text[p.i] === ',') p.i++;
      else if (p.text[p.i] !== ']') fail('expected "," or "]" in the array');
    }
  }
  const m = /^(true|false|[+-]?\d[\d_]*)(?=[\s,\]#]|$)/.exec(p.text.slice(p.i, p.i + 64));
  if (m) {
    p.i += m[1].length;
    if (m[1] === 'true') return true;
    if (m[1] === 'false') return false;
    return Number(m[1].replace(/_/g, ''));
  }
  if (c === '{') return fail('inline tables are not supported here: use a [table] header');
  return fail(
    c === undefined || c === '\n'
      ? 'expected a value'
      : `unexpected "${c}": a value is a "string", true, false, a number or [an, array]`,
  );
}

function readString(p: Pos, fail: (m: string) => never): string {
  const quote = p.text[p.i];
  if (p.text.startsWith(quote.repeat(3), p.i)) fail('multi-line strings are not supported here');
  p.i++;
  let out = '';
  for (;;) {
    const c = p.text[p.i];
    if (c === undefined || c === '\n') return fail(`unterminated string: expected a closing ${quote}`);
    p.i++;
    if (c === quote) return out;
    if (c === '\\' && quote === '"') {
      const e = p.text[p.i++];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
      if (e !== undefined && Object.hasOwn(simple, e)) out += simple[e];
      else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const hex = p.text.slice(p.i, p.i + n);
        if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) fail(`invalid \\${e} escape in a string`);
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        p.i += n;
      } else fail(`invalid escape "\\${e ?? ''}" in a string`);
    } else out += c;
  }
}

function subTable(t: TomlTable, key: string, fail: (m: string) => never): TomlTable {
  const v = t[key];
  if (v === undefined) return (t[key] = {});
  if (Array.isArray(v)) {
    const last = v[v.length - 1];
    if (last && typeof last === 'object' && !Array.isArray(last)) return last;
  } else if (typeof v === 'object') return v;
  return fail(`"${key}" is a value, not a table`);
}

function openTable(root: TomlTable, path: string[], fail: (m: string) => never, defined: Set<TomlTable>): TomlTable {
  let t = root;
  for (const k of path) t = subTable(t, k, fail);
  if (defined.has(t)) fail(`table [${path.join('.')}] is defined twice`);
  defined.add(t);
  return t;
}

function openArrayTable(root: TomlTable, path: string[], fail: (m: string) => never): TomlTable {
  let t = root;
  for (const k of path.slice(0, -1)) t = subTable(t, k, fail);
  const last = path[path.length - 1];
  const existing = t[last];
  const fresh: TomlTable = {};
  if (existing === undefined) t[last] = [fresh];
  else if (Array.isArray(existing)) existing.push(fresh);
  else fail(`[[${path.join('.')}]] names a table or value defined before`);
  return fresh;
}
