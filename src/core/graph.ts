/**
 * `isctl graph`: the flow of images through the state folder — registry repository → ImageStream
 * tag → ImageChange trigger → workload — as plain nodes and edges for the printers. It reads the
 * same fields the OpenShift controllers act on: DeploymentConfig
 * `spec.triggers[].imageChangeParams`, the `image.openshift.io/triggers` annotation, and
 * BuildConfig `spec.triggers[].imageChange` (with the strategy's `from` when it names none).
 */
import type { StateFileError } from '../domain/errors.js';
import type { MarkerSite, Snapshot, StoredObject } from '../state/types.js';
import { parseMarkerSpec } from '../domain/marker.js';
import type { CoreContext } from './context.js';
import type { ImageStream, TagReference } from '../domain/types.js';
import { readPullSpec } from '../domain/pullspec.js';
import { repositoryName } from '../domain/reference.js';
import { splitImageStreamTag } from '../domain/imagestream.js';
import { parseTriggerAnnotation } from '../domain/triggers/annotation.js';
import { dcImageTriggers } from './triggers/sources/deploymentconfigs.js';
import { buildConfigSource } from './triggers/sources/buildconfigs.js';
import { ANNOTATION_TRIGGER_KINDS, triggerAnnotationOf } from './triggers/sources/annotations.js';
import { isMap, type JsonMap } from './triggers/objects.js';

/** What a node stands for. */
export type GraphNodeKind = 'repository' | 'tag' | 'workload' | 'build' | 'marker';

/** One box of the picture. */
export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** Tags: the stream they belong to (`namespace/name`), for grouping. */
  stream?: string;
  /** Tags whose status has ImportSuccess=False: the condition's reason and message. */
  importFailed?: { reason: string; message: string };
  /** A tag a trigger names that no stream in the folder defines. */
  missing?: boolean;
  /** Workloads whose trigger annotation OpenShift would reject (all their triggers are off). */
  problem?: string;
}

/** How one thing feeds another. */
export type GraphEdgeKind = 'import' | 'tag' | 'trigger' | 'output' | 'marker';

/** One arrow of the picture. */
export interface GraphEdge {
  from: string;
  to: string;
  kind: GraphEdgeKind;
  label: string;
  /** Paused / non-automatic triggers and `reference: true` tags: drawn, but nothing flows. */
  inactive?: boolean;
}

/** The graph of one namespace (or all), nodes in first-seen order. */
export interface FlowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Which objects go into the graph. */
export interface GraphSelection {
  /** undefined = every namespace (-A). */
  namespace?: string;
}

class Builder {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  /** `namespace`: the one drawn (names from elsewhere get a prefix); undefined draws all with prefixes. */
  constructor(readonly namespace: string | undefined) {}

  node(n: GraphNode): GraphNode {
    const existing = this.nodes.get(n.id);
    if (existing) return existing;
    this.nodes.set(n.id, n);
    return n;
  }

  edge(e: GraphEdge): void {
    if (!this.edges.some((x) => x.from === e.from && x.to === e.to && x.label === e.label)) this.edges.push(e);
  }

  /** The node of `stream:tag` in a namespace; created as "missing" when no stream defines it. */
  tagNode(namespace: string, istag: string): string {
    const id = `tag:${namespace}/${istag}`;
    const { name } = splitImageStreamTag(istag);
    this.node({
      id,
      kind: 'tag',
      label: this.qualify(namespace, istag),
      stream: `${namespace}/${name}`,
      missing: true,
    });
    return id;
  }

  qualify(namespace: string, name: string): string {
    return this.namespace === namespace ? name : `${namespace}/${name}`;
  }
}

/** The graph of the context's namespace (or of all of them), and the files that did not load. */
export async function flowGraph(
  ctx: CoreContext,
  input: { allNamespaces?: boolean },
): Promise<{ graph: FlowGraph; problems: readonly StateFileError[] }> {
  const snapshot = await ctx.store.read(ctx.namespace);
  const graph = buildGraph(snapshot, input.allNamespaces ? {} : { namespace: ctx.namespace });
  return { graph, problems: snapshot.problems };
}

