/**
 * The node tree an edit needs, built without the yaml library's general parser for the plain
 * block YAML isctl and oc write (`key: value`, `- item`, simple quoted strings, `{}`/`[]`, no
 * comments). The general parse is most of an edit's cost (a 20 kB ImageStream takes it about
 * 10 ms; this takes well under one); for anything else — comments, anchors, tags, block or
 * multi-line scalars, flow collections with content, tabs, CR, directives, empty documents, any
 * doubt — it returns undefined and the caller parses with the yaml library.
 *
 * The nodes are the yaml library's own classes (Document, YAMLMap, YAMLSeq, Pair, Scalar) with
 * the fields the editor reads set exactly as the library's composer sets them: `range`
 * ([start, value end, node end]), `flow`, a scalar's `value` and `type`, a document's
 * `range[0]` and `contents`; `treeValues` gives the documents' values from it, so a file the
 * fast tree takes is read once. test/state/fast-tree.test.ts holds both to the library on
 * generated text and on the corpus. The key and scalar rules are fastyaml.ts's own.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Node } from 'yaml';
import { Bail, PLAIN_KEY, bail, checkPlainKey, checkQuotedKey, resolveScalar } from '../fastyaml.js';

interface Line {
  /** Offset of the first character that is not a space. */
  at: number;
  /** Column of `at`. */
  indent: number;
  /** End of the line's content, trailing spaces excluded. */
  end: number;
  /** Offset of the line's `\n`, or the text's length on a last line without one. */
  eol: number;
}

type Range = [number, number, number];

