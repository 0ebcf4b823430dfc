/**
 * A fast path for the plain block YAML that Kubernetes tools write (`key: value`, `- item`,
 * simple quoted strings, `{}`/`[]`), which parses such a file many times faster than the
 * general yaml library. It returns undefined — and the caller uses the yaml library — for
 * anything outside that subset or any doubt: anchors, tags, block scalars, flow collections,
 * multi-line scalars, escapes, non-decimal or ambiguous numbers. Scalars resolve as the YAML 1.2
 * core schema does (the yaml library's default), and a differential test holds it to that.
 */

interface Line {
  indent: number;
  text: string;
}

/** Thrown inside the subset parsers for text they decline. */
export class Bail extends Error {}
export const bail = (): never => {
  throw new Bail();
};

const SPECIAL = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;

/** The documents of `text`, or undefined when the text is outside the fast subset. */
export function fastParseYaml(text: string): unknown[] | undefined {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) return undefined;
  try {
    const docs: unknown[] = [];
    for (const chunk of splitDocuments(text)) {
      const lines = toLines(chunk);
      if (lines.length === 0) {
        docs.push(null);
        continue;
      }
      const p = new BlockParser(lines);
      const v = p.block(lines[0].indent);
      if (p.pos !== lines.length) bail();
      docs.push(v);
    }
    return docs;
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

function splitDocuments(text: string): string[] {
  const raw = text.split('\n');
  const out: string[][] = [[]];
  let sawContent = false;
  for (const l of raw) {
    if (l.startsWith('%') || l.startsWith('...')) bail();
    if (/^---(\s|$)/.test(l)) {
      if (l.slice(3).trim() !== '' && !l.slice(3).trim().startsWith('#')) bail();
      if (sawContent || out.length > 1) out.push([]);
      sawContent = true;
      continue;
    }
    if (l.trim() !== '' && !l.trim().startsWith('#')) sawContent = true;
    out[out.length - 1].push(l);
  }
  return out.map((l) => l.join('\n'));
}

function toLines(chunk: string): Line[] {
  const lines: Line[] = [];
  for (const l of chunk.split('\n')) {
    const t = l.trimStart();
    if (t === '' || t.startsWith('#')) continue;
    lines.push({ indent: l.length - t.length, text: t.trimEnd() });
  }
  return lines;
}

class BlockParser {
  pos = 0;
  constructor(private readonly lines: Line[]) {}

  block(indent: number): unknown {
    const l = this.lines[this.pos];
    if (isDash(l.text)) return this.seq(indent);
    if (this.lines.length - this.pos === 1 && splitPair(l.text) === undefined) {
      this.pos++;
      return resolveScalar(l.text);
    }
    return this.map(indent);
  }

  private seq(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.indent < indent || (l.indent === indent && !isDash(l.text))) break;
      if (l.indent !== indent) bail();
      const rest = l.text.slice(1).trimStart();
      if (rest === '') {
        this.pos++;
        out.push(this.nested(indent, false));
      } else if (isDash(rest) || rest.startsWith('? ')) bail();
      else if (splitPair(rest)) {
        // `- key: value` opens a map whose keys sit at the column after the dash.
        this.lines[this.pos] = { indent: indent + (l.text.length - rest.length), text: rest };
        out.push(this.map(this.lines[this.pos].indent));
      } else {
        this.pos++;
        out.push(resolveScalar(rest));
        this.noContinuation(indent);
      }
    }
    return out;
  }

  private map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.indent < indent) break;
      if (l.indent > indent || isDash(l.text)) bail();
      const pair = splitPair(l.text) ?? bail();
      const [key, value] = pair;
      if (Object.hasOwn(out, key) || key === '__proto__') bail();
      this.pos++;
      if (value === '') out[key] = this.nested(indent, true);
      else {
        out[key] = resolveScalar(value);
        this.noContinuation(indent);
      }
    }
    return out;
  }

  /** The block value after `key:` or `-` with nothing on the line: deeper lines, a same-column list, or null. */
  private nested(indent: number, underKey: boolean): unknown {
    const next = this.lines[this.pos];
    if (!next) return null;
    if (next.indent > indent) return this.block(next.indent);
    if (underKey && next.indent === indent && isDash(next.text)) return this.seq(indent);
    return null;
  }

  /** A deeper line after a scalar would continue it (a multi-line plain scalar): not in the subset. */
  private noContinuation(indent: number): void {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) bail();
  }
}

