/**
 * How an import changes an ImageStream's spec tag and status, as openshift-apiserver's
 * ImageStreamImport REST does (pkg/image/apiserver/registry/imagestreamimport/rest.go
 * importSuccessful, setFailureCondition; strategy.go tagsChanged for tracking tags): events are
 * prepended only when the image changes, identical failures are not re-recorded, history is never
 * trimmed.
 */
import type {
  ImageStream,
  NamedTagEventList,
  TagEvent,
  TagEventCondition,
  TagImportPolicy,
  TagReference,
} from './types.js';
import { findSpecTag as specTag, findStatusTag as statusTag, latestTaggedImage } from './imagestream.js';

export { specTag, statusTag };

/** The policy an import carries for a tag (ISI images[].importPolicy / referencePolicy). */
export interface ImportTagPolicy {
  importPolicy: TagImportPolicy;
  referencePolicy: { type: string };
}

function ensureStatusTag(stream: ImageStream, tag: string): NamedTagEventList {
  stream.status ??= {};
  stream.status.tags ??= [];
  let entry = stream.status.tags.find((t) => t.tag === tag);
  if (!entry) {
    entry = { tag, items: null };
    insertSorted(stream.status.tags, entry, (e) => e.tag);
  }
  return entry;
}

/** Inserts keeping the list sorted by name, as the v1 conversion emits lists (conversion.go). */
export function insertSorted<T>(list: T[], item: T, key: (x: T) => string): void {
  const k = key(item);
  const at = list.findIndex((x) => key(x) > k);
  if (at < 0) list.push(item);
  else list.splice(at, 0, item);
}

/**
 * AddTagEventToImageStream (internal/imageutil/helpers.go:365-404): prepends `next` unless it
 * differs from items[0] only in generation, ref or image, in which case items[0] is updated in
 * place. Conditions are cleared whenever something changed. Returns true when status changed.
 */
export function addTagEvent(stream: ImageStream, tag: string, next: TagEvent): boolean {
  const entry = ensureStatusTag(stream, tag);
  const items = entry.items ?? [];
  if (items.length === 0) {
    entry.items = [next];
    delete entry.conditions;
    return true;
  }
  const cur = items[0];
  const sameRef = cur.dockerImageReference === next.dockerImageReference;
  const sameImage = cur.image === next.image;
  if (sameRef && sameImage) {
    if (cur.generation === next.generation) return false;
    cur.generation = next.generation;
  } else if (sameRef || sameImage) {
    if (!sameImage) cur.image = next.image;
    if (!sameRef) cur.dockerImageReference = next.dockerImageReference;
    cur.generation = next.generation;
  } else {
    items.unshift(next);
    entry.items = items;
  }
  delete entry.conditions;
  return true;
}

/** hasTagChanged (rest.go:637-651): would this event change the tag's current image or generation? */
export function hasTagChanged(stream: ImageStream, tag: string, next: TagEvent): boolean {
  const entry = statusTag(stream, tag);
  if (!entry?.items || entry.items.length === 0) return true;
  const spec = specTag(stream, tag);
  if (!spec || spec.generation === undefined || spec.generation === null) return true;
  const prev = entry.items[0];
  return (
    prev.dockerImageReference !== next.dockerImageReference ||
    prev.image !== next.image ||
    spec.generation > prev.generation
  );
}

/**
 * ensureSpecTag (rest.go:527-558): makes `tag` import `from`; with reset the generation is set to 0
 * so the update assigns the new stream generation. The reference policy is only set when absent.
 */
export function ensureSpecTag(
  stream: ImageStream,
  tag: string,
  from: string,
  policy: ImportTagPolicy,
  reset: boolean,
): TagReference {
  stream.spec ??= {};
  stream.spec ??= {};
  stream.spec.tags ??= [];
  let ref = specTag(stream, tag);
  if (!ref) {
    ref = { name: tag, annotations: null, from: { kind: 'DockerImage', name: from }, generation: 0 };
    // A new tag is written the way the API server serialises it: defaults explicit
    // (openshift/api image/v1 defaults).
    ref.importPolicy = {
      ...(policy.importPolicy.insecure ? { insecure: true } : {}),
      ...(policy.importPolicy.scheduled ? { scheduled: true } : {}),
      importMode: policy.importPolicy.importMode || 'Legacy',
    };
    ref.referencePolicy = { type: policy.referencePolicy.type || 'Source' };
    insertSorted(stream.spec.tags, ref, (t) => t.name);
    return ref;
  }
  if (!reset) return ref;
  if (ref.from?.kind !== 'DockerImage' || ref.from.name !== from) {
    if (ref.from) {
      ref.from.kind = 'DockerImage';
      ref.from.name = from;
    } else ref.from = { kind: 'DockerImage', name: from };
  }
  ref.generation = 0;
  setImportPolicy(ref, policy.importPolicy);
  if (!ref.referencePolicy?.type) ref.referencePolicy = { type: policy.referencePolicy.type || 'Source' };
  return ref;
}