/** Builds the registry → tag → trigger → workload graph of the selected namespace(s). */
export function buildGraph(snapshot: Snapshot, selection: GraphSelection = {}): FlowGraph {
  const streams = snapshot.list<ImageStream>('ImageStream', selection.namespace);
  const namespaces = new Set(snapshot.objects.map((o) => o.namespace));
  // With -A and one namespace only, names need no prefix.
  const b = new Builder(selection.namespace ?? (namespaces.size === 1 ? [...namespaces][0] : undefined));
  for (const s of streams) addStream(b, s);
  for (const o of inNamespace(snapshot, selection)) {
    if (o.kind === 'DeploymentConfig') addDeploymentConfig(b, o);
    else if (o.kind === 'BuildConfig') addBuildConfig(b, o);
    else if (ANNOTATION_TRIGGER_KINDS.includes(o.kind)) addAnnotated(b, o);
  }
  for (const m of snapshot.markers) addMarker(b, m, selection);
  return { nodes: [...b.nodes.values()], edges: b.edges };
}

/** A `# {"$imagestreamtag": …}` comment: an edge from the tag it follows to its file:line. */
function addMarker(b: Builder, m: MarkerSite, selection: GraphSelection): void {
  if (m.raw === undefined) return;
  const parsed = parseMarkerSpec(m.raw);
  if ('error' in parsed) return;
  const namespace = parsed.spec.namespace ?? m.namespace;
  if (selection.namespace !== undefined && namespace !== selection.namespace) return;
  const id = `marker:${m.file}:${m.line}`;
  b.node({ id, kind: 'marker', label: `${m.file}:${m.line}` });
  b.edge({
    from: b.tagNode(namespace, `${parsed.spec.stream}:${parsed.spec.tag}`),
    to: id,
    kind: 'marker',
    label: `marker ${parsed.spec.field}`,
  });
}

function inNamespace(snapshot: Snapshot, selection: GraphSelection): StoredObject[] {
  const list = snapshot.objects.filter((o) => selection.namespace === undefined || o.namespace === selection.namespace);
  return [...list].sort(
    (a, c) => a.namespace.localeCompare(c.namespace) || a.kind.localeCompare(c.kind) || a.name.localeCompare(c.name),
  );
}

function addStream(b: Builder, s: StoredObject<ImageStream>): void {
  const spec = s.object.spec?.tags ?? [];
  const statusTags = s.object.status?.tags ?? [];
  const names = [...new Set([...spec.map((t) => t.name), ...statusTags.map((t) => t.tag)])].filter(Boolean).sort();
  for (const tag of names) {
    const id = `tag:${s.namespace}/${s.name}:${tag}`;
    const failed = statusTags
      .find((t) => t.tag === tag)
      ?.conditions?.find((c) => c.type === 'ImportSuccess' && c.status === 'False');
    const node = b.node({
      id,
      kind: 'tag',
      label: b.qualify(s.namespace, `${s.name}:${tag}`),
      stream: `${s.namespace}/${s.name}`,
    });
    node.missing = false;
    if (failed) node.importFailed = { reason: failed.reason ?? '', message: failed.message ?? '' };
    const ref = spec.find((t) => t.name === tag);
    if (ref) addSource(b, s, ref, id);
  }
}

/** The edge into a tag from where its image comes from (spec.tags[].from). */
function addSource(b: Builder, s: StoredObject<ImageStream>, ref: TagReference, id: string): void {
  const from = ref.from;
  if (!from?.name) return;
  const inactive = ref.reference === true;
  const flags = [ref.importPolicy?.scheduled ? 'scheduled' : '', inactive ? 'reference' : ''].filter(Boolean);
  if (from.kind === 'DockerImage') {
    const { repo, version } = splitSource(from.name);
    b.node({ id: `repo:${repo}`, kind: 'repository', label: repo });
    b.edge({
      from: `repo:${repo}`,
      to: id,
      kind: 'import',
      label: [version, ...flags].filter(Boolean).join(' '),
      ...(inactive ? { inactive } : {}),
    });
    return;
  }
  const namespace = from.namespace || s.namespace;
  if (from.kind === 'ImageStreamTag') {
    const name = from.name.includes(':') ? from.name : `${s.name}:${from.name}`;
    b.edge({
      from: b.tagNode(namespace, name),
      to: id,
      kind: 'tag',
      label: ['tag', ...flags].join(' '),
      ...(inactive ? { inactive } : {}),
    });
  } else if (from.kind === 'ImageStreamImage') {
    const [stream, digest = ''] = from.name.split('@');
    const srcId = `image:${namespace}/${from.name}`;
    b.node({ id: srcId, kind: 'repository', label: b.qualify(namespace, `${stream}@${shortDigest(digest)}`) });
    b.edge({
      from: srcId,
      to: id,
      kind: 'tag',
      label: ['image', ...flags].join(' '),
      ...(inactive ? { inactive } : {}),
    });
  }
}

