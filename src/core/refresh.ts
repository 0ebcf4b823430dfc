/**
 * `refresh`: re-import every registry-sourced tag of the selected streams, record what changed
 * as OpenShift's image controllers would (imagestream-api.md §2.2, §3), and apply triggers.
 */
import type { CoreContext, TagChange, TriggerReport } from './context.js';
import type { FileChange, Snapshot, StoredObject } from '../state/types.js';
import type { ImageStream, TagReference } from '../domain/types.js';
import { currentEvent, specTag } from '../domain/history.js';
import { parseDockerImageReference } from '../domain/reference.js';
import { recordImportResults, type TagImportResult } from './import-record.js';
import { failureOf, resolveAll, type ResolveAnswer } from './resolve-tags.js';
import { parsePullSpec, pullSpecWithTag, type PullSpec } from '../domain/pullspec.js';
import { prioritizeTags } from '../domain/tag-order.js';
import { ANNOTATION_INSECURE_REPOSITORY } from '../domain/types.js';
import { NotFoundError } from '../domain/errors.js';

/** Which tags a refresh looks at. */
export interface RefreshSelection {
  /** Namespace to refresh; undefined = every namespace (-A). */
  namespace?: string;
  /** The namespace the command runs in (objects without metadata.namespace belong to it). */
  contextNamespace?: string;
  /** Stream names (empty = all streams of the namespace). */
  streams?: string[];
  /** Only tags with importPolicy.scheduled: true (what OpenShift's scheduler re-imports). */
  scheduledOnly?: boolean;
  /** Extra filter, e.g. from a webhook: only tags whose source matches. */
  match?: (tag: { namespace: string; stream: string; tag: string; from: string }) => boolean;
}

/** How a refresh runs. */
export interface RefreshOptions {
  dryRun?: boolean;
  /** Called as tags finish (for progress output). */
  onProgress?: (done: number, total: number, current: string, failures: number) => void;
}

/** What happened to one tag. */
export interface TagRefreshOutcome {
  namespace: string;
  stream: string;
  tag: string;
  from: string;
  status: 'unchanged' | 'changed' | 'failed';
  oldDigest?: string;
  newDigest?: string;
  error?: { reason: string; message: string };
  /**
   * Set when a version policy kept the tag on its current image although the registry has a newer
   * one (status stays `unchanged`): why, for the logs and the status page of `serve`.
   */
  heldBack?: { reason: string; message: string };
}

/** The result of a refresh: per-tag outcomes, file changes (with before/after text) and triggers. */
export interface RefreshResult {
  outcomes: TagRefreshOutcome[];
  changes: FileChange[];
  triggers: TriggerReport;
}

/** A tag selected for re-import. */
interface Candidate {
  namespace: string;
  stream: string;
  ref: TagReference;
  /** A tag of spec.dockerImageRepository not yet in the spec (added on success). */
  fromRepository?: boolean;
  /** No image recorded yet: fetch by tag without a HEAD first. */
  cold?: boolean;
  /** The image the tag records now. */
  current?: string;
}

/** Re-imports the selected tags: registry I/O outside the lock, recording inside one transaction. */
export async function refresh(
  ctx: CoreContext,
  selection: RefreshSelection,
  options: RefreshOptions = {},
): Promise<RefreshResult> {
  const snapshot = await ctx.store.read(selection.contextNamespace ?? selection.namespace ?? 'default');
  for (const name of selection.streams ?? []) {
    if (!snapshot.list('ImageStream', selection.namespace).some((s) => s.name === name))
      throw new NotFoundError('imagestreams.image.openshift.io', name);
  }
  const repositories = await repositoryCandidates(ctx, snapshot, selection);
  const candidates = [...selectTags(snapshot, selection), ...repositories.candidates];
  let done = 0;
  let failures = 0;
  const answers = await resolveAll(
    ctx.source,
    candidates.map((c) => ({
      from: c.ref.from!.name,
      importPolicy: c.ref.importPolicy ?? {},
      annotations: c.ref.annotations,
      cold: Boolean(c.cold),
      ...(c.current ? { unchangedIf: c.current } : {}),
    })),
    {
      onDone: (i, a) => {
        done++;
        if (!a.ok) failures++;
        options.onProgress?.(done, candidates.length, c(i), failures);
      },
    },
  );
  function c(i: number): string {
    return candidates[i].ref.from!.name;
  }
  const { result, changes } = await ctx.store.update(
    selection.contextNamespace ?? selection.namespace ?? 'default',
    (snap) => recordAll(ctx, snap, candidates, answers),
    { dryRun: Boolean(options.dryRun) },
  );
  return { outcomes: [...repositories.failures, ...result.outcomes], changes, triggers: result.triggers };
}

