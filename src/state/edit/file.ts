/**
 * Surgical editing of one whole file: each changed document is edited in place by the
 * TreeEditor, removed documents are cut out with their `---` line, new documents are appended.
 * The result is parsed again and compared with what was asked for. A document is never
 * re-rendered as a whole: that would rewrite values nobody edited (`1.10` → `1.1`, `0x1F` → `31`,
 * big integers rounded) and drop comments, so when the splices cannot produce exactly the wanted
 * documents (a value shared through a YAML anchor, say) the file is refused with the reason.
 * A byte order mark is kept in front of an edited file.
 */
import { isMap, isScalar, parseAllDocuments, visit } from 'yaml';
import type { Document, Node } from 'yaml';
import { fastParseYaml } from '../fastyaml.js';
import { BOM, MAX_ALIAS_COUNT } from '../parse.js';
import { EditError } from './edit-error.js';
import { fastEditTree, treeValues } from './fast-tree.js';
import { TreeEditor } from './editor.js';
import { jsonEqual } from './equal.js';
import { renderYamlBlock } from './render.js';
import { SpliceList, lineStart } from './splice.js';
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

export { EditError } from './edit-error.js';

interface Parsed {
  docs: Document[];
  values: unknown[];
  style: FileStyle;
}

function parse(text: string, json: boolean): Parsed {
  // The plain block YAML tools write: node tree and values without the general parser (which
  // would be most of the edit's cost). It declines a file that repeats a key.
  const tree = json ? undefined : fastEditTree(text);
  const treeVals = tree && treeValues(tree);
  if (tree && treeVals) return { docs: tree, values: treeVals, style: detectYamlStyle(text, tree) };
  const docs = parseAllDocuments(text, { uniqueKeys: false }) as Document[];
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) throw new EditError('file does not parse');
  const repeated = docs.map(repeatedKey).find((k) => k !== undefined);
  // Which of two equal keys an edit lands on is a guess; the loader refuses such files already.
  if (repeated) throw new EditError(`the file repeats the key "${repeated}"; isctl never rewrites such a file`);
  const fast = json ? undefined : fastParseYaml(text);
  // Values as the loader saw them: JSON.parse for JSON, the fast path when it applies.
  const values = json
    ? [parseJson(text)]
    : fast && fast.length === docs.length
      ? fast
      : docs.map((d) => d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  return { docs, values, style: json ? detectJsonStyle(text) : detectYamlStyle(text, docs) };
}

/**
 * Parses made ahead of an edit (the general yaml parse an edit needs is most of its cost): a
 * command that expects to change a file parses it while it waits on the network, and the edit
 * takes the parse if the file's text is still exactly what was parsed. Each parse is taken once;
 * a bounded number of files and bytes is kept, beyond that files are parsed when edited.
 */
