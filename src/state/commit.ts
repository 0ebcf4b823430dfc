/**
 * The commit step of a transaction: turns the difference between a snapshot's working copies
 * and what was loaded into new file texts (FileChange). Pure apart from the texts it is given.
 * New objects go to `defaultPathFor` (see src/state/paths.ts), appended as a new document when
 * that file already exists.
 */
import { StateFileError } from '../domain/errors.js';
import type { KubeObject } from '../domain/types.js';
import { jsonEqual } from './edit/equal.js';
import { EditError, type EditParses, editFileText } from './edit/file.js';
import type { DocumentUpdate } from './edit/file.js';
import { renderYamlBlock } from './edit/render.js';
import { setMarkerValues } from './markers.js';
import { defaultPathFor } from './paths.js';
import type { Entry, SnapshotImpl } from './snapshot.js';
import type { FileChange, ObjectLocation } from './types.js';

/** JSON-clean copy: drops `undefined` members as the Kubernetes JSON encoding would. */
function clean<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The object as written for a new entry: `metadata.namespace` set so it reads back in its namespace. */
function withNamespace(obj: KubeObject, namespace: string): KubeObject {
  const meta = obj.metadata ?? {};
  if (meta.namespace === namespace) return obj;
  const { name, ...rest } = meta;
  return { ...obj, metadata: { ...(name !== undefined ? { name } : {}), namespace, ...rest } };
}

/** Reads the current text of a state file (null when it does not exist). */
export type TextReader = (file: string) => Promise<string | null>;

/** Throws when the object `kind/namespace/name` may not be written (see the store's writeGuard). */
export type WriteGuard = (kind: string, namespace: string, name: string) => void;

/** What the loader found that limits writing. */
export interface WriteLimits {
  /** Files that could not be read: changing them is refused with this error. */
  problems: ReadonlyMap<string, StateFileError>;
  /** Files read but never rewritten (repeated keys, not UTF-8), with why. */
  readOnly?: ReadonlyMap<string, StateFileError>;
  /** Objects that may not be written (two copies, or maybe defined in an unreadable file). */
  guard?: WriteGuard;
  /** Files parsed ahead for editing (StateStore.prepareEdits). */
  parses?: EditParses;
}

/** File changes for a snapshot; `readText` gives a file's text, `limits` what may not be written. */
export async function computeChanges(
  snapshot: SnapshotImpl,
  readText: TextReader,
  limits: WriteLimits,
): Promise<FileChange[]> {
  const updates = new Map<string, DocumentUpdate[]>();
  const appended = new Map<string, unknown[]>();
  for (const e of snapshot.entries) {
    const update = entryUpdate(snapshot, e);
    if (!update) continue;
    limits.guard?.(e.kind, e.namespace, e.name);
    const [file, u] = update;
    if (u === 'new') appended.set(file, [...(appended.get(file) ?? []), clean(withNamespace(e.object, e.namespace))]);
    else updates.set(file, [...(updates.get(file) ?? []), u]);
  }
  const changes: FileChange[] = [];
  for (const file of new Set([...updates.keys(), ...appended.keys()])) {
    const problem = limits.problems.get(file) ?? limits.readOnly?.get(file);
    if (problem) throw problem;
    const before = await readText(file);
    const newDocs = appended.get(file) ?? [];
    let after: string | null;
    if (before === null)
      after = newDocs
        .map((d) => `${renderYamlBlock(d, '', { json: false, unit: '  ', indentSeq: false, eol: '\n' })}\n`)
        .join('---\n');
    else {
      try {
        after = editFileText(file, before, updates.get(file) ?? [], newDocs, limits.parses);
      } catch (err) {
        if (err instanceof EditError)
          throw new StateFileError(
            file,
            err.message,
            undefined,
            'edit the file by hand or move the object to a YAML file of its own',
          );
        throw err;
      }
    }
    if (after !== before) changes.push({ path: file, before, after });
  }
  for (const [file, values] of snapshot.markerValues) {
    if (limits.problems.has(file)) continue;
    const edited = changes.find((c) => c.path === file);
    const base = edited ? edited.after : await readText(file);
    if (base === null) continue;
    const after = setMarkerValues(base, values);
    if (after === base) continue;
    const readOnly = limits.readOnly?.get(file);
    if (readOnly) throw readOnly;
    if (edited) edited.after = after;
    else changes.push({ path: file, before: base, after });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function entryUpdate(snapshot: SnapshotImpl, e: Entry): [string, DocumentUpdate | 'new'] | undefined {
  if (e.location === null) return [defaultPathFor(e.kind, e.namespace, e.name), 'new'];
  const { file, document, item } = e.location;
  if (snapshot.removed.has(e)) return [file, { document, item, after: undefined, before: e.original }];
  if (!e.touched) return undefined;
  const update = objectUpdate(e.location, e.original, e.object);
  if (jsonEqual(update.after, e.original)) return undefined;
  return [file, update];
}

/**
 * The update of the document at `location` from `original` (as loaded) to `object`, as the
 * commit step asks it of the editor (StateStore.prepareEdit makes the same one ahead).
 */
export function objectUpdate(location: ObjectLocation, original: unknown, object: unknown): DocumentUpdate {
  return { document: location.document, item: location.item, after: clean(object), before: original };
}
