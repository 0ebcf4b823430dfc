/**
 * Surgical editing of one whole file: each changed document is edited in place by the
 * TreeEditor, removed documents are cut out with their `---` line, new documents are appended.
 * The result is parsed again and compared with what was asked for; if the splices did not
 * produce exactly that (an exotic construct such as anchors), the affected document is
 * re-rendered as a whole rather than writing something wrong.
 */
import { parseAllDocuments } from 'yaml';
import type { Document, Node } from 'yaml';
import { fastParseYaml } from '../fastyaml.js';
import { MAX_ALIAS_COUNT } from '../parse.js';
import { TreeEditor } from './editor.js';
import { jsonEqual } from './equal.js';
import { renderYamlBlock } from './render.js';
import { SpliceList, lineStart, trimEnd } from './splice.js';
import { detectJsonStyle, detectYamlStyle } from './style.js';
import type { FileStyle } from './style.js';

/** A document (or one `items` entry of a List document) to rewrite to `after`, or remove (`after` undefined). */
export interface DocumentUpdate {
  document: number;
  item?: number;
  after: unknown;
  /** What the object was when loaded; the edit is refused if the file now says otherwise. */
  before?: unknown;
}

/** Thrown when a file cannot be edited (it no longer parses the way it did when loaded). */
export class EditError extends Error {}

interface Parsed {
  docs: Document[];
  values: unknown[];
  style: FileStyle;
}

function parse(text: string, json: boolean): Parsed {
  const docs = parseAllDocuments(text) as Document[];
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) throw new EditError('file does not parse');
  const fast = json ? undefined : fastParseYaml(text);
  // Values as the loader saw them: JSON.parse for JSON, the fast path when it applies.
  const values = json
    ? [parseJson(text)]
    : fast && fast.length === docs.length
      ? fast
      : docs.map((d) => d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  return { docs, values, style: json ? detectJsonStyle(text) : detectYamlStyle(text, docs) };
}

/** The new text of a file after `updates` and `appended` documents, or null when nothing is left in it. */
export function editFileText(
  path: string,
  text: string,
  updates: DocumentUpdate[],
  appended: unknown[] = [],
  options: { noFallback?: boolean } = {},
): string | null {
  const json = /\.json$/i.test(path);
  const p = parse(text, json);
  checkUnchanged(p.values, updates);
  updates = mergeItemUpdates(p.values, updates);
  const removed = new Set(updates.filter((u) => u.after === undefined).map((u) => u.document));
  const expected = p.values.map((v, i) =>
    removed.has(i) ? undefined : (updates.find((u) => u.document === i)?.after ?? v),
  );
  const want = [...expected.filter((v) => v !== undefined && v !== null), ...appended];
  if (want.length === 0) return null;
  if (json && (appended.length > 0 || want.length !== 1)) throw new EditError('a JSON file holds exactly one document');
  let out: string | undefined;
  try {
    const splices = new SpliceList(text);
    const editor = new TreeEditor(text, p.style, splices);
    for (const u of updates) {
      if (u.after === undefined) removeDocument(splices, text, p.docs, u.document);
      else
        editor.editValue(p.docs[u.document].contents as Node, p.values[u.document], u.after, {
          kind: 'root',
          flow: json,
          multiline: true,
        });
    }
    out = splices.apply() + appended.map((v) => appendText(text, v, p.style)).join('');
  } catch (err) {
    if (options.noFallback) throw err; // an editor bug; without the option the fallback below covers it
  }
  if (out === undefined || !matches(out, json, want)) {
    if (options.noFallback) throw new EditError(`surgical edit of ${path} did not produce the wanted documents`);
    out = rerender(text, p, updates, removed, appended, json);
  }
  if (!matches(out, json, want)) throw new EditError(`could not edit ${path} safely`);
  return out;
}

function matches(text: string, json: boolean, want: unknown[]): boolean {
  try {
    const values = json ? [JSON.parse(text)] : (fastParseYaml(text) ?? parse(text, json).values);
    const got = values.filter((v) => v !== undefined && v !== null);
    return jsonEqual(got, want);
  } catch {
    return false;
  }
}

function appendText(original: string, value: unknown, style: FileStyle): string {
  const sep = original.trim() === '' ? '' : `${original.endsWith('\n') ? '' : style.eol}---${style.eol}`;
  return sep + renderYamlBlock(value, '', style) + style.eol;
}

/** Cuts document `i` out, with its `---` marker, keeping the comments that head the file. */
function removeDocument(splices: SpliceList, text: string, docs: Document[], i: number): void {
  const start = i === 0 ? firstDocumentStart(text, docs[0]) : docStart(docs[i]);
  const end = i + 1 < docs.length ? docStart(docs[i + 1]) : text.length;
  splices.add(start, end, '');
}

function firstDocumentStart(text: string, doc: Document): number {
  const contentStart = docStart(doc);
  const marker = text.slice(0, contentStart).search(/^---/m);
  return marker >= 0 ? marker : lineStart(text, contentStart);
}

/** Fallback: every changed document re-rendered whole (still leaving the other documents alone). */
function rerender(
  text: string,
  p: Parsed,
  updates: DocumentUpdate[],
  removed: Set<number>,
  appended: unknown[],
  json: boolean,
): string {
  const splices = new SpliceList(text);
  for (const u of updates) {
    if (removed.has(u.document)) {
      removeDocument(splices, text, p.docs, u.document);
      continue;
    }
    const r = (p.docs[u.document].contents as Node | null)?.range;
    const start = r ? r[0] : docStart(p.docs[u.document]);
    const end = r ? trimEnd(text, r[0], r[1]) : start;
    const body = json ? JSON.stringify(u.after, null, p.style.unit) : renderYamlBlock(u.after, '', p.style);
    splices.add(start, end, body);
  }
  return splices.apply() + appended.map((v) => appendText(text, v, p.style)).join('');
}

function docStart(doc: Document): number {
  return (doc.range as [number, number, number] | undefined)?.[0] ?? 0;
}

/** Turns List item updates into updates of their whole document; a List left empty is removed. */
function mergeItemUpdates(values: unknown[], updates: DocumentUpdate[]): DocumentUpdate[] {
  const out = updates.filter((u) => u.item === undefined);
  const byDoc = new Map<number, DocumentUpdate[]>();
  for (const u of updates) if (u.item !== undefined) byDoc.set(u.document, [...(byDoc.get(u.document) ?? []), u]);
  for (const [document, list] of byDoc) {
    const doc = values[document] as { items?: unknown[] } | undefined;
    if (!doc || !Array.isArray(doc.items)) throw new EditError(`document ${document + 1} is no longer a List`);
    const gone = Symbol('removed');
    const items: unknown[] = [...doc.items];
    for (const u of list) items[u.item!] = u.after === undefined ? gone : u.after;
    const left = items.filter((x) => x !== gone);
    out.push({ document, after: left.length === 0 ? undefined : { ...doc, items: left } });
  }
  return out;
}

function checkUnchanged(values: unknown[], updates: DocumentUpdate[]): void {
  for (const u of updates) {
    if (u.before === undefined) continue;
    const doc = values[u.document] as { items?: unknown[] } | undefined;
    const current = u.item === undefined ? doc : doc?.items?.[u.item];
    if (!jsonEqual(current, u.before))
      throw new EditError('the file changed on disk while isctl was running; run the command again');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new EditError('file does not parse');
  }
}
