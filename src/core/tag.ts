/**
 * `tag`: sets or deletes spec tags the way `oc tag` and the API server do (openshift/oc
 * pkg/cli/tag/tag.go Run; openshift-apiserver imagestream strategy.go tagsChanged):
 * istag sources are pinned to their current image, status events are written synchronously for
 * tag references, and a DockerImage tag is imported right away, as the image controller would.
 */
import { CommandError, NotFoundError, ValidationError } from '../domain/errors.js';
import { addTagEvent, insertSorted, removeTag, updateTrackingTags } from '../domain/history.js';
import { applyCreateGenerations, applyUpdateGenerations, cloneJson } from '../domain/generations.js';
import { digestOrImageMatch, findSpecTag, findStatusTag, latestTaggedImage } from '../domain/imagestream.js';
import { exact, exactWithTagAndDigest, nameString } from '../domain/reference.js';
import type { ImageStream, TagEvent, TagReference } from '../domain/types.js';
import type { FileChange, Snapshot } from '../state/types.js';
import type { CoreContext, TagChange, TriggerReport } from './context.js';
import { newImageStream } from '../domain/imagestream.js';
import { recordImportResults } from './import-record.js';
import { rfc3339 } from '../domain/time.js';
import { readPullSpec } from '../domain/pullspec.js';
import { requireRequestNamespace, requireWritableNamespace } from '../domain/validation.js';
import { resolveOne, type ResolveAnswer } from './resolve-tags.js';
import {
  completeTag,
  validateTag,
  sourceExact,
  splitDestination,
  type TagDestination,
  type TagOptions,
  type TagPlan,
} from './tag-plan.js';

/** What `tag` did for every destination, in order. */
export interface TagResult {
  messages: string[];
  changes: FileChange[];
  tagChanges: TagChange[];
  triggers: TriggerReport[];
  /**
   * The error that stopped the run at a later destination: the destinations before it are set
   * and their messages and changes above, as oc prints `Tag …`/`Deleted tag …` lines before it fails.
   */
  error?: unknown;
}

/** The arguments and flags of `tag`. */
export interface TagInput extends TagOptions {
  dryRun?: boolean;
  /**
   * Check every destination's form before setting any (isctl's --commit: a run stopped half way
   * would leave changed files that are not committed).
   */
  checkAllFirst?: boolean;
}

/**
 * Runs `tag` in the namespace of the context; the first failing destination stops the rest
 * (earlier ones stay applied, as in oc).
 */
export async function tagImages(ctx: CoreContext, options: TagInput): Promise<TagResult> {
  const namespace = ctx.namespace;
  const dryRun = Boolean(options.dryRun);
  const completed = completeTag(options, namespace);
  if (!completed.delete && completed.kind === 'ImageStreamTag' && !completed.alias)
    await pinIstagSource(ctx, completed, namespace);
  const plan = validateTag(completed, options, namespace);
  const from = plan.delete ? '' : fromName(plan);
  // The server imports when the first destination is written, after admission let it through.
  let answer: ResolveAnswer | undefined;
  const resolve = async () => {
    if (answer || plan.delete || plan.kind !== 'DockerImage' || plan.reference) return;
    answer = await resolveOne(ctx.source, {
      source: readPullSpec(from),
      importPolicy: { insecure: plan.insecure, scheduled: plan.scheduled, importMode: plan.importMode },
    });
  };
  const out: TagResult = { messages: [], changes: [], tagChanges: [], triggers: [] };
  if (options.checkAllFirst) for (const target of plan.targets) splitDestination(target, plan.delete);
  for (const target of plan.targets) {
    try {
      // tag.go Run checks each destination when it reaches it (SplitImageStreamTag, validateTag).
      const dest = splitDestination(target, plan.delete);
      // tag.go Run: the ImageStreamTag update (or create) of the destination passes admission first;
      // NamespaceLifecycle lets every delete through, so -d only meets client-go's path-segment check.
      if (plan.delete) requireRequestNamespace(dest.namespace);
      else requireWritableNamespace(dest.namespace);
      await resolve();
      const { result, changes } = await ctx.store.update(
        namespace,
        (snap) => (plan.delete ? deleteTag(snap, dest) : setTag(ctx, snap, plan, dest, namespace, from, answer)),
        { dryRun },
      );
      out.messages.push(result.message);
      out.changes.push(...changes);
      out.tagChanges.push(...result.tagChanges);
      if (result.triggers) out.triggers.push(result.triggers);
    } catch (e) {
      if (out.messages.length === 0) throw e;
      out.error = e;
      break;
    }
  }
  return out;
}