/** Repository and `:tag` / `@digest` of a pull spec; unparsable specs stay whole. */
function splitSource(name: string): { repo: string; version: string } {
  const spec = readPullSpec(name);
  if (spec.transport === 'invalid') return { repo: name, version: '' };
  if (spec.transport === 'oci')
    return {
      repo: `oci:${spec.path}`,
      version: spec.digest ? `@${shortDigest(spec.digest)}` : `:${spec.tag || 'latest'}`,
    };
  const ref = spec.ref;
  return { repo: repositoryName(ref), version: ref.id ? `@${shortDigest(ref.id)}` : `:${ref.tag || 'latest'}` };
}

function shortDigest(d: string): string {
  const [alg, hex = ''] = d.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : d;
}

function workloadNode(b: Builder, o: StoredObject, kind: GraphNodeKind, prefix: string): GraphNode {
  return b.node({
    id: `wl:${o.namespace}/${o.kind}/${o.name}`,
    kind,
    label: b.qualify(o.namespace, `${prefix}/${o.name}`),
  });
}

/**
 * DC ImageChange triggers; `automatic: false` ones only record lastTriggeredImage
 * (openshift-controller-manager pkg/image/trigger/deploymentconfigs).
 */
function addDeploymentConfig(b: Builder, o: StoredObject): void {
  const triggers = dcImageTriggers(o.object as unknown as JsonMap, o.namespace).filter(
    (t) => t.from.kind === 'ImageStreamTag' && t.from.name,
  );
  const node = workloadNode(b, o, 'workload', 'dc');
  for (const t of triggers) {
    const label = `ImageChange${t.containerNames.length ? ` (${t.containerNames.join(', ')})` : ''}${t.automatic ? '' : ' manual'}`;
    b.edge({
      from: b.tagNode(t.from.namespace, t.from.name),
      to: node.id,
      kind: 'trigger',
      label,
      ...(t.automatic ? {} : { inactive: true }),
    });
  }
}

const KIND_PREFIX: Record<string, string> = {
  Deployment: 'deployment',
  DaemonSet: 'daemonset',
  StatefulSet: 'statefulset',
  CronJob: 'cronjob',
};

/**
 * `image.openshift.io/triggers` (library-go pkg/image/trigger/types.go): one edge per trigger,
 * paused ones drawn inactive.
 */
function addAnnotated(b: Builder, o: StoredObject): void {
  const value = triggerAnnotationOf(o.object);
  if (value === undefined) return;
  const node = workloadNode(b, o, 'workload', KIND_PREFIX[o.kind] ?? o.kind.toLowerCase());
  const parsed = parseTriggerAnnotation(value);
  if (parsed.error) node.problem = `trigger annotation rejected: ${parsed.error}`;
  for (const t of parsed.triggers) {
    if (t.from.kind !== 'ImageStreamTag' || !t.from.name.includes(':')) continue;
    const container = /name\s*==\s*["']?([^"')\]]+)/.exec(t.fieldPath)?.[1];
    const label = `trigger${container ? ` (${container})` : ''}${t.paused ? ' paused' : ''}`;
    b.edge({
      from: b.tagNode(t.from.namespace || o.namespace, t.from.name),
      to: node.id,
      kind: 'trigger',
      label,
      ...(t.paused ? { inactive: true } : {}),
    });
  }
}

/**
 * BuildConfig ImageChange triggers as the trigger index holds them (defaulting applied; a trigger
 * the cache does not watch is drawn inactive), and the build's output tag.
 */
function addBuildConfig(b: Builder, o: StoredObject): void {
  const bc = o.object as unknown as JsonMap;
  const spec = isMap(bc.spec) ? bc.spec : {};
  const node = workloadNode(b, o, 'build', 'bc');
  for (const t of buildConfigSource.calculate(o).triggers) {
    const inactive = t.paused || t.key === undefined;
    b.edge({
      from: b.tagNode(t.from.namespace || o.namespace, t.from.name),
      to: node.id,
      kind: 'trigger',
      label: `ImageChange${t.paused ? ' paused' : ''}`,
      ...(inactive ? { inactive: true } : {}),
    });
  }
  const out = isMap(spec.output) && isMap(spec.output.to) ? spec.output.to : undefined;
  if (out?.kind === 'ImageStreamTag' && typeof out.name === 'string' && out.name) {
    const ns = typeof out.namespace === 'string' && out.namespace ? out.namespace : o.namespace;
    b.edge({ from: node.id, to: b.tagNode(ns, out.name), kind: 'output', label: 'builds' });
  }
}
