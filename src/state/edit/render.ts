/**
 * Rendering of new YAML/JSON fragments (a value, a map entry, a sequence item) in the style of
 * the file they are inserted into. Strings that YAML 1.1 readers (go-yaml in oc/kubectl) would
 * take for booleans, numbers or timestamps are quoted, as `oc get -o yaml` does.
 */
import { Document, stringify } from 'yaml';
import type { FileStyle } from './style.js';

function yamlOptions(style: FileStyle) {
  return {
    version: '1.1' as const,
    lineWidth: 0,
    minContentWidth: 0,
    indent: style.unit.length,
    indentSeq: style.indentSeq,
  };
}

/** Prefixes every line but the first with `indent` and converts line endings. */
export function indentLines(text: string, indent: string, eol: string): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 || l === '' ? l : indent + l))
    .join(eol);
}

/** Block YAML for `value` (a map's entries, a list's items), each line at `indent`, no final newline. */
export function renderYamlBlock(value: unknown, indent: string, style: FileStyle): string {
  const text = plainBlock(value, style) ?? stringify(value, yamlOptions(style)).replace(/\n$/, '');
  return indent + indentLines(text, indent, style.eol);
}

/**
 * What `stringify(value, yamlOptions(style))` gives for plain data — maps, lists, integers,
 * booleans, null and one-line printable ASCII strings without quotes or backslashes — written
 * directly: the library builds a node tree and runs its general stringifier for every value, which
 * made rendering the status of a cold refresh a quarter of its time after the last answer. The
 * same rules: keys in insertion order, undefined values left out, `{}` and `[]` for empty ones,
 * nested maps one unit in, lists `unit - 2` in (or `unit` with indentSeq) with their items' content
 * after `- `, and a string plain unless yaml's plainString would quote it (an indicator first, a
 * `:` last, or a YAML 1.1 reading as another type, tested with the library's own 1.1 schema tags),
 * then in double quotes. Anything else: undefined, and the library renders it
 * (test/state/render.test.ts compares both over generated values).
 */
export function plainBlock(value: unknown, style: FileStyle): string | undefined {
  const unit = style.unit.length;
  const out: string[] = [];
  const ok = Array.isArray(value)
    ? plainSeq(value, 0, unit, style.indentSeq, out)
    : isPlainObject(value) && plainMap(value, 0, unit, style.indentSeq, out);
  return ok && out.length > 0 ? out.join('\n') : undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The inline text of a value that is not a non-empty collection, or undefined. */
function plainInline(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : undefined;
  if (typeof v === 'string') return plainString(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
  if (isPlainObject(v)) return Object.values(v).every((x) => x === undefined) ? '{}' : undefined;
  return undefined;
}

const SAFE_STRING = /^[\x21-\x7e]+$/;
/** yaml's plainString: where a one-line string without spaces may not be plain. */
const NOT_PLAIN = /^[,[\]{}#&*!|>'"%@`]|^[?-]$|:$/;
let yaml11Tests: RegExp[] | undefined;

/** A string as yaml 1.1 stringify writes it (plain or double-quoted), or undefined beyond the simple cases. */
function plainString(s: string): string | undefined {
  if (!SAFE_STRING.test(s) || s.includes('"') || s.includes("'") || s.includes('\\')) return undefined;
  // Document markers, and the merge and value keys, which the library treats apart.
  if (s.startsWith('---') || s.startsWith('...') || s === '<<' || s === '=') return undefined;
  if (NOT_PLAIN.test(s)) return `"${s}"`;
  yaml11Tests ??= yaml11TypeTests();
  return yaml11Tests.some((t) => t.test(s)) ? `"${s}"` : s;
}

/** The tests by which YAML 1.1 reads a plain scalar as another type than a string (the library's own). */
function yaml11TypeTests(): RegExp[] {
  const schema = new Document(null, { version: '1.1' }).schema as unknown as {
    tags: { default?: boolean; tag: string; test?: RegExp }[];
    compat?: { default?: boolean; tag: string; test?: RegExp }[] | null;
  };
  return [...schema.tags, ...(schema.compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test instanceof RegExp)
    .map((t) => t.test!);
}

function plainKey(k: string): string | undefined {
  return k.length > 0 && k.length <= 1024 ? plainString(k) : undefined;
}

function plainMap(m: Record<string, unknown>, col: number, unit: number, indentSeq: boolean, out: string[]): boolean {
  const pad = ' '.repeat(col);
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    const key = plainKey(k);
    if (key === undefined) return false;
    const inline = plainInline(v);
    if (inline !== undefined) {
      out.push(`${pad}${key}: ${inline}`);
      continue;
    }
    out.push(`${pad}${key}:`);
    if (Array.isArray(v)) {
      if (!plainSeq(v, col + (indentSeq ? unit : Math.max(0, unit - 2)), unit, indentSeq, out)) return false;
    } else if (!isPlainObject(v) || !plainMap(v, col + unit, unit, indentSeq, out)) return false;
  }
  return true;
}

function plainSeq(a: unknown[], col: number, unit: number, indentSeq: boolean, out: string[]): boolean {
  const pad = ' '.repeat(col);
  for (const v of a) {
    if (v === undefined) return false;
    const inline = plainInline(v);
    if (inline !== undefined) {
      out.push(`${pad}- ${inline}`);
      continue;
    }
    const first = out.length;
    const done = Array.isArray(v)
      ? plainSeq(v, col + 2, unit, indentSeq, out)
      : isPlainObject(v) && plainMap(v, col + 2, unit, indentSeq, out);
    if (!done || out.length === first) return false;
    out[first] = `${pad}- ${out[first].slice(col + 2)}`;
  }
  return true;
}

/** A one-line YAML scalar for `value` in block context, keeping the original quoting style when possible. */
export function renderYamlScalar(value: unknown, quote?: 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | string): string {
  if (typeof value !== 'string') return value === undefined ? 'null' : JSON.stringify(value);
  if (quote === 'QUOTE_DOUBLE' || /[\n\r\t\x00-\x1f\x7f]/.test(value)) return JSON.stringify(value);
  if (quote === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return stringify(value, { version: '1.1', lineWidth: 0 }).replace(/\n$/, '');
}

/** A YAML scalar safe inside a flow collection (no `,[]{}` unquoted). */
export function renderYamlFlowScalar(value: unknown, quote?: string): string {
  const s = renderYamlScalar(value, quote);
  return typeof value === 'string' && !/^["']/.test(s) && /[,[\]{}]/.test(s) ? JSON.stringify(value) : s;
}

/** Flow text for `value`: JSON (pretty, lines after the first at `indent`) or compact flow YAML. */
export function renderFlow(value: unknown, indent: string, style: FileStyle, multiline: boolean): string {
  if (style.json)
    return multiline ? indentLines(JSON.stringify(value, null, style.unit), indent, style.eol) : compactJson(value);
  return compactFlowYaml(value);
}

/** JSON on one line with `: ` and `, ` separators, as people write small literals. */
export function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Flow YAML on one line (`{a: b, c: [d]}`). */
export function compactFlowYaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactFlowYaml).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${renderYamlFlowScalar(k)}: ${compactFlowYaml(v)}`)
      .join(', ')}}`;
  }
  return renderYamlFlowScalar(value);
}

/** A map key in the file's syntax. */
export function renderKey(key: string, style: FileStyle, flow: boolean): string {
  if (style.json) return JSON.stringify(key);
  return flow ? renderYamlFlowScalar(key) : renderYamlScalar(key);
}
