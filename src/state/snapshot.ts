/**
 * The in-memory view of the state folder handed to core code: loaded objects (deep-frozen
 * originals, working copies made on first access so read-only commands pay nothing), objects
 * added and removed during the transaction, and the problems found while loading.
 */
import { ServerError } from '../domain/errors.js';
import type { StateFileError } from '../domain/errors.js';
import type { KubeObject } from '../domain/types.js';
import type { MarkerSite, ObjectLocation, ObjectView, ObjectViews, Snapshot, StoredObject } from './types.js';

/** Deep-freezes a JSON value in place. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

/** A StoredObject whose working copy is cloned from the original on first access. */
export class Entry<T extends KubeObject = KubeObject> implements StoredObject<T> {
  private working: T | undefined;
  readonly kind: string;
  readonly name: string;
  constructor(
    readonly location: ObjectLocation | null,
    readonly original: Readonly<T> | null,
    working: T | undefined,
    readonly namespace: string,
  ) {
    this.working = working;
    const source = (original ?? working) as KubeObject;
    this.kind = String(source.kind);
    this.name = String(source.metadata?.name ?? '');
  }
  get object(): T {
    if (this.working === undefined) this.working = structuredClone(this.original) as T;
    return this.working;
  }
  get current(): Readonly<T> {
    return (this.working ?? this.original) as Readonly<T>;
  }
  set object(v: T) {
    this.working = v;
  }
  /** True when the working copy was ever handed out (and so may differ from the original). */
  get touched(): boolean {
    return this.working !== undefined;
  }
}

const byNamespaceAndName = (a: { namespace: string; name: string }, b: { namespace: string; name: string }) =>
  a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

const keyOf = (kind: string, namespace: string, name: string) => `${kind}\u0000${namespace}\u0000${name}`;

/**
 * Files of the folder whose objects are known (from the object index, ./object-index.ts) but not
 * parsed yet: the snapshot parses them when a question needs them, so that `find` reads only the
 * files defining that object and every answer is the one a full load would give.
 */
export interface PendingFiles {
  /** Pending files defining the object `kind`/`namespace`/`name` (effective namespace). */
  defining(kind: string, namespace: string, name: string): string[];
  /** Pending files defining an object of `kind` (in `namespace` when given); `except`: of another kind. */
  ofKind(kind: string, namespace: string | undefined, except: boolean): string[];
  /** Every pending file. */
  all(): string[];
  /**
   * Views of the kept objects of `kind` (in `namespace` when given) of pending files, from the
   * index; `missing`: pending files of that kind whose views the index does not have.
   */
  views(kind: string, namespace: string | undefined): { views: ObjectView<unknown>[]; missing: string[] };
  /** Parses a pending file (then no longer pending): its entries, in file order, as a full load keeps them. */
  load(file: string): Entry[];
  /** Position of a file in path order. */
  order(file: string): number;
}

