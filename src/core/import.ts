/**
 * `import-image`: plan as oc does, resolve through the registry, then record the results in the
 * stream under the state lock and run triggers — one transaction, one diff.
 */
import { NotFoundError, ValidationError, type FieldProblem } from '../domain/errors.js';
import { pullSpecDigest, pullSpecTag, pullSpecWithTag, readPullSpec, validPullSpec } from '../domain/pullspec.js';
import { prioritizeTags } from '../domain/tag-order.js';
import { currentEvent, specTag } from '../domain/history.js';
import { firstRecorded } from '../domain/imagestream.js';
import { requireWritableNamespace } from '../domain/validation.js';
import type { Image, ImageStream } from '../domain/types.js';
import { newImageStream } from '../domain/imagestream.js';
import type { FileChange, Snapshot } from '../state/types.js';
import type { CoreContext, TagChange, TriggerReport } from './context.js';
import {
  planImport,
  requestedStream,
  type ImportImageOptions,
  type ImportPlan,
  type PlannedImage,
} from './import-plan.js';
import { recordImportResults, type TagImportResult } from './import-record.js';
import { rfc3339 } from '../domain/time.js';
import { resolveAll, failureOf, type ResolveAnswer } from './resolve-tags.js';

/** One imported (or failed) image, in the order oc prints them. */
export interface ImportedImageReport {
  /** The tag shown in `Image Name: <stream>:<tag>` (the source tag, oc's quirk). */
  displayTag: string;
  /** The stream tag written. */
  tag: string;
  fromRepository: boolean;
  image?: Image;
  error?: { reason: string; message: string };
}

/** What `import-image` did. */
export interface ImportImageResult {
  namespace: string;
  streamName: string;
  /** The stream after the import (what `describe is` of status.import shows); undefined for dry runs. */
  stream?: ImageStream;
  /** The stream oc's client built for the import, which `-o json|yaml` prints (`requestedStream`). */
  requested: ImageStream;
  images: ImportedImageReport[];
  additionalTags: string[];
  repositoryError?: { reason: string; message: string };
  failed: boolean;
  dryRun: boolean;
  changes: FileChange[];
  tagChanges: TagChange[];
  triggers: TriggerReport;
}

/** The flags of `import-image`, and a progress callback. */
export interface ImportImageInput extends ImportImageOptions {
  /** Called as tags finish resolving: tags done, total, the source just resolved, failures so far. */
  onProgress?: (done: number, total: number, current: string, failures: number) => void;
}

/** Runs `import-image` with oc's semantics, in the namespace of the context. */
export async function importImage(ctx: CoreContext, options: ImportImageInput): Promise<ImportImageResult> {
  const namespace = ctx.namespace;
  const snapshot = await ctx.store.read(namespace);
  const existing = snapshot.find<ImageStream>('ImageStream', namespace, planName(options))?.object;
  const plan = planImport(options, existing);
  // importimage.go Run posts the ImageStreamImport: admission answers before the server validates it.
  requireWritableNamespace(namespace);
  validateImport(plan);
  const { images, additionalTags, repositoryError } = await expandRepository(ctx, plan);
  const requests = images.map((i) => ({
    source: readPullSpec(i.from),
    importPolicy: i.importPolicy,
    annotations: existing && specTag(existing, i.to)?.annotations,
    cold: !existing || !currentEvent(existing, i.to),
  }));
  const answers = await resolveAll(ctx.source, requests, {
    onDone: progressCounter(
      images.map((i) => i.from),
      options.onProgress,
    ),
  });
  const results = images.map((img, i) => toResult(img, answers[i]));
  const dryRun = Boolean(options.dryRun);
  const { result, changes } = await ctx.store.update(namespace, (snap) => record(ctx, snap, namespace, plan, results), {
    dryRun,
  });
  const reports = images.map((img, i) => report(img, answers[i], plan, result.stream, ctx.now(), dryRun));
  const failed = reports.some((r) => r.error) || Boolean(repositoryError);
  return {
    namespace,
    streamName: plan.stream,
    // What the API server returns: the stream with its namespace (a file may leave it implicit).
    ...(dryRun ? {} : { stream: { ...result.stream, metadata: { ...result.stream.metadata, namespace } } }),
    requested: requestedStream(options, plan, existing, namespace),
    images: reports,
    additionalTags,
    ...(repositoryError ? { repositoryError } : {}),
    failed,
    dryRun,
    changes,
    tagChanges: result.tagChanges,
    triggers: result.triggers,
  };
}

function progressCounter(
  sources: string[],
  onProgress: ImportImageInput['onProgress'],
): ((index: number, answer: ResolveAnswer) => void) | undefined {
  if (!onProgress) return undefined;
  let done = 0;
  let failures = 0;
  return (index, answer) => {
    done++;
    if (!answer.ok) failures++;
    onProgress(done, sources.length, sources[index], failures);
  };
}

function planName(o: ImportImageOptions): string {
  try {
    return planImport({ ...o, confirm: true }, undefined).stream;
  } catch {
    return '';
  }
}