async function pinIstagSource(ctx: CoreContext, plan: TagPlan, namespace: string): Promise<void> {
  const ref = plan.ref!;
  // tag.go Complete: ImageStreams(srcNamespace).Get, built by client-go's Request.Namespace.
  requireRequestNamespace(ref.namespace || namespace);
  const snap = await ctx.store.read(namespace);
  const stream = snap.find<ImageStream>('ImageStream', ref.namespace || namespace, ref.name);
  if (!stream) throw new NotFoundError('imagestreams.image.openshift.io', ref.name);
  const event = latestTaggedImage(stream.object, ref.tag);
  if (!event)
    throw new CommandError(
      `"${plan.source}" is not currently pointing to an image, cannot use it as the source of a tag`,
    );
  if (!event.image) {
    const recorded = readPullSpec(event.dockerImageReference);
    if (recorded.transport !== 'docker') {
      const why = recorded.transport === 'invalid' ? recorded.error.message : 'it names an OCI layout';
      throw new CommandError(
        `the image stream tag "${plan.source}" has an invalid pull spec and cannot be used to tag: ${why}`,
      );
    }
    plan.ref = { ...recorded.ref };
    plan.kind = 'DockerImage';
    return;
  }
  plan.kind = 'ImageStreamImage';
  plan.ref = { ...ref, id: event.image, tag: '' };
}

function fromName(plan: TagPlan): string {
  if (!plan.ref) return plan.source ?? '';
  return plan.kind === 'DockerImage' ? exact(plan.ref) : nameString(plan.ref);
}

function deleteTag(snap: Snapshot, dest: TagDestination) {
  const stored = snap.find<ImageStream>('ImageStream', dest.namespace, dest.stream);
  const name = `${dest.stream}:${dest.tag}`;
  const s = stored?.object;
  // imagestreamtag/rest.go Delete: GetImageStream first (its NotFound names the stream), then the tag.
  if (!s) throw new NotFoundError('imagestreams.image.openshift.io', dest.stream);
  const original = cloneJson(s);
  if (!removeTag(s, dest.tag)) throw new NotFoundError('imagestreamtags.image.openshift.io', name);
  applyUpdateGenerations(original, s, dest.namespace);
  // tag.go Run: "Deleted tag %s/%s." of destNameAndTag as typed.
  return {
    message: `Deleted tag ${dest.namespace}/${dest.nameAndTag}.`,
    tagChanges: [] as TagChange[],
    triggers: undefined,
  };
}

function setTag(
  ctx: CoreContext,
  snap: Snapshot,
  plan: TagPlan,
  dest: TagDestination,
  namespace: string,
  from: string,
  answer?: ResolveAnswer,
) {
  let stored = snap.find<ImageStream>('ImageStream', dest.namespace, dest.stream);
  const created = !stored;
  if (!stored)
    stored = snap.add(
      newImageStream(dest.stream, dest.namespace, { now: ctx.now(), internalRegistry: ctx.settings.internalRegistry }),
      dest.namespace,
    );
  const s = stored.object;
  const original = cloneJson(s);
  const before = currentImages(s);
  const next = newTagReference(plan, dest, namespace, from);
  const old = findSpecTag(s, dest.tag);
  const changed = !old || tagSourceChanged(old, next, dest.namespace);
  putSpecTag(s, next);
  if (created) applyCreateGenerations(s);
  else applyUpdateGenerations(original, s, dest.namespace);
  const time = rfc3339(ctx.now());
  if (changed) writeReferenceEvent(snap, s, plan, dest, time, ctx.settings.internalRegistry);
  const tagChanges: TagChange[] = [];
  if (answer) {
    const policy = {
      importPolicy: next.importPolicy ?? {},
      referencePolicy: { type: next.referencePolicy?.type ?? 'Source' },
    };
    const r = answer.ok
      ? {
          tag: dest.tag,
          from,
          ok: true,
          digest: answer.resolved.digest,
          dockerImageReference: answer.resolved.dockerImageReference,
          ...policy,
        }
      : { tag: dest.tag, from, ok: false, reason: answer.reason, message: answer.message, ...policy };
    recordImportResults(s, dest.namespace, [r], ctx.now(), false, ctx.settings.internalRegistry);
  }
  tagChanges.push(...diffImages(s, dest, before));
  const triggers = ctx.triggers.apply(snap, tagChanges, ctx.settings);
  return { message: message(plan, dest, namespace), tagChanges, triggers };
}

