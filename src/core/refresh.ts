/**
 * `refresh`: re-import every registry-sourced tag of the selected streams, record what changed as
 * OpenShift's image controllers would (openshift-controller-manager
 * pkg/image/controller/imagestream_controller.go and scheduled_image_controller.go), and apply
 * triggers.
 */
import { lintSnapshot, type LintFinding } from './lint.js';
import type { CoreContext, TagChange, TriggerReport } from './context.js';
import type { FileChange, ObjectView, Snapshot, StoredObject } from '../state/types.js';
import { refreshViews } from './listing-views.js';
import { isCandidate } from './refresh-candidates.js';
import type { ImageStream, TagReference } from '../domain/types.js';
import { cloneJson, jsonEqual } from '../domain/generations.js';
import { currentEvent, specTag } from '../domain/history.js';
import { recordImportResults, type TagImportResult } from './import-record.js';
import { failureOf, resolveAll, type ResolveAnswer } from './resolve-tags.js';
import { pullSpecWithTag, readPullSpec, tagSource, type InvalidPullSpec, type PullSpec } from '../domain/pullspec.js';
import { prioritizeTags } from '../domain/tag-order.js';
import { ANNOTATION_INSECURE_REPOSITORY } from '../domain/types.js';
import { NotFoundError } from '../domain/errors.js';
import {
  applyPolicyEvaluation,
  evaluatePolicyTags,
  isPolicyTag,
  outcomeForFailure,
  policyInputOf,
  type OutcomeReason,
  type PolicyEvaluation,
  type PolicyReport,
  TagLister,
} from './policy-tags.js';

/** Which tags a refresh looks at. */
export interface RefreshSelection {
  /** Namespace to refresh; undefined = every namespace (-A). */
  namespace?: string;
  /** Stream names (empty = all streams of the namespace). */
  streams?: string[];
  /** Only tags with importPolicy.scheduled: true (what OpenShift's scheduler re-imports). */
  scheduledOnly?: boolean;
  /** Extra filter, e.g. from a webhook: only tags whose source matches. */
  match?: (tag: { namespace: string; stream: string; tag: string; from: string }) => boolean;
}

/** What to refresh, and how. */
export interface RefreshInput extends RefreshSelection {
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
  /**
   * Why the tag is where it is (README "Refresh outcomes"): Updated, Unchanged, HeldBack, or the
   * failure (NoMatchingTag, Filtered, NotFound, Unauthorized, RateLimited, …).
   */
  reason: OutcomeReason;
  oldDigest?: string;
  newDigest?: string;
  error?: { reason: string; message: string };
  /**
   * Set when a version policy kept the tag on its current image although the registry has a newer
   * one (status stays `unchanged`): why, for the logs and the status page of `serve`.
   */
  heldBack?: { reason: string; message: string };
  /** Policy tags: the policy, the tag chosen and the newest tag held back with its reason. */
  policy?: PolicyReport;
  /** `host/repository` of the mirror that answered (registries.conf or a mirror set), when one did. */
  mirror?: string;
}