/**
 * Streams with spec.dockerImageRepository import the whole repository (importRepositoryFromDocker):
 * tags not yet in the spec are listed, ordered by PrioritizeTags, limited like `--all`, and become
 * new spec tags when they import. Scheduled passes leave this to explicit refreshes, as OpenShift does.
 */
async function repositoryCandidates(
  ctx: CoreContext,
  snapshot: Snapshot,
  selection: RefreshSelection,
): Promise<{ candidates: Candidate[]; failures: TagRefreshOutcome[] }> {
  const out = { candidates: [] as Candidate[], failures: [] as TagRefreshOutcome[] };
  if (selection.scheduledOnly) return out;
  const wanted = selection.streams && selection.streams.length > 0 ? new Set(selection.streams) : undefined;
  for (const s of snapshot.list<ImageStream>('ImageStream', selection.namespace)) {
    const repo = s.object.spec?.dockerImageRepository;
    if (!repo || (wanted && !wanted.has(s.name))) continue;
    const insecure = s.object.metadata.annotations?.[ANNOTATION_INSECURE_REPOSITORY] === 'true';
    let tags: string[];
    let spec: PullSpec;
    try {
      spec = parsePullSpec(repo);
      tags = await ctx.source.listTags(spec, { insecure });
    } catch (err) {
      const f =
        err instanceof Error && 'spec' in err
          ? { reason: 'Invalid', message: err.message }
          : failureOf(err, parsePullSpecOrRaw(repo));
      out.failures.push({ namespace: s.namespace, stream: s.name, tag: '', from: repo, status: 'failed', error: f });
      continue;
    }
    const ordered = prioritizeTags([...new Set(tags.map((t) => t || 'latest'))].sort());
    const limit = ctx.settings.maxBulkImport;
    const known = new Set((s.object.spec?.tags ?? []).map((t) => t.name));
    for (const tag of limit < 0 ? ordered : ordered.slice(0, limit)) {
      if (known.has(tag)) continue;
      const from = pullSpecWithTag(spec, tag);
      if (selection.match && !selection.match({ namespace: s.namespace, stream: s.name, tag, from })) continue;
      const ref: TagReference = {
        name: tag,
        from: { kind: 'DockerImage', name: from },
        importPolicy: insecure ? { insecure } : {},
        referencePolicy: { type: 'Source' },
      };
      out.candidates.push({ namespace: s.namespace, stream: s.name, ref, fromRepository: true, cold: true });
    }
  }
  return out;
}

function parsePullSpecOrRaw(raw: string): PullSpec {
  try {
    return parsePullSpec(raw);
  } catch {
    return { transport: 'oci', path: raw, tag: '', digest: '', raw };
  }
}

/** The importable tags of the selection (tagImportable + scheduled + digest-pinned rules of §3). */
export function selectTags(snapshot: Snapshot, selection: RefreshSelection): Candidate[] {
  const out: Candidate[] = [];
  const streams = snapshot.list<ImageStream>('ImageStream', selection.namespace);
  const wanted = selection.streams && selection.streams.length > 0 ? new Set(selection.streams) : undefined;
  for (const s of streams) {
    if (wanted && !wanted.has(s.name)) continue;
    for (const ref of s.object.spec?.tags ?? []) {
      if (!isCandidate(s, ref, selection)) continue;
      const current = currentEvent(s.object, ref.name)?.image;
      out.push({ namespace: s.namespace, stream: s.name, ref, cold: !current, ...(current ? { current } : {}) });
    }
  }
  return out;
}

function isCandidate(s: StoredObject<ImageStream>, ref: TagReference, selection: RefreshSelection): boolean {
  if (ref.from?.kind !== 'DockerImage' || ref.reference) return false;
  if (selection.scheduledOnly && !ref.importPolicy?.scheduled) return false;
  if (!ref.from.name.startsWith('oci:')) {
    try {
      if (parseDockerImageReference(ref.from.name).id && tagImported(s.object, ref)) return false;
    } catch {
      // an unparsable source is still attempted so its failure is recorded as a condition
    }
  } else if (ref.from.name.includes('@') && tagImported(s.object, ref)) return false;
  return (
    !selection.match || selection.match({ namespace: s.namespace, stream: s.name, tag: ref.name, from: ref.from.name })
  );
}

