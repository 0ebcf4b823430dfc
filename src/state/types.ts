/**
 * The contract of the state folder. Core code works on plain
 * objects in a Snapshot and never touches files; the store diffs each object against what was
 * loaded and splices only the changed values into the original text (surgical edit), then
 * writes every changed file atomically under the folder lock.
 */
import type { KubeObject } from '../domain/types.js';
import type { StateFileError } from '../domain/errors.js';
import type { FolderNamespace } from './namespaces.js';

/** Where an object lives: file relative to the state folder, YAML document index, List item index. */
export interface ObjectLocation {
  file: string;
  document: number;
  /** Index inside `items` when the document is a List / ImageStreamList. */
  item?: number;
}

/** One object of the folder, with a mutable working copy. */
export interface StoredObject<T extends KubeObject = KubeObject> {
  /** null for an object added in this transaction. */
  readonly location: ObjectLocation | null;
  /** The object exactly as loaded (deep-frozen); null for new objects. */
  readonly original: Readonly<T> | null;
  /** Working copy: mutate it; the store writes what differs from `original`. */
  object: T;
  /**
   * The object as it stands, for reading only: the working copy once one was handed out, else
   * the original — without making a working copy (a deep clone), so a command that only looks
   * at thousands of objects does not copy each of them.
   */
  readonly current: Readonly<T>;
  /**
   * Effective namespace: metadata.namespace, else the namespace of its file's folder (see
   * src/state/namespaces.ts) — never the namespace a command runs in.
   */
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}

/** A marker comment found in a YAML file of the folder (see src/state/markers.ts). */
export interface MarkerSite {
  /** File relative to the state folder. */
  file: string;
  /** Position among the file's markers. */
  index: number;
  /** 1-based line of the comment. */
  line: number;
  /** The value of `$imagestreamtag` as written (undefined when malformed). */
  raw?: string;
  /** Why the marker cannot be used. */
  error?: string;
  /** The marked value's text as loaded. */
  current: string;
  /** The namespace of its file (for markers that name no namespace). */
  namespace: string;
}

/**
 * Views of objects for listings: the few fields a listing prints, kept in the object index beside
 * each object (./object-index.ts), so that a listing of an unchanged folder parses no file. `of`
 * must be a pure function of the object; `id` names it and changes whenever `of` changes (an index
 * written with another id is not used).
 */
export interface ObjectViews {
  readonly id: string;
  /** The view of an object; undefined for objects that have none (their kind is not listed so). */
  of(object: KubeObject): unknown;
  /** True when a view read back from the index has the shape `of` gives for `kind` (the index is untrusted bytes). */
  check(kind: string, view: unknown): boolean;
}

/** One object as a listing sees it: its effective namespace, name and view. */
export interface ObjectView<V> {
  readonly namespace: string;
  readonly name: string;
  readonly view: V;
}

/** All objects of the folder as seen by one command. */
export interface Snapshot {
  /** Every marker comment of the folder's YAML files, file by file in path order. */
  readonly markers: readonly MarkerSite[];
  /** Sets the value a marker marks; written on commit in the same transaction as the objects. */
  setMarker(site: MarkerSite, value: string): void;
  /** The namespace the command runs in (`-n`): it selects objects, it never gives one a namespace. */
  readonly namespace: string;
  readonly objects: readonly StoredObject[];
  /** Every object not of `kind` (e.g. the workloads beside the ImageStreams), in `objects` order. */
  objectsExcept(kind: string): readonly StoredObject[];
  /** Files that could not be parsed or hold invalid objects; they are never rewritten. */
  readonly problems: readonly StateFileError[];
  /** What was read leniently, as kubectl reads it (a repeated key: the last one wins); such files are never rewritten. */
  readonly warnings: readonly StateFileError[];
  /** Finds one object by kind (e.g. 'ImageStream'), namespace and name. */
  find<T extends KubeObject = KubeObject>(kind: string, namespace: string, name: string): StoredObject<T> | undefined;
  /** `find` of many objects of one kind at once (parsing every file they need in one go), in the order asked. */
  findMany<T extends KubeObject = KubeObject>(
    kind: string,
    keys: readonly { namespace: string; name: string }[],
  ): (StoredObject<T> | undefined)[];
  /** Objects of a kind, in one namespace or (undefined) all, sorted by namespace then name. */
  list<T extends KubeObject = KubeObject>(kind: string, namespace?: string): StoredObject<T>[];
  /**
   * `list`, as views: each object's view (`ObjectViews.of`, or the object itself when the store
   * has no views), read from the object index for unchanged files without parsing them.
   */
  listViews<V>(kind: string, namespace?: string): ObjectView<V>[];
  /** Adds a new object; it is written to the default path (see `defaultPathFor`) on commit. */
  add<T extends KubeObject>(object: T, namespace: string): StoredObject<T>;
  /** Removes an object from its file on commit (the file is deleted when nothing else is left). */
  remove(object: StoredObject): void;
}