export class EditParses {
  private readonly parses = new Map<string, { text: string; parsed: Parsed | EditError; size: number }>();
  /** Edits made ahead: the text and updates they were made for, and the text they give. */
  private readonly edits = new Map<string, { text: string; updates: string; out: string | null; size: number }>();
  private bytes = 0;
  constructor(
    readonly maxFiles = 64,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  has(path: string): boolean {
    return this.parses.has(path) || this.edits.has(path);
  }

  /** Forgets every parse and edit (a transaction is over: what it did not take was not needed). */
  clear(): void {
    this.parses.clear();
    this.edits.clear();
    this.bytes = 0;
  }

  /** True when another file of `size` bytes may be kept. */
  hasRoom(size: number): boolean {
    return this.parses.size + this.edits.size < this.maxFiles && this.bytes + size <= this.maxBytes;
  }

  /**
   * Makes the edit of `withBom`, the text of `path`, by `updates` ahead (what a transaction is
   * expected to ask once it holds the lock): a later `editFileText` of exactly this text with
   * equal updates takes the result instead of editing again. An edit that is refused is not kept
   * (the transaction's own edit reports it).
   */
  prepareEdit(path: string, withBom: string, updates: DocumentUpdate[]): void {
    if (this.edits.has(path)) return;
    // The file's parse ahead, if any, is taken by this edit: it leaves room for the edit's texts.
    const parse = this.parses.get(path);
    const freed = parse ? 1 : 0;
    if (
      this.parses.size + this.edits.size - freed >= this.maxFiles ||
      this.bytes - (parse?.size ?? 0) + 2 * withBom.length > this.maxBytes
    )
      return;
    let out: string | null;
    try {
      out = editFileText(path, withBom, updates, [], this);
    } catch (err) {
      if (!(err instanceof EditError)) throw err;
      return;
    }
    const size = withBom.length + (out?.length ?? 0);
    this.edits.set(path, { text: withBom, updates: updatesKey(updates), out, size });
    this.bytes += size;
  }

  /** The edit made ahead of `withBom` by exactly these updates, once; undefined when there is none. */
  takeEdit(path: string, withBom: string, updates: DocumentUpdate[], appended: unknown[]): string | null | undefined {
    const e = this.edits.get(path);
    if (!e) return undefined;
    this.edits.delete(path);
    this.bytes -= e.size;
    return e.text === withBom && appended.length === 0 && e.updates === updatesKey(updates) ? e.out : undefined;
  }

  /** Parses `withBom`, the text of `path`, for a later `editFileText` of the same text. */
  prepare(path: string, withBom: string): void {
    if (this.parses.has(path) || !this.hasRoom(withBom.length)) return;
    const text = withBom.startsWith(BOM) ? withBom.slice(1) : withBom;
    let parsed: Parsed | EditError;
    try {
      parsed = parse(text, /\.json$/i.test(path));
    } catch (err) {
      if (!(err instanceof EditError)) throw err;
      parsed = err;
    }
    this.parses.set(path, { text, parsed, size: withBom.length });
    this.bytes += withBom.length;
  }

  /** The parse of `text` for `path`, once; undefined when none was made of exactly this text. */
  take(path: string, text: string): Parsed | EditError | undefined {
    const e = this.parses.get(path);
    if (!e) return undefined;
    this.parses.delete(path);
    this.bytes -= e.size;
    return e.text === text ? e.parsed : undefined;
  }
}

/**
 * The new text of a file after `updates` and `appended` documents, or null when nothing is left in
 * it; `parses`: parses made ahead, one of which may be this text's.
 */
export function editFileText(
  path: string,
  withBom: string,
  updates: DocumentUpdate[],
  appended: unknown[] = [],
  parses?: EditParses,
): string | null {
  const ready = parses?.takeEdit(path, withBom, updates, appended);
  if (ready !== undefined) return ready;
  const bom = withBom.startsWith(BOM) ? BOM : '';
  const text = bom ? withBom.slice(1) : withBom;
  const json = /\.json$/i.test(path);
  const ahead = parses?.take(path, text);
  if (ahead instanceof EditError) throw ahead;
  const p = ahead ?? parse(text, json);
  checkUnchanged(p.values, updates);
  updates = mergeItemUpdates(p.values, updates);
  const removed = new Set(updates.filter((u) => u.after === undefined).map((u) => u.document));
  const expected = p.values.map((v, i) =>
    removed.has(i) ? undefined : (updates.find((u) => u.document === i)?.after ?? v),
  );
  const want = [...expected.filter((v) => v !== undefined && v !== null), ...appended];
  if (want.length === 0) return null;
  if (json && (appended.length > 0 || want.length !== 1)) throw new EditError('a JSON file holds exactly one document');
  let out: string;
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
    // An edit the splicer cannot place (a bug or a construct it does not know): refuse, never guess.
    if (err instanceof EditError) throw err;
    throw new EditError(`cannot edit ${path} in place (${(err as Error).message}); isctl never re-renders a document`);
  }
  if (!matches(out, json, want)) throw new EditError(refusal(path, p.docs));
  return bom + out;
}

/** Updates as JSON, key order included (where new keys go follows the order of `after`). */
function updatesKey(updates: DocumentUpdate[]): string {
  return JSON.stringify(
    updates.map((u) => [u.document, u.item ?? -1, u.after === undefined, u.after, u.before === undefined, u.before]),
  );
}

/** Why the splices could not give the wanted documents, for the message that refuses the file. */
function refusal(path: string, docs: Document[]): string {
  let anchored = false;
  for (const doc of docs)
    visit(doc, {
      Node(_, node) {
        if ((node as { anchor?: string }).anchor) {
          anchored = true;
          return visit.BREAK;
        }
      },
    });
  return anchored
    ? `cannot edit ${path} without changing other values: it shares values through YAML anchors and aliases (&name, *name), ` +
        'and an edited value may be one of them; isctl never re-renders a document'
    : `cannot edit ${path} in place without changing other values; isctl never re-renders a document`;
}

/** The first key a map of `doc` repeats, if any. */
function repeatedKey(doc: Document): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || pair.key.value === '<<') continue;
        const k = String(pair.key.value);
        if (seen.has(k)) {
          found = k;
          return visit.BREAK;
        }
        seen.add(k);
      }
    },
  });
  return found;
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
