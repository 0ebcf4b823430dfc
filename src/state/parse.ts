/**
 * Pure parsing of one state file into Kubernetes objects (no I/O). Multi-document YAML,
 * `kind: List` / `*List` documents (objects in `items`) and JSON are understood; documents that
 * are not Kubernetes objects (no `apiVersion`/`kind`) are ignored, as `kubectl apply -f` would
 * refuse them but a folder of mixed YAML must still load.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
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
  /** True when the general (slow) YAML parser was needed: worth caching. */
  slow?: boolean;
}

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
export function parseStateFile(path: string, text: string): ParsedFile {
  const json = /\.json$/i.test(path);
  const fast = json ? undefined : fastParseYaml(text);
  const values = json ? parseJson(path, text) : (fast ?? parseYaml(path, text));
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
  return { path, objects, problems, slow: !json && !fast };
}

function parseYaml(path: string, text: string): unknown[] | StateFileError {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
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