function tagImported(stream: ImageStream, ref: TagReference): boolean {
  // Digest-pinned sources are re-imported only until the first success (scheduled_image_controller.go).
  const ev = currentEvent(stream, ref.name);
  return Boolean(ev) && (ref.generation === null || ref.generation === undefined || ev!.generation >= ref.generation);
}

function recordAll(ctx: CoreContext, snap: Snapshot, candidates: Candidate[], answers: ResolveAnswer[]) {
  const byStream = new Map<string, { namespace: string; stream: string; results: TagImportResult[]; idx: number[] }>();
  candidates.forEach((c, i) => {
    const key = `${c.namespace}/${c.stream}`;
    let g = byStream.get(key);
    if (!g) byStream.set(key, (g = { namespace: c.namespace, stream: c.stream, results: [], idx: [] }));
    g.idx.push(i);
  });
  const outcomes: TagRefreshOutcome[] = [];
  const tagChanges: TagChange[] = [];
  for (const g of byStream.values()) {
    const stored = snap.find<ImageStream>('ImageStream', g.namespace, g.stream);
    if (!stored) continue; // deleted meanwhile: nothing to record
    const results = g.idx.flatMap((i) => resultFor(stored.object, candidates[i], answers[i]));
    const before = new Map(results.map((r) => [r.tag, currentEvent(stored.object, r.tag)?.image]));
    const changed = recordImportResults(
      stored.object,
      g.namespace,
      results,
      ctx.now(),
      false,
      ctx.settings.internalRegistry,
    );
    tagChanges.push(...changed);
    for (const r of results) outcomes.push(outcomeOf(g.namespace, g.stream, r, before.get(r.tag), changed));
  }
  // refresh is also the resync: every workload is checked against the current tags, so nothing
  // a killed run or a later-added workload missed stays behind (OpenShift compares on every sync).
  const triggers = ctx.triggers.reconcile
    ? ctx.triggers.reconcile(snap, ctx.settings)
    : ctx.triggers.apply(snap, tagChanges, ctx.settings);
  return { outcomes, triggers };
}

function resultFor(stream: ImageStream, c: Candidate, a: ResolveAnswer): TagImportResult[] {
  if (c.fromRepository) return repositoryResult(stream, c, a);
  const ref = specTag(stream, c.ref.name);
  // The spec may have changed while we talked to the registry: record only if it still imports the same source.
  if (ref?.from?.kind !== 'DockerImage' || ref.from.name !== c.ref.from!.name) return [];
  const policy = {
    importPolicy: ref.importPolicy ?? {},
    referencePolicy: { type: ref.referencePolicy?.type || 'Source' },
  };
  const base = { tag: ref.name, from: ref.from.name, ...policy };
  if (a.ok)
    return [{ ...base, ok: true, digest: a.resolved.digest, dockerImageReference: a.resolved.dockerImageReference }];
  return [{ ...base, ok: false, reason: a.reason, message: a.message }];
}

function outcomeOf(
  namespace: string,
  stream: string,
  r: TagImportResult,
  oldDigest: string | undefined,
  changed: TagChange[],
): TagRefreshOutcome {
  const base = { namespace, stream, tag: r.tag, from: r.from };
  if (!r.ok)
    return {
      ...base,
      status: 'failed',
      ...(oldDigest ? { oldDigest } : {}),
      error: { reason: r.reason ?? 'InternalError', message: r.message ?? '' },
    };
  const isChanged = changed.some((c) => c.tag === r.tag && c.stream === stream && c.namespace === namespace);
  return {
    ...base,
    status: isChanged ? 'changed' : 'unchanged',
    ...(oldDigest ? { oldDigest } : {}),
    newDigest: r.digest!,
  };
}

function repositoryResult(stream: ImageStream, c: Candidate, a: ResolveAnswer): TagImportResult[] {
  // A new repository tag is added only when it imports and nobody added the tag meanwhile.
  if (!a.ok || specTag(stream, c.ref.name)) return [];
  const policy = { importPolicy: c.ref.importPolicy ?? {}, referencePolicy: { type: 'Source' } };
  return [
    {
      tag: c.ref.name,
      from: c.ref.from!.name,
      ...policy,
      ok: true,
      digest: a.resolved.digest,
      dockerImageReference: a.resolved.dockerImageReference,
    },
  ];
}