async function expandRepository(
  ctx: CoreContext,
  plan: ImportPlan,
): Promise<{
  images: PlannedImage[];
  additionalTags: string[];
  repositoryError?: { reason: string; message: string };
}> {
  if (!plan.repository) return { images: plan.images, additionalTags: [] };
  const repo = plan.repository;
  const spec = validPullSpec(readPullSpec(repo.from));
  let tags: string[];
  try {
    tags = await ctx.source.listTags(spec, { insecure: Boolean(repo.importPolicy.insecure) });
  } catch (err) {
    return { images: [], additionalTags: [], repositoryError: failureOf(err, spec) };
  }
  // importRepositoryFromDocker: empty tag → latest, dedupe, sort, PrioritizeTags, first N.
  const ordered = prioritizeTags([...new Set(tags.map((t) => t || 'latest'))].sort());
  const limit = ctx.settings.maxBulkImport;
  const take = limit < 0 ? ordered : ordered.slice(0, limit);
  const images = take.map((tag) => ({
    from: pullSpecWithTag(spec, tag),
    to: tag,
    importPolicy: repo.importPolicy,
    referencePolicy: repo.referencePolicy,
  }));
  return { images, additionalTags: limit < 0 ? [] : ordered.slice(limit) };
}

/**
 * ValidateImageStreamImport (openshift-apiserver pkg/image/apis/image/validation): the server refuses
 * the whole ImageStreamImport — before importing or writing anything — when a pull spec does not
 * parse, or a repository import names a tag or digest.
 */
function validateImport(plan: ImportPlan): void {
  const problems: FieldProblem[] = [];
  const invalid = (field: string, value: string, reason: string) =>
    problems.push({ field, message: `Invalid value: "${value}": ${reason}` });
  plan.images.forEach((img, i) => {
    const spec = readPullSpec(img.from);
    if (spec.transport === 'invalid') invalid(`spec.images[${i}].from.name`, img.from, spec.error.reason);
  });
  if (plan.repository) {
    const from = plan.repository.from;
    const spec = readPullSpec(from);
    if (spec.transport === 'invalid') invalid('spec.repository.from.name', from, spec.error.reason);
    else if (pullSpecTag(spec) || pullSpecDigest(spec))
      invalid('spec.repository.from.name', from, 'you must specify an image repository, not a tag or ID');
  }
  if (problems.length > 0) throw new ValidationError('ImageStreamImport', plan.stream, problems);
}

function toResult(img: PlannedImage, answer: ResolveAnswer): TagImportResult {
  const base = { tag: img.to, from: img.from, importPolicy: img.importPolicy, referencePolicy: img.referencePolicy };
  if (answer.ok)
    return {
      ...base,
      ok: true,
      digest: answer.resolved.digest,
      dockerImageReference: answer.resolved.dockerImageReference,
    };
  return { ...base, ok: false, reason: answer.reason, message: answer.message };
}

function report(
  img: PlannedImage,
  answer: ResolveAnswer,
  plan: ImportPlan,
  recorded: ImageStream,
  now: Date,
  dryRun: boolean,
): ImportedImageReport {
  const source = readPullSpec(img.from);
  const displayTag = source.transport === 'invalid' ? img.to : pullSpecTag(source) || 'latest';
  const base = { displayTag, tag: img.to, fromRepository: Boolean(plan.repository) };
  if (!answer.ok) return { ...base, error: { reason: answer.reason, message: answer.message } };
  const image = { ...answer.image, dockerImageReference: answer.resolved.dockerImageReference };
  // A dry run returns the importer's Image, which nothing created (rest.go Create: `!isi.Spec.Import`
  // returns before createImages): no creationTimestamp, so no Created: line.
  if (dryRun) {
    const { creationTimestamp: _none, ...metadata } = answer.image.metadata;
    return { ...base, image: { ...image, metadata } };
  }
  // The Image the ImageStreamImport returns is the stored one (imagestreamimport/rest.go
  // importSuccessful → imageCreater.Create): created when first recorded, now for a new image.
  const created = firstRecorded(recorded, answer.image.metadata.name)?.created ?? rfc3339(now);
  const metadata = { ...answer.image.metadata, creationTimestamp: created };
  return { ...base, image: { ...image, metadata } };
}

function record(ctx: CoreContext, snap: Snapshot, namespace: string, plan: ImportPlan, results: TagImportResult[]) {
  let stored = snap.find<ImageStream>('ImageStream', namespace, plan.stream);
  let created = false;
  if (!stored) {
    if (!plan.create) throw new NotFoundError('imagestreams.image.openshift.io', plan.stream);
    stored = snap.add(
      newImageStream(plan.stream, namespace, { now: ctx.now(), internalRegistry: ctx.settings.internalRegistry }),
      namespace,
    );
    created = true;
  }
  const tagChanges = recordImportResults(
    stored.object,
    namespace,
    results,
    ctx.now(),
    created,
    ctx.settings.internalRegistry,
    plan.repository && { from: plan.repository.from, insecure: plan.repository.importPolicy.insecure === true },
  );
  const triggers = ctx.triggers.apply(snap, tagChanges, ctx.settings);
  return { stream: stored.object, tagChanges, triggers };
}