function newTagReference(plan: TagPlan, dest: TagDestination, namespace: string, from: string): TagReference {
  const ref: TagReference = { name: dest.tag, annotations: null, from: { kind: plan.kind!, name: from } };
  if (plan.kind !== 'DockerImage') {
    const ns = plan.ref?.namespace || (dest.namespace !== namespace ? namespace : '');
    if (ns) ref.from!.namespace = ns;
  }
  if (plan.reference) ref.reference = true;
  ref.generation = plan.kind === 'DockerImage' ? 0 : null;
  ref.importPolicy = {
    ...(plan.insecure ? { insecure: true } : {}),
    ...(plan.scheduled ? { scheduled: true } : {}),
    importMode: plan.importMode,
  };
  ref.referencePolicy = { type: plan.referencePolicy };
  return ref;
}

function tagSourceChanged(old: TagReference, next: TagReference, ns: string): boolean {
  return (
    (old.from?.namespace || ns) !== (next.from?.namespace || ns) ||
    old.from?.name !== next.from?.name ||
    Boolean(old.reference) !== Boolean(next.reference) ||
    (old.importPolicy?.importMode || 'Legacy') !== (next.importPolicy?.importMode || 'Legacy')
  );
}

/** Replaces the spec tag in place (keeping its position and key order) or inserts it sorted. */
function putSpecTag(s: ImageStream, next: TagReference): void {
  // `spec` is optional in a file (the API server defaults it to {}); a stream written as bare metadata still takes tags.
  s.spec ??= {};
  s.spec.tags ??= [];
  const cur = s.spec.tags.find((t) => t.name === next.name);
  if (!cur) {
    insertSorted(s.spec.tags, next, (t) => t.name);
    return;
  }
  const target = cur as Record<string, unknown>;
  for (const k of Object.keys(target)) if (!(k in next)) delete target[k];
  for (const [k, v] of Object.entries(next)) {
    if (JSON.stringify(target[k]) !== JSON.stringify(v)) target[k] = cloneJson(v);
  }
}

/** tagsChanged (strategy.go:212-314): synchronous events for istag/isimage sources and --reference tags. */
function writeReferenceEvent(
  snap: Snapshot,
  s: ImageStream,
  plan: TagPlan,
  dest: TagDestination,
  time: string,
  internalRegistry: string,
): void {
  const gen = findSpecTag(s, dest.tag)?.generation ?? s.metadata.generation ?? 1;
  let event: TagEvent | undefined;
  if (plan.kind === 'DockerImage') {
    if (!plan.reference) return;
    event = { created: time, dockerImageReference: findSpecTag(s, dest.tag)!.from!.name, image: '', generation: gen };
  } else {
    const ref = plan.ref!;
    // tagsChanged reads the stream the spec tag names: from.namespace (Run sets it to the current
    // namespace for a SOURCE without one tagged into another namespace), else the stream's own.
    const srcNs = findSpecTag(s, dest.tag)?.from?.namespace || dest.namespace;
    const src =
      srcNs === dest.namespace && ref.name === dest.stream
        ? s
        : snap.find<ImageStream>('ImageStream', srcNs, ref.name)?.object;
    if (!src) throw tagsChangedInvalid(dest, `Not found: "${fromName(plan)}"`);
    let found: TagEvent | undefined;
    if (plan.kind === 'ImageStreamTag') {
      // tagReferenceToTagEvent: LatestTaggedImage, the source event itself (its time kept).
      found = latestTaggedImage(src, ref.tag);
    } else {
      // ResolveImageID (internal/imageutil/helpers.go): a new event, created now.
      const match = findImageEvent(src, ref.id, dest, plan);
      found = { created: time, dockerImageReference: match.dockerImageReference, image: match.image, generation: 0 };
    }
    if (!found) return; // a missing source tag is fine: no event
    event = { ...found, generation: gen };
    if (!plan.reference)
      event.dockerImageReference = pointAtStream(event.dockerImageReference, internalRegistry, srcNs, ref.name, dest);
  }
  if (addTagEvent(s, dest.tag, event)) {
    const cur = latestTaggedImage(s, dest.tag);
    if (cur) updateTrackingTags(s, dest.namespace, dest.tag, cur);
  }
}