/** A file the transaction changed: text before and after (null = file absent). */
export interface FileChange {
  path: string;
  before: string | null;
  after: string | null;
}

/** Options of a write transaction. */
export interface UpdateOptions {
  /** Compute the changes and diffs but write nothing. */
  dryRun?: boolean;
  /**
   * A snapshot this store's `read` returned in the same command, which `fn` may run on first,
   * without the lock: when that changes no file (or `dryRun`), its answer is the transaction's,
   * as if it had run at the moment of that read, and nothing is loaded again. Otherwise `fn` runs
   * again under the lock on a fresh load, so it must not depend on having run before.
   */
  readFirst?: Snapshot;
}

/** The state folder. */
export interface StateStore {
  /** Absolute path of the state folder. */
  readonly dir: string;
  /**
   * Loads every object without taking the lock (for read-only commands). `views`: the command lists
   * (`Snapshot.listViews`), so the index's views are read and kept current; other loads never touch
   * them. `reuse`: the snapshot of this store's latest read of `namespace`, while the command still
   * holds it, instead of loading the folder again (a second look in the same command, such as the
   * mirror sets a registry pull needs); a fresh read when there is none.
   */
  read(namespace: string, options?: { views?: boolean; reuse?: boolean }): Promise<Snapshot>;
  /**
   * Takes the folder lock, loads a fresh snapshot, runs `fn`, and writes every changed file
   * atomically (temp file, fsync, rename) before releasing the lock. Files listed in
   * `snapshot.problems` are never written. Returns what `fn` returned and the file changes.
   */
  update<T>(
    namespace: string,
    fn: (snapshot: Snapshot) => Promise<T> | T,
    options?: UpdateOptions,
  ): Promise<{ result: T; changes: FileChange[] }>;
  /**
   * The command expects to change these objects: their files may be parsed for editing now, a
   * file per turn of the event loop, while it waits on the network (an edit of the same text
   * then skips its parse). Only an optimisation: nothing is written, nothing is reported.
   */
  prepareEdits?(objects: readonly StoredObject[]): void;
  /**
   * The command expects `object` (as loaded in a read of this store) to become `after` in its
   * next update: the edit of its file is made now, on the next turn of the event loop, and that
   * update takes it if the file's text and the object's change are exactly those. Only an
   * optimisation, as `prepareEdits`.
   */
  prepareEdit?(object: StoredObject, after: KubeObject): void;
  /** Content-addressed blobs (manifests, indexes, configs) under `.isctl/blobs/`. */
  readonly blobs: BlobStore;
  /** The folder's namespace: what `-n` defaults to, and where it comes from. */
  folderNamespace(): FolderNamespace;
  /**
   * Keeps `namespace` as the folder's own setting (`.isctl/config.yaml`), under the folder lock;
   * returns the folder's namespace before and after (a top-level kustomization.yaml still wins).
   */
  setFolderNamespace(namespace: string): Promise<{ before: FolderNamespace; after: FolderNamespace }>;
}

/** Content-addressed storage of raw registry bytes; every read and write is verified by digest. */
export interface BlobStore {
  /** The bytes stored for `digest`, or undefined; throws IntegrityError if the file does not match. */
  get(digest: string): Promise<Buffer | undefined>;
  /**
   * Stores bytes under their digest (verified); a no-op when already present. The bytes are held
   * in memory (and read back from there) until `flush`; a store holding many writes some early.
   */
  put(digest: string, bytes: Buffer): Promise<void>;
  /** True when present (no verification). */
  has(digest: string): Promise<boolean>;
  /**
   * Makes every `put` so far durable: a few blobs as one file each, many as one pack file.
   * StateStore.update calls it before it writes the state files that name them.
   */
  flush(): Promise<void>;
}
