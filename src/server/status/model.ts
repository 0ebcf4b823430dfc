/**
 * Builds the status document from the state folder (streams, their status and the trigger graph
 * of src/core/graph.ts) and what `serve` remembers (ActivityLog). A pure function of its input.
 */
import { buildGraph, type FlowGraph } from '../../core/graph.js';
import type { ImageStream } from '../../domain/types.js';
import { readHeldBack } from '../../domain/policy/annotations.js';
import type { Snapshot } from '../../state/types.js';
import type { StreamView } from '../matcher.js';
import { formatInterval } from '../interval.js';
import { tagActivityKey, type ActivityLog } from './activity.js';
import { byText } from './render.js';
import type { StatusDocument, StreamStatus, TagFollower, TagState, TagStatus } from './types.js';

/** How the scheduler stands (from src/server/scheduler.ts). */
export interface SchedulerView {
  intervalMs: number;
  buckets: number;
  tickMs: number;
  /** undefined once stopped. */
  nextRun: { at: number; bucket: number } | undefined;
}

/** What the folder holds, as the page needs it. */
export interface FolderView {
  streams: readonly StreamView[];
  graph: FlowGraph;
  problems: readonly { file: string; message: string }[];
}

/** The folder view of a snapshot: its streams, problems and trigger graph (src/core/graph.ts). */
export function folderView(snapshot: Snapshot, namespace: string | undefined): FolderView {
  return {
    streams: snapshot
      .list<ImageStream>('ImageStream', namespace)
      .map((s) => ({ namespace: s.namespace, name: s.name, stream: s.object })),
    graph: buildGraph(snapshot, namespace === undefined ? {} : { namespace }),
    problems: snapshot.problems.map((p) => ({ file: p.file, message: p.message })),
  };
}

/** Everything the document is made of. */
export interface StatusInput {
  now: number;
  /** The folder as read now; undefined when it could not be read (`readError` says why). */
  folder: FolderView | undefined;
  readError?: string;
  /** The namespace served; undefined = every namespace. */
  namespace: string | undefined;
  activity: ActivityLog;
  scheduler: SchedulerView;
  serve: Omit<StatusDocument['serve'], 'namespace'>;
  refreshSeconds: number;
  /** Texts that must never appear (the webhook secret, the UI token): replaced by REDACTED. */
  secrets: readonly string[];
}

const SEVERITY: Record<TagState, number> = { heldBack: 0, failed: 1, pending: 2, ok: 3, reference: 4 };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Builds the document. */
export function buildStatus(input: StatusInput): StatusDocument {
  const { folder, activity } = input;
  const graph: FlowGraph = folder?.graph ?? { nodes: [], edges: [] };
  const followers = followersByTag(graph);
  const streams = (folder?.streams ?? [])
    .filter((s) => input.namespace === undefined || s.namespace === input.namespace)
    .map(
      (s): StreamStatus => ({
        namespace: s.namespace,
        name: s.name,
        dockerImageRepository: s.stream.spec?.dockerImageRepository || null,
        tags: tagsOf(s.namespace, s.name, s.stream, activity, followers),
      }),
    );
  const worst = (s: StreamStatus) => Math.min(4, ...s.tags.map((t) => SEVERITY[t.state]));
  streams.sort((a, b) => worst(a) - worst(b) || byText(a.namespace, b.namespace) || byText(a.name, b.name));
  const tags = streams.flatMap((s) => s.tags);
  const problems = [
    ...(input.readError ? [{ file: '.', message: input.readError }] : []),
    ...(folder?.problems ?? []).map((p) => ({ file: p.file, message: p.message })),
  ];
  const next = input.scheduler.nextRun;
  const doc: StatusDocument = {
    kind: 'ServeStatus',
    apiVersion: 'isctl/v1',
    generatedAt: iso(input.now),
    refreshSeconds: input.refreshSeconds,
    serve: { ...input.serve, namespace: input.namespace ?? null },
    summary: {
      streams: streams.length,
      tags: tags.length,
      failed: tags.filter((t) => t.state === 'failed').length,
      heldBack: tags.filter((t) => t.state === 'heldBack').length,
      pending: tags.filter((t) => t.state === 'pending').length,
    },
    scheduler: {
      intervalSeconds: input.scheduler.intervalMs / 1000,
      interval: formatInterval(input.scheduler.intervalMs),
      buckets: input.scheduler.buckets,
      bucketSeconds: input.scheduler.tickMs / 1000,
      nextRunAt: next ? iso(next.at) : null,
      nextBucket: next ? next.bucket + 1 : null,
      lastRun: activity.lastScheduledRun,
    },
    streams,
    problems,
    imports: [...activity.imports],
    deliveries: activity.deliveries.map((d) => ({ ...d })),
    graph,
  };
  return redact(doc, input.secrets);
}