/** The Snapshot implementation; `removed` and `added` are read by the commit step. */
export class SnapshotImpl implements Snapshot {
  private readonly index = new Map<string, Entry>();
  private readonly all: Entry[] = [];
  readonly removed = new Set<Entry>();
  /** Marker values set in this transaction: file → marker index → value. */
  readonly markerValues = new Map<string, Map<number, string>>();
  constructor(
    readonly namespace: string,
    entries: Entry[],
    readonly problems: StateFileError[],
    readonly markers: readonly MarkerSite[] = [],
    readonly warnings: StateFileError[] = [],
    private readonly pending?: PendingFiles,
    private readonly views?: ObjectViews,
  ) {
    for (const e of entries) {
      this.all.push(e);
      this.index.set(keyOf(e.kind, e.namespace, e.name), e);
    }
  }
  /** Parses pending files and puts their entries where a full load would have them (path order, before added objects). */
  private loadPending(files: readonly string[]): void {
    const pending = this.pending;
    if (!pending || files.length === 0) return;
    const loaded: Entry[] = [];
    for (const f of files) loaded.push(...pending.load(f));
    if (loaded.length === 0) return;
    for (const e of loaded) this.index.set(keyOf(e.kind, e.namespace, e.name), e);
    const stored = [...this.all.filter((e) => e.location !== null), ...loaded];
    // A stable sort: within one file the entries keep their (document) order.
    stored.sort((a, b) => pending.order(a.location!.file) - pending.order(b.location!.file));
    const added = this.all.filter((e) => e.location === null);
    this.all.length = 0;
    this.all.push(...stored, ...added);
  }
  /** Every object not of `kind`, parsing only the files that define one (workloads for the trigger controller). */
  objectsExcept(kind: string): readonly StoredObject[] {
    if (this.pending) this.loadPending(this.pending.ofKind(kind, undefined, true));
    return this.all.filter((e) => e.kind !== kind && !this.removed.has(e));
  }
  setMarker(site: MarkerSite, value: string): void {
    const file = this.markerValues.get(site.file) ?? new Map<number, string>();
    file.set(site.index, value);
    this.markerValues.set(site.file, file);
  }
  get objects(): readonly StoredObject[] {
    if (this.pending) this.loadPending(this.pending.all());
    return this.all.filter((e) => !this.removed.has(e));
  }
  /** Every entry, removed ones included. */
  get entries(): readonly Entry[] {
    return this.all;
  }
  find<T extends KubeObject = KubeObject>(kind: string, namespace: string, name: string): StoredObject<T> | undefined {
    if (this.pending) this.loadPending(this.pending.defining(kind, namespace, name));
    const e = this.index.get(keyOf(kind, namespace, name));
    return e && !this.removed.has(e) ? (e as unknown as StoredObject<T>) : undefined;
  }
  listViews<V>(kind: string, namespace?: string): ObjectView<V>[] {
    const out: ObjectView<unknown>[] = [];
    if (this.pending) {
      if (this.views) {
        this.loadPending(this.pending.views(kind, namespace).missing);
        out.push(...this.pending.views(kind, namespace).views);
      } else this.loadPending(this.pending.ofKind(kind, namespace, false));
    }
    const viewOf = this.views ? (o: KubeObject) => this.views!.of(o) : (o: KubeObject) => o;
    for (const e of this.all)
      if (e.kind === kind && (namespace === undefined || e.namespace === namespace) && !this.removed.has(e))
        out.push({ namespace: e.namespace, name: e.name, view: viewOf(e.current as KubeObject) });
    return out.sort(byNamespaceAndName) as ObjectView<V>[];
  }
  findMany<T extends KubeObject = KubeObject>(
    kind: string,
    keys: readonly { namespace: string; name: string }[],
  ): (StoredObject<T> | undefined)[] {
    const pending = this.pending;
    if (pending) this.loadPending([...new Set(keys.flatMap((k) => pending.defining(kind, k.namespace, k.name)))]);
    return keys.map((k) => {
      const e = this.index.get(keyOf(kind, k.namespace, k.name));
      return e && !this.removed.has(e) ? (e as unknown as StoredObject<T>) : undefined;
    });
  }
  list<T extends KubeObject = KubeObject>(kind: string, namespace?: string): StoredObject<T>[] {
    if (this.pending) this.loadPending(this.pending.ofKind(kind, namespace, false));
    return this.all
      .filter((e) => e.kind === kind && (namespace === undefined || e.namespace === namespace) && !this.removed.has(e))
      .sort(byNamespaceAndName) as unknown as StoredObject<T>[];
  }
  add<T extends KubeObject>(object: T, namespace: string): StoredObject<T> {
    const kind = String(object.kind);
    const name = String(object.metadata?.name ?? '');
    if (this.find(kind, namespace, name))
      throw new ServerError('AlreadyExists', `${kind} "${name}" already exists in namespace "${namespace}"`);
    const e = new Entry<T>(null, null, object, namespace);
    this.all.push(e as unknown as Entry);
    this.index.set(keyOf(kind, namespace, name), e as unknown as Entry);
    return e;
  }
  remove(object: StoredObject): void {
    const e = object as Entry;
    if (!this.all.includes(e)) return;
    if (e.location === null) {
      this.all.splice(this.all.indexOf(e), 1);
      this.index.delete(keyOf(e.kind, e.namespace, e.name));
    } else this.removed.add(e);
  }
}