function isDash(t: string): boolean {
  return t === '-' || t.startsWith('- ');
}

/** `key: value` → [key, value-text] (value '' when nothing follows); undefined when not a pair. */
function splitPair(t: string): [string, string] | undefined {
  if (t[0] === '"' || t[0] === "'") {
    const end = t.indexOf(t[0], 1);
    if (end < 0 || !/^:( |$)/.test(t.slice(end + 1))) return undefined;
    const key = t.slice(1, end);
    checkQuotedKey(key);
    return [key, valueText(t.slice(end + 2))];
  }
  const m = PLAIN_PAIR.exec(t);
  if (!m) return undefined;
  checkPlainKey(m[1]);
  return [m[1], valueText(t.slice(m[0].length))];
}

/** A plain key of the subset (what may start `key:`). */
export const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;
const PLAIN_PAIR = new RegExp(`^(${PLAIN_KEY.source.slice(1, -1)}):(?: |$)`);

/** Bails on a plain key that would resolve to something other than a string (a number, true, null…). */
export function checkPlainKey(key: string): void {
  if (/^[0-9.+-]/.test(key) || SPECIAL.test(key)) bail();
}

/** Bails on a quoted key's body with quotes, backslashes or control characters. */
export function checkQuotedKey(body: string): void {
  if (!/^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/.test(body)) bail();
}

function valueText(v: string): string {
  const t = v.trim();
  if (t.startsWith('"') || t.startsWith("'")) return t; // quoted: resolveScalar() checks what follows the closing quote
  const i = t.search(/(^|\s)#/);
  return (i < 0 ? t : t.slice(0, i)).trim();
}

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * Resolves one single-line scalar as the YAML 1.2 core schema does, or throws Bail (outside the
 * subset). `edit/fast-tree.ts` resolves its scalars with it too.
 */
export function resolveScalar(raw: string): unknown {
  const v = valueText(raw);
  if (v === '' || v === '~' || v === 'null' || v === 'Null' || v === 'NULL') return null;
  if (v === '{}') return {};
  if (v === '[]') return [];
  if (v[0] === '"') return quoted(v, '"');
  if (v[0] === "'") return quoted(v, "'");
  if (v === 'true' || v === 'True' || v === 'TRUE') return true;
  if (v === 'false' || v === 'False' || v === 'FALSE') return false;
  if (/^(0|-?[1-9][0-9]{0,14})$/.test(v)) return Number(v);
  if (INT.test(v) || FLOAT.test(v) || SPECIAL.test(v) || /^0[ox]/.test(v)) bail();
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(v) || /: |:$/.test(v)) bail();
  return v;
}

function quoted(v: string, q: string): string {
  const end = q === "'" ? closingSingle(v) : v.indexOf('"', 1);
  if (end < 0) bail();
  const after = v.slice(end + 1);
  if (after.trim() !== '' && !/^\s+#/.test(after)) bail(); // a comment needs a blank before its `#`
  const body = v.slice(1, end);
  if (q === '"') {
    if (body.includes('\\')) bail();
    return body;
  }
  return body.replace(/''/g, "'");
}

function closingSingle(v: string): number {
  for (let i = 1; i < v.length; i++) {
    if (v[i] !== "'") continue;
    if (v[i + 1] === "'") i++;
    else return i;
  }
  return -1;
}
