/**
 * Pure parsing of one state file into Kubernetes objects (no I/O). Multi-document YAML,
 * `kind: List` / `*List` documents (objects in `items`) and JSON are understood; documents that
 * are not Kubernetes objects (no `apiVersion`/`kind`) are ignored, as `kubectl apply -f` would
 * refuse them but a folder of mixed YAML must still load.
 */
import { isMap, isScalar, LineCounter, parseAllDocuments, visit } from 'yaml';
import type { Document } from 'yaml';
import { StateFileError } from '../domain/errors.js';
import type { KubeObject } from '../domain/types.js';
import type { ObjectLocation } from './types.js';
import { fastParseYaml } from './fastyaml.js';
import { structuralProblems } from './structure.js';
import { jsonSyntaxErrorAt } from '../domain/json-syntax.js';

/** Aliases allowed per document; more is treated as an alias bomb ("billion laughs"). */
export const MAX_ALIAS_COUNT = 100;

/** An object found in a file, with where it came from. */
export interface ParsedObject {
  object: KubeObject;
  location: ObjectLocation;
}

/** The result of parsing one file: its objects, and problems that make it read-only. */
export interface ParsedFile {
  path: string;
  objects: ParsedObject[];
  problems: StateFileError[];
  /** Things read the lenient way, as kubectl reads them (a repeated key: the last one wins). */
  warnings?: StateFileError[];
  /** Why the file is read but never rewritten (repeated keys, bytes that are not UTF-8). */
  readOnly?: StateFileError;
  /** True when the general (slow) YAML parser was needed: worth caching. */
  slow?: boolean;
}

/** The byte order mark some editors put first; it is not part of the YAML or JSON text. */
export const BOM = '\uFEFF';

/** True when `v` is a plain JSON object (not an array, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a document that declares itself a Kubernetes object. */
export function isKubeObject(v: unknown): v is KubeObject {
  return isPlainObject(v) && typeof v.kind === 'string' && typeof v.apiVersion === 'string';
}

/** True for a List document (`kind: List`, `ImageStreamList`, …) whose objects are in `items`. */
export function isListDocument(v: unknown): v is KubeObject & { items: unknown[] } {
  return isKubeObject(v) && (v.kind as string).endsWith('List') && Array.isArray(v.items);
}

/** Parses the text of `path` (relative to the state folder) into objects and problems. */
export function parseStateFile(path: string, withBom: string): ParsedFile {
  const text = withBom.startsWith(BOM) ? withBom.slice(1) : withBom;
  const json = /\.json$/i.test(path);
  const fast = json ? undefined : fastParseYaml(text);
  const repeated: RepeatedKey[] = [];
  const values = json ? parseJson(path, text) : (fast ?? parseYaml(path, text, repeated));
  if (values instanceof StateFileError) return { path, objects: [], problems: [values] };
  const objects: ParsedObject[] = [];
  const problems: StateFileError[] = [];
  values.forEach((doc, document) => {
    if (isListDocument(doc)) {
      doc.items.forEach((item, i) => collect(item, { file: path, document, item: i }, ['items', i]));
    } else collect(doc, { file: path, document }, []);
  });
  function collect(value: unknown, location: ObjectLocation, prefix: (string | number)[]): void {
    if (!isKubeObject(value)) return;
    const found = structuralProblems(value);
    if (found.length === 0) {
      objects.push({ object: value, location });
      return;
    }
    const name = typeof value.metadata?.name === 'string' ? value.metadata.name : '';
    const detail = found.map((p) => `${p.field}: ${p.message}`).join(', ');
    const pos = positionOf(text, location.document, [...prefix, ...fieldPath(found[0].field)]);
    problems.push(
      new StateFileError(
        path,
        `The ${value.kind} "${name}" is invalid: ${detail}`,
        pos,
        'fix the field in the file; isctl will not rewrite this file until it is valid',
      ),
    );
  }
  const result: ParsedFile = { path, objects, problems, slow: !json && !fast };
  if (repeated.length > 0) {
    result.warnings = repeated.map(
      (r) => new StateFileError(path, `key "${r.key}" already set in map; the last one is used, as kubectl does`, r.at),
    );
    const first = repeated[0];
    result.readOnly = new StateFileError(
      path,
      `repeats the key "${first.key}"; isctl reads the last one but never rewrites a file that repeats a key`,
      first.at,
      'remove the repeated key (kubectl uses the last one too), then run the command again',
    );
  }
  return result;
}

/** A key repeated in one map, after its first occurrence. */
interface RepeatedKey {
  key: string;
  at?: { line: number; column: number };
}

/**
 * Keys repeated in one map: kubectl's YAML reader (sigs.k8s.io/yaml over go-yaml v2) keeps the
 * last value without an error, and the API server's strict field validation warns "key …
 * already set in map"; isctl reads them the same way and says so.
 */
function repeatedKeys(doc: Document, lineCounter: LineCounter): RepeatedKey[] {
  const out: RepeatedKey[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || key.value === '<<') continue;
        const name = String(key.value);
        if (seen.has(name)) {
          const pos = key.range ? lineCounter.linePos(key.range[0]) : undefined;
          out.push({ key: name, ...(pos ? { at: { line: pos.line, column: pos.col } } : {}) });
        }
        seen.add(name);
      }
    },
  });
  return out;
}

function parseYaml(path: string, text: string, repeated: RepeatedKey[]): unknown[] | StateFileError {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  const values: unknown[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const at = err.linePos?.[0];
      return new StateFileError(
        path,
        `YAML syntax error: ${firstLine(err.message)}`,
        at && { line: at.line, column: at.col },
        'fix the syntax; isctl never rewrites a file it cannot parse',
      );
    }
    repeated.push(...repeatedKeys(doc, lineCounter));
    try {
      values.push(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
    } catch (e) {
      const msg = (e as Error).message;
      const bomb = /alias/i.test(msg);
      return new StateFileError(
        path,
        bomb ? `refused: more than ${MAX_ALIAS_COUNT} YAML alias expansions (possible alias bomb)` : msg,
        undefined,
        bomb ? 'expand the aliases by hand or remove them' : undefined,
      );
    }
  }
  return values;
}

function parseJson(path: string, text: string): unknown[] | StateFileError {
  try {
    return text.trim() === '' ? [] : [JSON.parse(text)];
  } catch {
    // V8's message quotes the text around the error (a Secret's data, perhaps): only the position is told.
    const at = jsonSyntaxErrorAt(text) ?? lineColumn(text, text.length);
    const end = at.line === lineColumn(text, text.length).line && at.column === lineColumn(text, text.length).column;
    return new StateFileError(
      path,
      `JSON syntax error: ${end ? 'unexpected end of the file' : 'unexpected character'}`,
      at,
      'fix the syntax; isctl never rewrites a file it cannot parse',
    );
  }
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Splits `spec.tags[2].from.name` into path segments. */
function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/** Line and column of the node at `segments` (or its nearest existing parent) for messages. */
function positionOf(
  text: string,
  document: number,
  segments: (string | number)[],
): { line: number; column: number } | undefined {
  const docs = parseAllDocuments(text);
  const doc = Array.isArray(docs) ? docs[document] : undefined;
  if (!doc) return undefined;
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineColumn(text, range[0]);
  }
  return undefined;
}
