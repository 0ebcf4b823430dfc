/**
 * The trigger index: which object follows which image stream tag, computed once per snapshot and
 * used by every command (the trigger controller, `graph`, warnings, and the marker comments that
 * build on it). It is OpenShift's trigger cache: each kind's indexer turns an object into
 * ObjectFieldTriggers (openshift-controller-manager pkg/image/trigger/{deploymentconfigs,
 * buildconfigs,annotations} calculate*Triggers), and the cache keys an entry by the
 * `namespace/stream` of every trigger it watches (pkg/image/controller/trigger/cache.go
 * triggerCacheIndexer: ImageStreamTag, no apiVersion, not paused, a `name:tag`).
 *
 * The contract, for any new kind of trigger (e.g. comments that mark a field as following a tag):
 * write a TriggerSource whose `calculate` returns the object's triggers with a fieldPath naming
 * the field they set, add it to the sources passed to `buildTriggerIndex`, and give the
 * controller a reactor for it. An object is evaluated only through the index — when a stream its
 * entry watches changed, or on a resync of every watched stream — so no command can disagree
 * with another about which objects a tag change reaches.
 */
import { splitImageStreamTag } from '../../domain/imagestream.js';
import type { Snapshot, StoredObject } from '../../state/types.js';

/** What a trigger follows, as written (library-go pkg/image/trigger ObjectReference). */
export interface TriggerFrom {
  kind: string;
  name: string;
  /** As written: '' means the object's own namespace. */
  namespace: string;
  apiVersion: string;
}

/** One trigger of an object (library-go ObjectFieldTrigger) and where it is defined. */
export interface IndexedTrigger {
  from: TriggerFrom;
  /** The field it sets, as OpenShift names it (synthetic for BuildConfigs: `spec.triggers`, `spec.strategy.*.from`). */
  fieldPath: string;
  paused: boolean;
  /** Where the trigger is written in the object, for messages (e.g. `spec.triggers[1]`). */
  definedAt: string;
  /** `namespace/stream` the cache wakes the object for; undefined when the cache ignores the trigger. */
  key: string | undefined;
}

/** A trigger (or part of one) as written that OpenShift drops or rejects, and why (shown as a warning). */
export interface IgnoredTrigger {
  /** Where it is written in the object, e.g. `spec.triggers[0]`. */
  definedAt: string;
  /** The message, complete in itself (it is printed after the object's name). */
  message: string;
  /** `namespace/stream` it names, when it names one: the warning is shown when that stream changes. */
  key?: string;
  /** The message when the controller does evaluate the object for its other triggers, if it differs. */
  whenEvaluated?: string;
}

/** What a source computes for one object. */
export interface SourceTriggers {
  triggers: IndexedTrigger[];
  ignored: IgnoredTrigger[];
  /** Set when OpenShift rejects the definition as a whole (every trigger of the object is off). */
  error?: string;
}

/** A way objects declare triggers: DeploymentConfig and BuildConfig fields, the trigger annotation, … */
export interface TriggerSource {
  /** Short name used by the controller to pick the reactor (`deploymentconfig`, `buildconfig`, `annotation`). */
  readonly name: string;
  /** True for objects this source reads. */
  handles(so: StoredObject): boolean;
  /** The object's triggers, as the source's upstream indexer computes them. */
  calculate(so: StoredObject): SourceTriggers;
}

/** One object as one source indexes it (OpenShift's trigger.CacheEntry). */
export interface TriggerEntry extends SourceTriggers {
  source: TriggerSource;
  object: StoredObject;
  /** Distinct `namespace/stream` keys of the watched triggers, in trigger order. */
  keys: string[];
}

/** The cache key of a trigger (triggerCacheIndexer), or undefined when the cache ignores it. */
export function watchKey(from: TriggerFrom, paused: boolean, objectNamespace: string): string | undefined {
  if (from.kind !== 'ImageStreamTag' || from.apiVersion !== '' || paused) return undefined;
  const split = splitImageStreamTag(from.name);
  if (!split.ok) return undefined;
  return `${from.namespace || objectNamespace}/${split.name}`;
}

/** `namespace/stream` a reference names, valid or not (for warnings about triggers the cache ignores). */
export function namedStreamKey(from: { name: string; namespace: string }, objectNamespace: string): string | undefined {
  if (!from.name) return undefined;
  return `${from.namespace || objectNamespace}/${splitImageStreamTag(from.name).name}`;
}

/** An IndexedTrigger with its cache key filled in. */
export function indexedTrigger(
  so: StoredObject,
  t: { from: TriggerFrom; fieldPath: string; paused: boolean; definedAt: string },
): IndexedTrigger {
  return { ...t, key: watchKey(t.from, t.paused, so.namespace) };
}

/** The trigger index of one snapshot. */
export class TriggerIndex {
  private readonly byObject = new Map<StoredObject, TriggerEntry[]>();
  private readonly byKey = new Map<string, TriggerEntry[]>();
  /** Every entry with at least one trigger or problem, in snapshot order. */
  readonly entries: readonly TriggerEntry[];

  constructor(entries: TriggerEntry[]) {
    this.entries = entries;
    for (const e of entries) {
      this.byObject.set(e.object, [...(this.byObject.get(e.object) ?? []), e]);
      for (const k of e.keys) this.byKey.set(k, [...(this.byKey.get(k) ?? []), e]);
    }
  }

  /** The entries of one object (one per source that reads it). */
  entriesOf(so: StoredObject): TriggerEntry[] {
    return this.byObject.get(so) ?? [];
  }

  /** Entries the controller wakes when the stream `namespace/name` changes (cache ByIndex("images", key)). */
  watchersOf(namespace: string, stream: string): TriggerEntry[] {
    return this.byKey.get(`${namespace}/${stream}`) ?? [];
  }

  /** True when the entry is woken by a change of any of these `namespace/stream` keys. */
  static wokenBy(entry: TriggerEntry, keys: ReadonlySet<string>): boolean {
    return entry.keys.some((k) => keys.has(k));
  }
}

/** Builds the index of `snapshot` from `sources` (each object read by every source that handles it). */
export function buildTriggerIndex(snapshot: Snapshot, sources: readonly TriggerSource[]): TriggerIndex {
  const entries: TriggerEntry[] = [];
  // No source reads ImageStreams: their files need not be parsed to find the triggers.
  for (const so of snapshot.objectsExcept('ImageStream')) {
    for (const source of sources) {
      if (!source.handles(so)) continue;
      const computed = source.calculate(so);
      if (computed.triggers.length === 0 && computed.ignored.length === 0 && computed.error === undefined) continue;
      const keys = [...new Set(computed.triggers.flatMap((t) => (t.key ? [t.key] : [])))];
      entries.push({ ...computed, source, object: so, keys });
    }
  }
  return new TriggerIndex(entries);
}