/**
 * Sets a tag's importPolicy to `want`, comparing with API defaults (importMode Legacy, booleans
 * false) so that a value equal to the default is not written into a file that omitted it.
 */
export function setImportPolicy(ref: TagReference, want: TagImportPolicy): void {
  const cur = ref.importPolicy;
  const same =
    Boolean(cur?.insecure) === Boolean(want.insecure) &&
    Boolean(cur?.scheduled) === Boolean(want.scheduled) &&
    (cur?.importMode || 'Legacy') === (want.importMode || 'Legacy');
  if (same) return;
  const next: TagImportPolicy = cur ? cur : {};
  setFlag(next, 'insecure', Boolean(want.insecure));
  setFlag(next, 'scheduled', Boolean(want.scheduled));
  const mode = want.importMode || 'Legacy';
  if ((next.importMode || 'Legacy') !== mode) next.importMode = mode;
  ref.importPolicy = next;
}

function setFlag(p: TagImportPolicy, key: 'insecure' | 'scheduled', value: boolean): void {
  if (value) p[key] = true;
  else if (p[key] !== undefined) delete p[key];
}

/** hasTagCondition (rest.go:505-513): same type, status, reason and message already recorded. */
export function hasTagCondition(stream: ImageStream, tag: string, c: TagEventCondition): boolean {
  const entry = statusTag(stream, tag);
  return Boolean(
    entry?.conditions?.some(
      (x) => x.type === c.type && x.status === c.status && x.reason === c.reason && x.message === c.message,
    ),
  );
}

/**
 * setFailureCondition (rest.go:459-497): replaces the tag's conditions with one ImportSuccess=False
 * and resets the spec tag generation to 0; history is kept. Identical failures change nothing.
 */
export function recordFailure(
  stream: ImageStream,
  tag: string,
  reason: string,
  message: string,
  generation: number,
  now: string,
): boolean {
  const condition: TagEventCondition = {
    type: 'ImportSuccess',
    status: 'False',
    lastTransitionTime: now,
    reason,
    message: message || 'unknown error prevented import',
    generation,
  };
  if (hasTagCondition(stream, tag, condition)) return false;
  const entry = ensureStatusTag(stream, tag);
  entry.conditions = [condition];
  const ref = specTag(stream, tag);
  if (ref) ref.generation = 0;
  return true;
}

/** Removes the conditions of a tag after a successful import (setTagConditions with none). */
export function clearConditions(stream: ImageStream, tag: string): void {
  const entry = statusTag(stream, tag);
  if (entry?.conditions) delete entry.conditions;
}

/**
 * UpdateTrackingTags (helpers.go:416-482): tags of the same stream that follow `tag` through an
 * ImageStreamTag reference get its new current event. Returns the names of the tags updated.
 */
export function updateTrackingTags(stream: ImageStream, namespace: string, tag: string, event: TagEvent): string[] {
  const updated: string[] = [];
  const name = stream.metadata.name;
  for (const ref of stream.spec?.tags ?? []) {
    if (ref.name === tag || ref.from?.kind !== 'ImageStreamTag') continue;
    const ns = ref.from.namespace;
    if (ns && ns !== namespace) continue;
    const target = ref.from.name;
    if (target !== tag && target !== `${name}:${tag}`) continue;
    if (addTagEvent(stream, ref.name, { ...event })) updated.push(ref.name);
  }
  return updated;
}

/** items[0] of a tag (LatestTaggedImage; empty tag means latest). */
export const currentEvent = latestTaggedImage;

/**
 * Removes a tag's spec entry and its history, as deleting an ImageStreamTag does
 * (imagestreamtag/rest.go Delete). Returns false when the stream has neither.
 */
export function removeTag(stream: ImageStream, tag: string): boolean {
  const inSpec = stream.spec?.tags?.some((t) => t.name === tag) ?? false;
  const inStatus = stream.status?.tags?.some((t) => t.tag === tag) ?? false;
  if (inSpec) stream.spec.tags = stream.spec.tags!.filter((t) => t.name !== tag);
  if (inStatus) stream.status!.tags = stream.status!.tags!.filter((t) => t.tag !== tag);
  return inSpec || inStatus;
}
