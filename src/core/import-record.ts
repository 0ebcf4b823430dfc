/**
 * Records import results in an ImageStream exactly as openshift-apiserver's ImageStreamImport
 * handler does (openshift-apiserver pkg/image/apiserver/registry/imagestreamimport/rest.go
 * importSuccessful, setFailureCondition): success events, failure conditions, generations, the
 * dockerRepositoryCheck annotation, tracking tags — and reports which tags changed image.
 */
import { rfc3339 } from '../domain/time.js';
import {
  addTagEvent,
  clearConditions,
  currentEvent,
  ensureSpecTag,
  hasTagChanged,
  recordFailure,
  setImportPolicy,
  specTag,
  updateTrackingTags,
  type ImportTagPolicy,
} from '../domain/history.js';
import { applyCreateGenerations, applyUpdateGenerations, cloneJson, jsonEqual } from '../domain/generations.js';
import { ANNOTATION_INSECURE_REPOSITORY, ANNOTATION_REPOSITORY_CHECK, type ImageStream } from '../domain/types.js';
import type { TagChange } from './context.js';

/** The outcome of importing one pull spec into one tag. */
export interface TagImportResult extends ImportTagPolicy {
  tag: string;
  /** The pull spec imported (spec.tags[].from.name after import). */
  from: string;
  /** Whether the spec tag is (re)pointed at `from` — false for controller-style re-imports. */
  ok: boolean;
  digest?: string;
  dockerImageReference?: string;
  /** `host/repository` of the mirror that answered, when one did (never recorded in the stream). */
  mirror?: string;
  reason?: string;
  message?: string;
}

/**
 * Applies results to `stream` (the working copy) and returns the tags whose current image changed.
 * `created` is true when the stream did not exist before this import; `repository` is the
 * repository a whole-repository import (`--all`) came from.
 */
export function recordImportResults(
  stream: ImageStream,
  namespace: string,
  results: TagImportResult[],
  now: Date,
  created: boolean,
  internalRegistry?: string,
  repository?: { from: string; insecure: boolean },
): TagChange[] {
  const original = cloneJson(stream);
  if (repository !== undefined && stream.spec?.dockerImageRepository !== repository.from) {
    // `import-image --from REPO --all --confirm` makes the stream import REPO from now on: oc's
    // importAll / newImageStream set spec.dockerImageRepository on the stream (importimage.go).
    stream.spec ??= {};
    stream.spec.dockerImageRepository = repository.from;
  }
  if (repository?.insecure && stream.metadata.annotations?.[ANNOTATION_INSECURE_REPOSITORY] !== 'true') {
    // A repository imported with --insecure stays insecure for the imports that follow it: oc's
    // stream-saving path sets openshift.io/image.insecureRepository (importimage.go Run), which
    // is what the image controller and a later `import-image --all` read for the repository.
    stream.metadata.annotations = { ...stream.metadata.annotations, [ANNOTATION_INSECURE_REPOSITORY]: 'true' };
  }
  const nextGeneration = created ? 1 : (stream.metadata.generation ?? 0) + 1;
  const time = rfc3339(now);
  const before = new Map<string, { image: string; dockerImageReference: string } | undefined>();
  const remember = (tag: string) => {
    if (!before.has(tag)) {
      const e = currentEvent(stream, tag);
      before.set(tag, e ? { image: e.image, dockerImageReference: e.dockerImageReference } : undefined);
    }
  };
  for (const r of results) {
    remember(r.tag);
    if (r.ok && r.digest && r.dockerImageReference) recordSuccess(stream, namespace, r, nextGeneration, time, remember);
    else {
      if (!specTag(stream, r.tag)) ensureSpecTag(stream, r.tag, r.from, r, false);
      recordFailure(stream, r.tag, r.reason ?? 'InternalError', r.message ?? '', nextGeneration, time);
    }
  }
  finishUpdate(stream, original, namespace, created, time, internalRegistry);
  return changedTags(stream, namespace, before);
}

function recordSuccess(
  stream: ImageStream,
  namespace: string,
  r: TagImportResult,
  generation: number,
  time: string,
  remember: (tag: string) => void,
): void {
  const event = { created: time, dockerImageReference: r.dockerImageReference!, image: r.digest!, generation };
  if (hasTagChanged(stream, r.tag, event)) {
    ensureSpecTag(stream, r.tag, r.from, r, true);
    addTagEvent(stream, r.tag, event);
    const current = currentEvent(stream, r.tag);
    if (current) {
      for (const t of stream.spec?.tags ?? []) remember(t.name);
      updateTrackingTags(stream, namespace, r.tag, current);
    }
  }
  const ref = specTag(stream, r.tag);
  if (ref) setImportPolicy(ref, r.importPolicy);
  clearConditions(stream, r.tag);
}

function finishUpdate(
  stream: ImageStream,
  original: ImageStream,
  namespace: string,
  created: boolean,
  time: string,
  internalRegistry?: string,
): void {
  const annotations = stream.metadata.annotations ?? undefined;
  const hasAnnotation = Boolean(annotations && ANNOTATION_REPOSITORY_CHECK in annotations);
  if (created) {
    applyCreateGenerations(stream);
    setCheckAnnotation(stream, time);
    return;
  }
  if (hasAnnotation && jsonEqual(original, stream)) return; // nothing is written (rest.go)
  applyUpdateGenerations(original, stream, namespace);
  setCheckAnnotation(stream, time);
  // The API server fills status.dockerImageRepository on every update (strategy.go:148-180);
  // isctl writes it when the file has none, never rewriting one the user chose.
  if (internalRegistry && !stream.status?.dockerImageRepository) {
    const repo = `${internalRegistry}/${namespace}/${stream.metadata.name}`;
    stream.status = { dockerImageRepository: repo, ...(stream.status ?? {}) };
    stream.status.dockerImageRepository = repo;
  }
}

function setCheckAnnotation(stream: ImageStream, time: string): void {
  stream.metadata.annotations ??= {};
  stream.metadata.annotations[ANNOTATION_REPOSITORY_CHECK] = time;
}

function changedTags(
  stream: ImageStream,
  namespace: string,
  before: Map<string, { image: string; dockerImageReference: string } | undefined>,
): TagChange[] {
  const changes: TagChange[] = [];
  for (const [tag, prev] of before) {
    const cur = currentEvent(stream, tag);
    if (!cur) continue;
    if (prev && prev.image === cur.image && prev.dockerImageReference === cur.dockerImageReference) continue;
    const change: TagChange = {
      namespace,
      stream: stream.metadata.name,
      tag,
      to: { image: cur.image, dockerImageReference: cur.dockerImageReference },
    };
    if (prev) change.from = prev;
    changes.push(change);
  }
  return changes;
}