function followersByTag(graph: FlowGraph): Map<string, TagFollower[]> {
  const labels = new Map(graph.nodes.map((n) => [n.id, n.label]));
  const out = new Map<string, TagFollower[]>();
  for (const e of graph.edges) {
    if (e.kind !== 'trigger' && e.kind !== 'marker') continue;
    const list = out.get(e.from) ?? [];
    list.push({ id: e.to, label: labels.get(e.to) ?? e.to, trigger: e.label, active: !e.inactive });
    out.set(e.from, list);
  }
  return out;
}

function tagsOf(
  namespace: string,
  name: string,
  stream: ImageStream,
  activity: ActivityLog,
  followers: Map<string, TagFollower[]>,
): TagStatus[] {
  const spec = stream.spec?.tags ?? [];
  const status = stream.status?.tags ?? [];
  const names = [...new Set([...spec.map((t) => t.name), ...status.map((t) => t.tag)])].filter(
    (n) => typeof n === 'string',
  );
  const tags = names.map((tag): TagStatus => {
    const ref = spec.find((t) => t.name === tag);
    const entry = status.find((t) => t.tag === tag);
    const current = entry?.items?.[0];
    const failed = entry?.conditions?.find((c) => c.type === 'ImportSuccess' && c.status === 'False');
    const id = tagActivityKey(namespace, name, tag);
    const seen = activity.tag(id);
    const failure = failed
      ? { reason: failed.reason ?? '', message: failed.message ?? '', since: failed.lastTransitionTime ?? null }
      : null;
    // The stream's held-back record (src/core/policy-tags.ts writes it) outlives this serve; the
    // last outcome's is the fallback.
    const recorded = readHeldBack(stream.metadata?.annotations, tag);
    const heldBack = recorded
      ? {
          reason: recorded.reason,
          message: `${recorded.tag}: ${recorded.message}${recorded.until ? ` (held until ${recorded.until})` : ''}`,
        }
      : (seen?.heldBack ?? null);
    const state: TagState = heldBack
      ? 'heldBack'
      : failure
        ? 'failed'
        : ref?.reference
          ? 'reference'
          : ref && !current
            ? 'pending'
            : 'ok';
    return {
      name: tag,
      state,
      source: ref?.from ? { kind: ref.from.kind, name: ref.from.name, namespace: ref.from.namespace || null } : null,
      scheduled: ref?.importPolicy?.scheduled === true,
      digest: current?.image || null,
      dockerImageReference: current?.dockerImageReference || null,
      importedAt: current?.created || null,
      checkedAt: seen?.at ?? null,
      failure,
      heldBack,
      id,
      followers: followers.get(id) ?? [],
    };
  });
  return tags.sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state] || byText(a.name, b.name));
}

/** Replaces every occurrence of a secret in every string of the document. */
function redact<T>(value: T, secrets: readonly string[]): T {
  const live = secrets.filter((s) => s.length > 0);
  if (live.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return live.reduce((s, secret) => s.split(secret).join('REDACTED'), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