/** The result of a refresh: per-tag outcomes, file changes (with before/after text) and triggers. */
export interface RefreshResult {
  outcomes: TagRefreshOutcome[];
  changes: FileChange[];
  triggers: TriggerReport;
  /** Pinned digests no stream tag records (`isctl lint`), printed as warnings. */
  lint?: LintFinding[];
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
export async function refresh(ctx: CoreContext, input: RefreshInput): Promise<RefreshResult> {
  const selection: RefreshSelection = input;
  // Read as a listing: only the streams whose views say they may change are parsed.
  const snapshot = await ctx.store.read(ctx.namespace, { views: true });
  const views = snapshot.listViews('ImageStream', selection.namespace);
  for (const name of selection.streams ?? []) {
    if (!views.some((v) => v.name === name)) throw new NotFoundError('imagestreams.image.openshift.io', name);
  }
  // Connections to the registries start now (a TLS handshake is a round trip or two), while the
  // streams are parsed.
  const { looked, sources } = selectedViews(views, selection);
  if (sources.length > 0) ctx.source.prepare?.(sources);
  const streams = await streamsToLook(snapshot, looked, sources.length > 0 && Boolean(ctx.source.prepare));
  // One tag list per repository per run, shared by whole-repository streams and policy tags.
  const lister = new TagLister(ctx.source);
  const repositories = await repositoryCandidates(ctx, lister, streams, selection);
  const selected = [...selectTags(streams, selection), ...repositories.candidates];
  const policyTags = selected.filter((c) => !c.fromRepository && isPolicyTag(c.ref));
  const candidates = selected.filter((c) => c.fromRepository || !isPolicyTag(c.ref));
  const total = selected.length;
  let done = 0;
  let failures = 0;
  // Files that will change are parsed for their edit while the registries answer: streams with a
  // tag never imported now, any other stream as soon as one of its tags comes back changed.
  const byKey = new Map(streams.map((s) => [`${s.namespace}/${s.name}`, s]));
  const prepare = (of: readonly Candidate[]) =>
    ctx.store.prepareEdits?.(of.flatMap((c) => byKey.get(`${c.namespace}/${c.stream}`) ?? []));
  prepare(selected.filter((c) => c.cold));
  const evaluations = await evaluatePolicyTags(
    ctx.source,
    policyTags.map((c) => {
      const s = snapshot.find<ImageStream>('ImageStream', c.namespace, c.stream)!.current;
      return policyInputOf(c.namespace, s, c.ref);
    }),
    ctx.now,
    {
      lister,
      onDone: (i, e) => {
        done++;
        if (e.failure) failures++;
        input.onProgress?.(done, total, policyTags[i].ref.from!.name, failures);
      },
    },
  );
  // A stream whose every tag is a plain candidate gets its record and the edit of its file made
  // as soon as its last answer is in (the transaction then takes both if nothing moved; a record
  // that changes nothing leaves the stream untouched), rather than all of them after the last answer.
  const ahead = recordAhead(ctx, byKey, candidates, new Set(policyTags.map((c) => `${c.namespace}/${c.stream}`)));
  const answers = await resolveAll(
    ctx.source,
    candidates.map((c) => ({
      source: tagSource(c.ref)!,
      importPolicy: c.ref.importPolicy ?? {},
      annotations: c.ref.annotations,
      cold: Boolean(c.cold),
      ...(c.current ? { unchangedIf: c.current } : {}),
    })),
    {
      onDone: (i, a) => {
        done++;
        if (!a.ok) failures++;
        else if (!a.resolved.unchanged) prepare([candidates[i]]);
        ahead.answered(i, a);
        input.onProgress?.(done, total, c(i), failures);
      },
    },
  );
  function c(i: number): string {
    return candidates[i].ref.from!.name;
  }
  const likelyNoop =
    policyTags.length === 0 &&
    repositories.candidates.length === 0 &&
    answers.every((a) => a.ok && a.resolved.unchanged);
  const { result, changes } = await ctx.store.update(
    ctx.namespace,
    async (snap) => {
      const recordedAll = recordAll(ctx, snap, candidates, answers, evaluations, ahead.records);
      const set = new Set((recordedAll.triggers.markers ?? []).map((m) => `${m.file}:${m.line}`));
      return { ...recordedAll, lint: await lintSnapshot(ctx, snap, undefined, set) };
    },
    // When every tag is unchanged the record is likely empty: run first on the snapshot read above,
    // and a refresh that writes nothing (every workload in step too) takes no lock and loads
    // nothing again. A dry run never needs the lock. Otherwise one run, under the lock.
    { dryRun: Boolean(input.dryRun), ...(input.dryRun || likelyNoop ? { readFirst: snapshot } : {}) },
  );
  return {
    outcomes: [...repositories.failures, ...result.outcomes],
    changes,
    triggers: result.triggers,
    lint: result.lint,
  };
}

/**
 * Streams with spec.dockerImageRepository import the whole repository (importRepositoryFromDocker):
 * tags not yet in the spec are listed, ordered by PrioritizeTags, limited like `--all`, and become
 * new spec tags when they import. Scheduled passes leave this to explicit refreshes, as OpenShift does.
 */
async function repositoryCandidates(
  ctx: CoreContext,
  lister: TagLister,
  selected: readonly StoredObject<ImageStream>[],
  selection: RefreshSelection,
): Promise<{ candidates: Candidate[]; failures: TagRefreshOutcome[] }> {
  const out = { candidates: [] as Candidate[], failures: [] as TagRefreshOutcome[] };
  if (selection.scheduledOnly) return out;
  const streams = selected.filter((s) => s.current.spec?.dockerImageRepository);
  // Every repository is listed at once (one round trip for all, not one after another); the
  // candidates keep the order of the streams.
  const listings = streams.map((s) => {
    const insecure = s.current.metadata.annotations?.[ANNOTATION_INSECURE_REPOSITORY] === 'true';
    return listRepositoryTags(lister, readPullSpec(s.current.spec!.dockerImageRepository!), insecure);
  });
  for (const [i, s] of streams.entries()) {
    const repo = s.current.spec!.dockerImageRepository!;
    const insecure = s.current.metadata.annotations?.[ANNOTATION_INSECURE_REPOSITORY] === 'true';
    const listed = await listings[i];
    if ('failure' in listed) {
      const f = listed.failure;
      out.failures.push({
        namespace: s.namespace,
        stream: s.name,
        tag: '',
        from: repo,
        status: 'failed',
        reason: outcomeForFailure(f.reason),
        error: f,
      });
      continue;
    }
    const { spec, tags } = listed;
    const ordered = prioritizeTags([...new Set(tags.map((t) => t || 'latest'))].sort());
    const limit = ctx.settings.maxBulkImport;
    const known = new Set((s.current.spec?.tags ?? []).map((t) => t.name));
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

async function listRepositoryTags(
  lister: TagLister,
  spec: PullSpec | InvalidPullSpec,
  insecure: boolean,
): Promise<{ spec: PullSpec; tags: string[] } | { failure: { reason: string; message: string } }> {
  if (spec.transport === 'invalid') return { failure: { reason: 'Invalid', message: spec.error.message } };
  try {
    return { spec, tags: await lister.list(spec, insecure) };
  } catch (err) {
    return { failure: failureOf(err, spec) };
  }
}

/**
 * The streams of the selection, sorted by namespace and name, that a refresh may re-import a tag
 * of, read in full; the others are known by their views only (./listing-views.ts), so the files
 * of streams whose every tag is pinned and imported are not parsed.
 */
async function streamsToLook(
  snapshot: Snapshot,
  keys: readonly ObjectView<unknown>[],
  connecting: boolean,
): Promise<StoredObject<ImageStream>[]> {
  const found: (StoredObject<ImageStream> | undefined)[] = [];
  let next = 0;
  // While connections opened ahead are in their handshakes, parse in slices and let the event loop
  // run between them (a handshake moves only when it does); after that, the rest at once.
  const started = performance.now();
  while (connecting && next < keys.length && performance.now() - started < HANDSHAKE_WINDOW_MS) {
    found.push(...snapshot.findMany<ImageStream>('ImageStream', keys.slice(next, next + SLICE)));
    next += SLICE;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (next < keys.length) found.push(...snapshot.findMany<ImageStream>('ImageStream', keys.slice(next)));
  return found.filter((s) => s !== undefined);
}

/** How long `streamsToLook` parses in slices, and how many streams a slice has. */
const HANDSHAKE_WINDOW_MS = 200;
const SLICE = 4;

/**
 * The views of the streams a refresh may re-import a tag of, and the repositories (each once, at
 * most 16) their views name for connecting ahead; none for a webhook's narrow refresh (`match`),
 * which names its repository itself.
 */
function selectedViews(
  views: readonly ObjectView<unknown>[],
  selection: RefreshSelection,
): { looked: ObjectView<unknown>[]; sources: string[] } {
  const wanted = selection.streams && selection.streams.length > 0 ? new Set(selection.streams) : undefined;
  const looked: ObjectView<unknown>[] = [];
  const sources = new Set<string>();
  for (const v of views) {
    if (wanted && !wanted.has(v.name)) continue;
    const r = refreshViews(v.view);
    if (!r.refresh) continue;
    looked.push(v);
    if (!selection.match) for (const s of r.sources) if (sources.size < MAX_SOURCES) sources.add(s);
  }
  return { looked, sources: [...sources] };
}

const MAX_SOURCES = 16;

/** The importable tags of the selection (tagImportable + scheduled + digest-pinned rules of
 * scheduled_image_controller.go). */
export function selectTags(streams: readonly StoredObject<ImageStream>[], selection: RefreshSelection): Candidate[] {
  const out: Candidate[] = [];
  for (const s of streams) {
    for (const ref of s.current.spec?.tags ?? []) {
      if (!isCandidate(s.current, s, ref, selection)) continue;
      const current = currentEvent(s.current, ref.name)?.image;
      out.push({ namespace: s.namespace, stream: s.name, ref, cold: !current, ...(current ? { current } : {}) });
    }
  }
  return out;
}

/**
 * At most this many streams are recorded ahead with a changed copy (each holds it until the
 * transaction); the rest are recorded in the transaction, as all of them were before.
 */
const MAX_RECORDS_AHEAD = 512;

/**
 * At most this many streams are found unchanged ahead: each keeps no copy, only the stream as
 * read (which the snapshot holds anyway) and the time.
 */
const MAX_NOOPS_AHEAD = 65_536;

/**
 * A stream recorded ahead: when, the stream as read, the recorded copy (none when recording
 * changed nothing: the stream stays as read) and its tag changes.
 */
interface RecordAhead {
  now: Date;
  read: StoredObject<ImageStream>;
  copy: ImageStream | undefined;
  changed: TagChange[];
}

/**
 * Records made ahead (see `refresh`): as each stream's last answer comes in, the stream as read
 * is recorded on a copy — with the time of that moment, which the transaction then uses for the
 * stream too — and the store is told the object it expects to write (StateStore.prepareEdit).
 * When the record changes nothing (every answer unchanged, nothing else moved: a warm refresh)
 * only that is kept, and the transaction leaves the stream untouched. Streams with a policy or
 * whole-repository tag are left to the transaction.
 */
function recordAhead(
  ctx: CoreContext,
  streams: ReadonlyMap<string, StoredObject<ImageStream>>,
  candidates: readonly Candidate[],
  skip: ReadonlySet<string>,
) {
  const records = new Map<string, RecordAhead>();
  let copies = 0;
  let noops = 0;
  const got: ResolveAnswer[] = [];
  const waiting = new Map<string, number[]>();
  const skipped = new Set(skip);
  if (ctx.store.prepareEdit)
    candidates.forEach((c, i) => {
      const key = `${c.namespace}/${c.stream}`;
      if (c.fromRepository) skipped.add(key);
      (waiting.get(key) ?? waiting.set(key, []).get(key)!).push(i);
    });
  for (const key of skipped) waiting.delete(key);
  const left = new Map([...waiting].map(([k, v]) => [k, v.length]));
  const record = (key: string) => {
    const stored = streams.get(key);
    const idx = waiting.get(key)!;
    const unchanged = idx.every((i) => got[i].ok && got[i].resolved.unchanged);
    if (!stored || (unchanged ? noops >= MAX_NOOPS_AHEAD : copies >= MAX_RECORDS_AHEAD)) return;
    const now = ctx.now();
    const copy = cloneJson(stored.current) as ImageStream;
    const results = idx.flatMap((i) => resultFor(copy, candidates[i], got[i]));
    const ns = candidates[idx[0]].namespace;
    const changed = recordImportResults(copy, ns, results, now, false, ctx.settings.internalRegistry);
    if (changed.length === 0 && jsonEqual(copy, stored.current)) {
      noops++;
      records.set(key, { now, read: stored, copy: undefined, changed });
      return;
    }
    if (copies >= MAX_RECORDS_AHEAD) return;
    copies++;
    records.set(key, { now, read: stored, copy, changed });
    ctx.store.prepareEdit?.(stored, copy);
  };
  return {
    records,
    answered(i: number, a: ResolveAnswer): void {
      const c = candidates[i];
      const key = `${c.namespace}/${c.stream}`;
      const n = left.get(key);
      if (n === undefined) return;
      got[i] = a;
      left.set(key, n - 1);
      if (n === 1) record(key);
    },
  };
}

function recordAll(
  ctx: CoreContext,
  snap: Snapshot,
  candidates: Candidate[],
  answers: ResolveAnswer[],
  evaluations: PolicyEvaluation[] = [],
  ahead: Map<string, RecordAhead> = new Map(),
) {
  type Group = {
    namespace: string;
    stream: string;
    results: TagImportResult[];
    idx: number[];
    policy: PolicyEvaluation[];
  };
  const byStream = new Map<string, Group>();
  const group = (namespace: string, stream: string): Group => {
    const key = `${namespace}/${stream}`;
    let g = byStream.get(key);
    if (!g) byStream.set(key, (g = { namespace, stream, results: [], idx: [], policy: [] }));
    return g;
  };
  candidates.forEach((c, i) => group(c.namespace, c.stream).idx.push(i));
  for (const e of evaluations) group(e.input.namespace, e.input.stream).policy.push(e);
  const outcomes: TagRefreshOutcome[] = [];
  // Every stream to record at once: the files they need are parsed in one go.
  const groups = [...byStream.values()];
  const found = snap.findMany<ImageStream>(
    'ImageStream',
    groups.map((g) => ({ namespace: g.namespace, name: g.stream })),
  );
  for (const [gi, g] of groups.entries()) {
    const stored = found[gi];
    if (!stored) continue; // deleted meanwhile: nothing to record
    const key = `${g.namespace}/${g.stream}`;
    const made = ahead.get(key);
    ahead.delete(key);
    // The record made ahead is this one when the stream is still exactly what it was read as
    // (same inputs, same time): taken as it is, once.
    const reuse =
      made !== undefined &&
      g.policy.length === 0 &&
      (stored.original === made.read.original || JSON.stringify(stored.current) === JSON.stringify(made.read.current));
    const view = reuse ? (stored.current as ImageStream) : stored.object;
    const results = g.idx.flatMap((i) => resultFor(view, candidates[i], answers[i]));
    const before = new Map(
      [...results.map((r) => r.tag), ...g.policy.map((e) => e.input.ref.name)].map((t) => [
        t,
        currentEvent(view, t)?.image,
      ]),
    );
    const policyResults: { e: PolicyEvaluation; r?: TagImportResult }[] = g.policy.map((e) => ({
      e,
      r: applyPolicyEvaluation(stored.object, g.namespace, e),
    }));
    for (const p of policyResults) if (p.r) results.push(p.r);
    let changed: TagChange[];
    if (reuse) {
      // No copy: recording changed nothing, and the stream is left untouched (nothing to write).
      if (made.copy) stored.object = made.copy;
      changed = made.changed;
    } else
      changed = recordImportResults(
        stored.object,
        g.namespace,
        results,
        made?.now ?? ctx.now(),
        false,
        ctx.settings.internalRegistry,
      );
    const policyTagNames = new Set(g.policy.map((e) => e.input.ref.name));
    for (const r of results) {
      if (!policyTagNames.has(r.tag)) outcomes.push(outcomeOf(g.namespace, g.stream, r, before.get(r.tag), changed));
    }
    for (const p of policyResults) {
      outcomes.push(policyOutcome(g.namespace, g.stream, p.e, p.r, before.get(p.e.input.ref.name), changed));
    }
  }
  // refresh is also the resync: every workload is checked against the current tags, so nothing
  // a killed run or a later-added workload missed stays behind (OpenShift compares on every sync).
  const triggers = ctx.triggers.reconcile(snap, ctx.settings);
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
    return [
      {
        ...base,
        ok: true,
        digest: a.resolved.digest,
        dockerImageReference: a.resolved.dockerImageReference,
        ...(a.resolved.mirror ? { mirror: a.resolved.mirror } : {}),
      },
    ];
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
      reason: outcomeForFailure(r.reason ?? 'InternalError'),
      ...(oldDigest ? { oldDigest } : {}),
      error: { reason: r.reason ?? 'InternalError', message: r.message ?? '' },
    };
  const isChanged = changed.some((c) => c.tag === r.tag && c.stream === stream && c.namespace === namespace);
  return {
    ...base,
    status: isChanged ? 'changed' : 'unchanged',
    reason: isChanged ? 'Updated' : 'Unchanged',
    ...(oldDigest ? { oldDigest } : {}),
    newDigest: r.digest!,
    ...(r.mirror ? { mirror: r.mirror } : {}),
  };
}

/** The held-back candidate in one sentence, for logs and the serve status page. */
function heldBackMessage(h: NonNullable<PolicyReport['heldBack']>): string {
  const left = h.minAgeRemaining ? ` (${h.minAgeRemaining} remaining)` : '';
  return `${h.tag}: ${h.message}${left}`;
}

/** The outcome of a policy tag: moved, unchanged, held back, or why it failed. */
function policyOutcome(
  namespace: string,
  stream: string,
  e: PolicyEvaluation,
  r: TagImportResult | undefined,
  oldDigest: string | undefined,
  changed: TagChange[],
): TagRefreshOutcome {
  const tag = e.input.ref.name;
  const base = {
    namespace,
    stream,
    tag,
    from: r?.from ?? e.input.ref.from?.name ?? '',
    policy: e.report,
    ...(oldDigest ? { oldDigest } : {}),
  };
  if (e.failure) {
    return {
      ...base,
      status: 'failed',
      reason: e.failure.code ?? outcomeForFailure(e.failure.reason),
      error: { reason: e.failure.reason, message: e.failure.message },
    };
  }
  if (r && !r.ok) {
    return {
      ...base,
      status: 'failed',
      reason: outcomeForFailure(r.reason ?? 'InternalError'),
      error: { reason: r.reason ?? 'InternalError', message: r.message ?? '' },
    };
  }
  const isChanged =
    changed.some((c) => c.tag === tag && c.stream === stream && c.namespace === namespace) ||
    (r !== undefined && r.from !== e.input.ref.from?.name);
  const newDigest = r?.digest ?? oldDigest;
  const h = e.report.heldBack;
  return {
    ...base,
    status: isChanged ? 'changed' : 'unchanged',
    reason: isChanged ? 'Updated' : h ? 'HeldBack' : 'Unchanged',
    ...(newDigest ? { newDigest } : {}),
    ...(h ? { heldBack: { reason: h.reason, message: heldBackMessage(h) } } : {}),
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
