/**
 * Which objects a state file that cannot be read may define.
 *
 * Each document the YAML parser reads without an error is taken as the loader takes it
 * (./parse.ts, the yaml library with repeated keys read last-wins, as kubectl reads them): the
 * kind and metadata.name of the object it holds, or of each item of a List; a document that is a
 * string (a block scalar, however many `kind:` lines its text has), a list or a map without a
 * `kind` defines nothing. A file whose documents all parse is here only because an object in it is
 * invalid (a wrong field type): it defines exactly its objects, and an object whose name is not a
 * plain string may have any name its text mentions. So a `kind:` inside a block scalar, or in
 * another document, never speaks for a document it is not in.
 *
 * Only a document the parser cannot read is scanned as text, line by line. Per document (split on
 * `---` lines, as kubectl's YAML reader splits them: k8s.io/apimachinery pkg/util/yaml
 * `YAMLReader`): the top-level `kind:` (column 0) and the `name:` on the first indented level
 * under the top-level `metadata:`; JSON-ish `"kind"` and `"name"` keys count too. A word elsewhere
 * (a trigger's `name: hello:1.0`) defines nothing. Where the text is too damaged to find them, the
 * document may define any object of a kind it mentions with a name it mentions: refusing a write
 * is safe, a second copy is not. A file with conflict markers, or larger than the loader reads,
 * is scanned as text throughout.
 */
import { parseAllDocuments } from 'yaml';
import { isPlainObject, MAX_ALIAS_COUNT } from './parse.js';

/** True when the broken text may define the object `kind` "`name`". */
export type MayDefine = (kind: string, name: string) => boolean;

/** What one document may define; undefined where the text does not tell (then: any word it mentions). */
interface Scope {
  text: string;
  kinds?: Set<string>;
  names?: Set<string>;
}

const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(\s|$)/m;
const DOC_SEPARATOR = /^---(\s|$)/;
/** Larger texts are not parsed (the loader does not read them either: DEFAULT_MAX_FILE_BYTES). */
const MAX_PARSED_CHARS = 4 * 1024 * 1024;

export function mayDefine(raw: string): MayDefine {
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  // Conflict markers may move where a document starts or ends: the whole file is one unknown scope.
  const scopes = CONFLICT_MARKER.test(text)
    ? [{ text }]
    : text.length <= MAX_PARSED_CHARS
      ? parsedScopes(text)
      : documents(text).map(scopeOf);
  return (kind, name) =>
    scopes.some(
      (s) =>
        (s.kinds ? s.kinds.has(kind) : mentions(s.text, kind)) &&
        (s.names ? s.names.has(name) : mentions(s.text, name)),
    );
}

/** The scopes of each document as the YAML parser splits them; a document it cannot read is scanned as text. */
function parsedScopes(text: string): Scope[] {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(docs)) return [];
  const scopes: Scope[] = [];
  docs.forEach((doc, i) => {
    const docText = text.slice(doc.range[0], docs[i + 1]?.range[0] ?? text.length);
    let value: unknown;
    try {
      value = doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch {
      // An alias bomb or an alias to nothing: the text tells what it can.
      value = undefined;
    }
    if (doc.errors.length > 0 || value === undefined) {
      scopes.push(...documents(docText).map(scopeOf));
      return;
    }
    // Without apiVersion the loader skips a document; it counts here all the same, since the fix
    // the file waits for may well be that line.
    const isObject = (v: unknown): v is { kind: string; metadata?: unknown; items?: unknown } =>
      isPlainObject(v) && typeof v.kind === 'string';
    const objects =
      isObject(value) && value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : [value];
    for (const o of objects) {
      if (!isObject(o)) continue;
      const name = (o.metadata as { name?: unknown } | undefined)?.name;
      scopes.push({
        text: docText,
        kinds: new Set([o.kind]),
        ...(typeof name === 'string' && name !== '' ? { names: new Set([name]) } : {}),
      });
    }
  });
  return scopes;
}

function documents(text: string): string[] {
  const docs: string[] = [];
  let current: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (DOC_SEPARATOR.test(line)) {
      docs.push(current.join('\n'));
      // Content after the marker (`--- {kind: …}`) belongs to the document; it is kept as text.
      current = [line.slice(3)];
    } else current.push(line);
  }
  docs.push(current.join('\n'));
  return docs;
}

const significant = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');

function scopeOf(text: string): Scope {
  const lines = text.split('\n').filter(significant);
  if (lines.length === 0) return { text, kinds: new Set(), names: new Set() };
  const first = lines[0].trimStart();
  if (first.startsWith('{')) return jsonScope(text);
  if (lines[0] !== first) return { text };
  const kinds = new Set<string>();
  const names = new Set<string>();
  let kindKnown = true;
  let namesKnown = true;
  let sawKind = false;
  let sawMetadata = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s/.test(line)) continue;
    // A complex or merged key, or a directive: the top-level keys are not plain lines.
    if (/^(\?|<<\s*:|"<<"|'<<'|%)/.test(line)) return { text };
    const key = keyValue(line);
    if (!key) continue;
    if (key.key === 'kind') {
      sawKind = true;
      const v = scalar(key.value);
      if (v === undefined) kindKnown = false;
      else kinds.add(v);
    } else if (key.key === 'metadata') {
      sawMetadata = true;
      const found = metadataNames(key.value, lines, i + 1);
      if (found === undefined) namesKnown = false;
      else for (const n of found) names.add(n);
    }
  }
  // A List's objects are in `items`, below the top level.
  if ([...kinds].some((k) => k.endsWith('List'))) return { text };
  return {
    text,
    ...(sawKind && kindKnown ? { kinds } : {}),
    ...(sawMetadata && namesKnown ? { names } : {}),
  };
}