/** The documents of `text` as the yaml library would compose them, or undefined outside the subset. */
export function fastEditTree(text: string): Document[] | undefined {
  if (/[\t\r#\ufeff]/.test(text)) return undefined;
  try {
    return documents(text);
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

function documents(text: string): Document[] {
  const docs: Document[] = [];
  let lines: Line[] = [];
  let start = -1; // where the current document starts: its `---`, else its first content line
  const finish = (end: number) => {
    if (lines.length === 0) bail(); // an empty document: rare, and its ranges are the library's own business
    const doc = new Document();
    const p = new TreeBuilder(text, lines);
    doc.contents = p.block(lines[0].indent) as never;
    if (p.pos !== lines.length) bail();
    const r = rangeOf(doc.contents);
    doc.range = [start, r[1], end];
    docs.push(doc);
    lines = [];
  };
  for (let pos = 0; pos <= text.length; ) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    let at = pos;
    while (at < eol && text.charCodeAt(at) === 32) at++;
    let end = eol;
    while (end > at && text.charCodeAt(end - 1) === 32) end--;
    if (at < end) {
      const c = text.charCodeAt(pos);
      if (at === pos && (c === 0x25 /* % */ || text.startsWith('...', pos))) bail();
      if (at === pos && text.startsWith('---', pos) && (end - pos === 3 || text.charCodeAt(pos + 3) === 32)) {
        if (end - pos !== 3) bail(); // content after the marker
        if (start >= 0) finish(pos);
        start = pos;
      } else {
        if (start < 0) start = at;
        lines.push({ at, indent: at - pos, end, eol });
      }
    }
    pos = eol + 1;
  }
  if (start >= 0) finish(text.length);
  if (docs.length === 0) bail();
  return docs;
}

/**
 * The documents' values as the library's `toJS` gives them (YAML 1.2 core schema, no merge keys),
 * or undefined for a key the loader never takes as a plain property (`__proto__`).
 */
export function treeValues(docs: readonly Document[]): unknown[] | undefined {
  try {
    return docs.map((d) => jsValue(d.contents));
  } catch (e) {
    if (e instanceof Bail) return undefined;
    throw e;
  }
}

function jsValue(node: unknown): unknown {
  if (node instanceof Scalar) return node.value;
  if (node instanceof YAMLSeq) return node.items.map(jsValue);
  if (node instanceof YAMLMap) {
    const out: Record<string, unknown> = {};
    for (const p of node.items as Pair<Scalar, unknown>[]) {
      const k = p.key.value as string;
      if (k === '__proto__') bail();
      out[k] = jsValue(p.value);
    }
    return out;
  }
  return bail();
}

function rangeOf(node: unknown): Range {
  return (node as { range: Range }).range;
}

function isDash(text: string, l: Line): boolean {
  return text.charCodeAt(l.at) === 0x2d /* - */ && (l.end === l.at + 1 || text.charCodeAt(l.at + 1) === 32);
}

class TreeBuilder {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly lines: Line[],
  ) {}

  block(indent: number): Node {
    const l = this.lines[this.pos];
    if (isDash(this.text, l)) return this.seq(indent);
    if (this.keyEnd(l) < 0) bail(); // a document or block that is one scalar: left to the library
    return this.map(indent);
  }

  private seq(indent: number): YAMLSeq {
    const seq = new YAMLSeq();
    const first = this.lines[this.pos].at;
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.indent < indent || (l.indent === indent && !isDash(this.text, l))) break;
      if (l.indent !== indent) bail();
      let rest = l.at + 1;
      while (rest < l.end && this.text.charCodeAt(rest) === 32) rest++;
      if (rest === l.end) {
        this.pos++;
        seq.items.push(this.nested(indent, false, l));
        continue;
      }
      const c = this.text.charCodeAt(rest);
      if (c === 0x3f /* ? */ || (c === 0x2d && (rest + 1 === l.end || this.text.charCodeAt(rest + 1) === 32))) bail();
      const inner: Line = { at: rest, indent: indent + (rest - l.at), end: l.end, eol: l.eol };
      if (this.keyEnd(inner) >= 0) {
        // `- key: value` opens a map whose keys sit at the column after the dash.
        this.lines[this.pos] = inner;
        seq.items.push(this.map(inner.indent));
      } else {
        this.pos++;
        seq.items.push(this.value(rest, l));
        this.noContinuation(indent);
      }
    }
    seq.range = [first, this.lastEnd(seq.items), this.lastEnd(seq.items)];
    return seq;
  }

  private map(indent: number): YAMLMap {
    const map = new YAMLMap();
    const first = this.lines[this.pos].at;
    const seen = new Set<string>();
    while (this.pos < this.lines.length) {
      const l = this.lines[this.pos];
      if (l.indent < indent) break;
      if (l.indent > indent || isDash(this.text, l)) bail();
      const colon = this.keyEnd(l);
      if (colon < 0) bail();
      const key = this.key(l.at, colon);
      if (seen.has(key.value as string)) bail();
      seen.add(key.value as string);
      let v = colon + 1;
      while (v < l.end && this.text.charCodeAt(v) === 32) v++;
      this.pos++;
      let value: Node;
      if (v >= l.end) value = this.nested(indent, true, l);
      else {
        value = this.value(v, l);
        this.noContinuation(indent);
      }
      map.items.push(new Pair(key, value));
    }
    const last = map.items[map.items.length - 1] as Pair<Node, Node>;
    map.range = [first, rangeOf(last.value)[2], rangeOf(last.value)[2]];
    return map;
  }

  /** Offset of the `:` that ends the key at the start of `l`, or -1 when the line is not `key:`. */
  private keyEnd(l: Line): number {
    const t = this.text;
    const q = t.charCodeAt(l.at);
    let colon: number;
    if (q === 0x22 || q === 0x27) {
      const close = t.indexOf(t[l.at], l.at + 1);
      if (close < 0 || close >= l.end) return -1;
      colon = close + 1;
    } else {
      colon = t.indexOf(':', l.at);
      if (colon < 0 || colon >= l.end) return -1;
      if (!PLAIN_KEY.test(t.slice(l.at, colon))) return -1;
    }
    if (t.charCodeAt(colon) !== 0x3a || (colon + 1 < l.end && t.charCodeAt(colon + 1) !== 32)) return -1;
    return colon;
  }

  private key(at: number, colon: number): Scalar {
    const raw = this.text.slice(at, colon);
    const q = raw[0];
    let key: Scalar;
    if (q === '"' || q === "'") {
      const body = raw.slice(1, -1);
      checkQuotedKey(body);
      key = new Scalar(body);
      key.type = q === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
    } else {
      checkPlainKey(raw);
      key = new Scalar(raw);
      key.type = Scalar.PLAIN;
    }
    key.range = [at, colon, colon];
    return key;
  }

  /** The value written on line `l` from offset `at` to the line's end. */
  private value(at: number, l: Line): Node {
    const raw = this.text.slice(at, l.end);
    const end2 = l.eol < this.text.length ? l.eol + 1 : l.eol;
    const range: Range = [at, l.end, end2];
    if (raw === '{}' || raw === '[]') {
      const c = raw === '{}' ? new YAMLMap() : new YAMLSeq();
      c.flow = true;
      c.range = range;
      return c;
    }
    const value = resolveScalar(raw);
    if (typeof value === 'object' && value !== null) bail(); // a flow collection spelled another way
    const s = new Scalar(value);
    s.type = raw[0] === '"' ? Scalar.QUOTE_DOUBLE : raw[0] === "'" ? Scalar.QUOTE_SINGLE : Scalar.PLAIN;
    s.range = range;
    return s;
  }

  /** The block value after `key:` or `-` with nothing on the line: deeper lines, a same-column list, or null. */
  private nested(indent: number, underKey: boolean, l: Line): Node {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) return this.block(next.indent);
    if (next && underKey && next.indent === indent && isDash(this.text, next)) return this.seq(indent);
    // An empty value sits at the end of its line (after any trailing spaces), as the library puts it.
    const s = new Scalar(null);
    s.type = Scalar.PLAIN;
    s.range = [l.eol, l.eol, l.eol];
    return s;
  }

  /** A deeper line after a scalar would continue it (a multi-line plain scalar): not in the subset. */
  private noContinuation(indent: number): void {
    const next = this.lines[this.pos];
    if (next && next.indent > indent) bail();
  }

  private lastEnd(items: unknown[]): number {
    if (items.length === 0) bail();
    return rangeOf(items[items.length - 1])[2];
  }
}