/**
 * tagsChanged: "if this is not a reference tag, and the tag points to the internal registry for the
 * other namespace, alter it to point to this stream so that pulls happen from this stream".
 */
function pointAtStream(
  pullSpec: string,
  internalRegistry: string,
  srcNamespace: string,
  srcName: string,
  dest: TagDestination,
): string {
  const recorded = readPullSpec(pullSpec);
  if (recorded.transport !== 'docker') return pullSpec;
  const ref = recorded.ref;
  if (!internalRegistry || ref.registry !== internalRegistry || ref.namespace !== srcNamespace || ref.name !== srcName)
    return pullSpec;
  return exactWithTagAndDigest({ ...ref, namespace: dest.namespace, name: dest.stream });
}

function findImageEvent(src: ImageStream, id: string, dest: TagDestination, plan: TagPlan): TagEvent {
  const matches = new Map<string, TagEvent>();
  for (const t of src.status?.tags ?? [])
    for (const e of t.items ?? []) if (e.image && digestOrImageMatch(e.image, id)) matches.set(e.image, e);
  if (matches.size === 1) return [...matches.values()][0];
  // ResolveImageID: NotFound or Conflict of the imagestreamimage, which tagsChanged wraps as
  // field.Invalid(from.name, "error generating tag event: %v").
  const why =
    matches.size > 1
      ? `Operation cannot be fulfilled on imagestreamimage.image.openshift.io "${id}": ` +
        `multiple images match the prefix "${id}": ${[...matches.keys()].sort().join(', ')}`
      : `imagestreamimage.image.openshift.io "${id}" not found`;
  throw tagsChangedInvalid(dest, `Invalid value: "${fromName(plan)}": error generating tag event: ${why}`);
}

/**
 * What the API server answers when imagestream/strategy.go tagsChanged finds a field error: it is
 * wrapped by validateTagsAndLimits as NewInvalid("imagestreams", name, errs), which Validate and
 * ValidateUpdate then turn into field.InternalError(field.NewPath(""), err) of the ImageStream.
 */
function tagsChangedInvalid(dest: TagDestination, detail: string): ValidationError {
  const inner = `imagestreams "${dest.stream}" is invalid: spec.tags[${dest.tag}].from.name: ${detail}`;
  return new ValidationError('ImageStream', dest.stream, [{ field: '', message: `Internal error: ${inner}` }]);
}

function currentImages(s: ImageStream): Map<string, TagEvent | undefined> {
  return new Map((s.status?.tags ?? []).map((t) => [t.tag, t.items?.[0] ? { ...t.items[0] } : undefined]));
}

function diffImages(s: ImageStream, dest: TagDestination, before: Map<string, TagEvent | undefined>): TagChange[] {
  const out: TagChange[] = [];
  for (const t of s.status?.tags ?? []) {
    const cur = findStatusTag(s, t.tag)?.items?.[0];
    if (!cur) continue;
    const prev = before.get(t.tag);
    if (prev && prev.image === cur.image && prev.dockerImageReference === cur.dockerImageReference) continue;
    const change: TagChange = {
      namespace: dest.namespace,
      stream: s.metadata.name,
      tag: t.tag,
      to: { image: cur.image, dockerImageReference: cur.dockerImageReference },
    };
    if (prev) change.from = { image: prev.image, dockerImageReference: prev.dockerImageReference };
    out.push(change);
  }
  return out;
}

function message(plan: TagPlan, dest: TagDestination, namespace: string): string {
  const same = dest.namespace === namespace;
  const name = dest.nameAndTag;
  const where = same ? name : `${dest.namespace}/${name}`;
  const src = sourceExact(plan);
  if (plan.alias) return `Tag ${where} set up to track ${src}.`;
  if (plan.scheduled)
    return same ? `Tag ${where} set to import ${src} periodically.` : `Tag ${where} set to ${src} periodically.`;
  return `Tag ${where} set to ${src}.`;
}