/** The names on the first indented level under `metadata:`; undefined when that block is damaged or not plain. */
function metadataNames(inline: string, lines: string[], from: number): string[] | undefined {
  const value = stripComment(inline).trim();
  if (value !== '') return flowNames(value);
  const names: string[] = [];
  let indent: string | undefined;
  for (let i = from; i < lines.length && /^\s/.test(lines[i]); i++) {
    const lead = /^\s*/.exec(lines[i])![0];
    if (lead.includes('\t')) return undefined;
    indent ??= lead;
    if (lead.length < indent.length) return undefined;
    if (lead.length > indent.length) continue;
    const kv = keyValue(lines[i].slice(lead.length));
    if (!kv) {
      if (lines[i].trimStart().startsWith('-')) return undefined;
      continue;
    }
    if (kv.key === '<<') return undefined;
    if (kv.key !== 'name') continue;
    const v = scalar(kv.value);
    if (v === undefined) return undefined;
    names.push(v);
  }
  return names.length > 0 ? names : undefined;
}

/** `{name: hello, namespace: x}` on the metadata line; undefined for anything less plain. */
function flowNames(value: string): string[] | undefined {
  const m = /^\{([^{}[\]]*)\}$/.exec(value);
  if (!m) return undefined;
  const names: string[] = [];
  for (const part of m[1].split(',')) {
    const kv = keyValue(part.trim());
    if (kv?.key !== 'name') continue;
    const v = scalar(kv.value);
    if (v === undefined) return undefined;
    names.push(v);
  }
  return names.length > 0 ? names : undefined;
}

function keyValue(line: string): { key: string; value: string } | undefined {
  const m = /^(?:"([^"\\]*)"|'([^']*)'|([A-Za-z0-9_<][A-Za-z0-9_.<-]*))\s*:(?:\s+(.*)|$)/.exec(line);
  if (!m) return undefined;
  return { key: m[1] ?? m[2] ?? m[3], value: m[4] ?? '' };
}

function stripComment(value: string): string {
  return /^["']/.test(value.trim()) ? value : value.replace(/(^|\s)#.*$/, '');
}

/** A plain or quoted scalar; undefined for an alias, a block scalar, a flow collection or nothing. */
function scalar(raw: string): string | undefined {
  let v = raw.trim();
  // A tag or an anchor before the value does not change it.
  while (/^[!&]\S*\s/.test(v)) v = v.replace(/^[!&]\S*\s+/, '');
  const dq = /^"([^"\\]*)"\s*(#.*)?$/.exec(v);
  if (dq) return dq[1];
  const sq = /^'([^']*)'\s*(#.*)?$/.exec(v);
  if (sq) return sq[1];
  v = stripComment(v).trim();
  if (v === '' || /^[*|>{[!&"'@`%]/.test(v)) return undefined;
  return v;
}

/**
 * JSON (or a JSON-ish flow mapping with quoted keys): `"kind"` one level deep and `"name"` in the
 * top-level `"metadata"` object, by counting braces outside strings. Unbalanced text tells nothing.
 */
function jsonScope(text: string): Scope {
  const kinds = new Set<string>();
  const names = new Set<string>();
  let depth = 0;
  let metadataDepth = -1;
  let pendingKey: string | undefined;
  let keyDepth = 0;
  let i = 0;
  const unknown = { text };
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\n') return unknown;
        if (text[j] === '\\') {
          s += text.slice(j, j + 2);
          j += 2;
        } else s += text[j++];
      }
      if (j >= text.length) return unknown;
      const after = text.slice(j + 1).match(/^\s*:/);
      if (after) {
        pendingKey = s;
        keyDepth = depth;
        i = j + 1 + after[0].length;
        continue;
      }
      if (pendingKey !== undefined) {
        if (s.includes('\\')) return unknown;
        if (pendingKey === 'kind' && keyDepth === 1) kinds.add(s);
        if (pendingKey === 'name' && metadataDepth !== -1 && keyDepth === metadataDepth) names.add(s);
      }
      pendingKey = undefined;
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      depth++;
      if (c === '{' && pendingKey === 'metadata' && keyDepth === 1) metadataDepth = depth;
      pendingKey = undefined;
    } else if (c === '}' || c === ']') {
      if (depth === metadataDepth) metadataDepth = -1;
      depth--;
      if (depth < 0) return unknown;
    } else if (!/\s/.test(c) && c !== ',' && pendingKey !== undefined) {
      // A value that is not a string (a number, null, an alias): the key tells nothing here.
      if (pendingKey === 'kind' && keyDepth === 1) return unknown;
      if (pendingKey === 'name' && keyDepth === metadataDepth) return unknown;
      pendingKey = undefined;
    }
    i++;
  }
  if (depth !== 0 || kinds.size === 0) return unknown;
  if ([...kinds].some((k) => k.endsWith('List'))) return unknown;
  return names.size > 0 ? { text, kinds, names } : { text, kinds };
}

/** True when `word` appears in `text` as a whole word (not inside a longer name). */
export function mentions(text: string, word: string): boolean {
  if (!word) return false;
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_.-])`, 'm').test(text);
}
