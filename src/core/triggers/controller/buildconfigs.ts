/**
 * BuildConfig ImageChange triggers, once the trigger index woke the BuildConfig: the trigger
 * controller's reactor (openshift-controller-manager pkg/image/trigger/buildconfigs
 * ImageChanged) decides whether a build starts; the API server's build generator
 * (openshift-apiserver buildgenerator/generator.go updateImageTriggers) records it in
 * `status.imageChangeTriggers` and bumps `status.lastVersion`.
 */
import { rfc3339 } from '../../../domain/time.js';
import type { StoredObject } from '../../../state/types.js';
import type { TriggeredBuild } from '../../context.js';
import { describeObject, ensureMap, fileOf, isMap, setLeaf, type JsonMap } from '../objects.js';
import { bcImageChangeTriggers, type FromRef } from '../sources/buildconfigs.js';
import type { TagRetriever } from './tag-retriever.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function toRef(v: unknown): FromRef | undefined {
  if (!isMap(v)) return undefined;
  return { kind: str(v.kind), name: str(v.name), namespace: str(v.namespace), apiVersion: str(v.apiVersion) };
}

function sameFrom(a: { name: string; namespace: string }, b: { name: string; namespace: string }, ns: string): boolean {
  return a.name === b.name && (a.namespace || ns) === (b.namespace || ns);
}

function statusEntries(bc: JsonMap): JsonMap[] {
  const status = isMap(bc.status) ? bc.status : {};
  return Array.isArray(status.imageChangeTriggers) ? status.imageChangeTriggers.filter(isMap) : [];
}

/**
 * The first trigger whose resolved image differs from what it last triggered, if any (the
 * reactor's loop: a `from` that is not an ImageStreamTag and paused triggers are skipped).
 */
function firingTrigger(
  bc: JsonMap,
  namespace: string,
  retrieve: TagRetriever,
): { from: FromRef; ref: string } | undefined {
  for (const { params, from, explicit, paused } of bcImageChangeTriggers(bc)) {
    if ((explicit && from?.kind !== 'ImageStreamTag') || paused || !from) continue;
    const resolved = retrieve(from.namespace || namespace, from.name);
    if (!resolved) continue;
    const recorded = statusEntries(bc).find((e) =>
      sameFrom(toRef(e.from) ?? { name: '', namespace: '' }, from, namespace),
    );
    // "LastTriggeredImageID is an image ref, despite the name"; the pre-4.8 spec field counts too.
    if (recorded && str(recorded.lastTriggeredImageID) === resolved.ref) continue;
    if (str(params.lastTriggeredImageID) === resolved.ref) continue;
    return { from, ref: resolved.ref };
  }
  return undefined;
}

/** Options for one BuildConfig evaluation. */
export interface BuildTriggerOptions {
  now: () => Date;
}

/**
 * Evaluates a BuildConfig's ImageChange triggers; when one fires, records the build in the
 * BuildConfig's status as the build generator does and returns the triggered build.
 */
export function applyBuildConfigTriggers(
  so: StoredObject,
  retrieve: TagRetriever,
  options: BuildTriggerOptions,
): { build?: TriggeredBuild; warnings: string[] } {
  const bc = so.object as JsonMap;
  const fired = firingTrigger(bc, so.namespace, retrieve);
  if (!fired) return { warnings: [] };
  const desired: { from: FromRef; image: string; firing: boolean }[] = [];
  let firingSeen = false;
  for (const { from, typed, explicit } of bcImageChangeTriggers(bc)) {
    if (!typed || !from) continue;
    const firing: boolean = !firingSeen && sameFrom(from, fired.from, so.namespace);
    firingSeen ||= firing;
    const image = firing ? fired.ref : retrieve(from.namespace || so.namespace, from.name)?.ref;
    if (image === undefined && !explicit) {
      // generator.go: an unresolvable strategy image fails the instantiate request.
      return {
        warnings: [`${describeObject(so)}: build not started: the strategy image ${from.name} cannot be resolved`],
      };
    }
    desired.push({ from, image: image ?? '', firing });
  }
  // BuildConfigStatus field order: lastVersion, then imageChangeTriggers.
  const status = ensureMap(bc, 'status');
  const version = (typeof status.lastVersion === 'number' ? status.lastVersion : 0) + 1;
  status.lastVersion = version;
  writeStatus(bc, desired, options.now());
  const ns = fired.from.namespace || so.namespace;
  return {
    build: {
      namespace: so.namespace,
      name: so.name,
      file: fileOf(so),
      image: fired.ref,
      trigger: `${ns}/${fired.from.name}`,
      version,
    },
    warnings: [],
  };
}

/** Rewrites status.imageChangeTriggers entry by entry (leaves only), keeping untouched fields. */
function writeStatus(bc: JsonMap, desired: { from: FromRef; image: string; firing: boolean }[], now: Date): void {
  const status = ensureMap(bc, 'status');
  if (!Array.isArray(status.imageChangeTriggers)) status.imageChangeTriggers = [];
  const list = status.imageChangeTriggers as unknown[];
  if (list.length > desired.length) list.splice(desired.length);
  desired.forEach((d, i) => {
    const entry: JsonMap = isMap(list[i]) ? (list[i] as JsonMap) : {};
    if (!isMap(list[i])) list[i] = entry;
    if (d.image) setLeaf(entry, 'lastTriggeredImageID', d.image);
    else delete entry.lastTriggeredImageID;
    const from = ensureMap(entry, 'from');
    if (d.from.namespace) setLeaf(from, 'namespace', d.from.namespace);
    else delete from.namespace;
    setLeaf(from, 'name', d.from.name);
    if (d.firing) setLeaf(entry, 'lastTriggerTime', rfc3339(now));
  });
}
