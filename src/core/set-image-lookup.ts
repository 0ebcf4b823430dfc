/**
 * `set image-lookup`: turn `spec.lookupPolicy.local` on or off for image streams, or force name
 * lookup on a workload with the `alpha.image.policy.openshift.io/resolve-names: "*"` annotation
 * on its pod template (oc pkg/cli/set/imagelookup.go). Unchanged objects are not reported.
 */
import { CommandError, NotFoundError } from '../domain/errors.js';
import { namedReadError } from '../domain/validation.js';
import { applyUpdateGenerations } from '../domain/generations.js';
import type { ImageStream, KubeObject } from '../domain/types.js';
import type { FileChange, Snapshot, StoredObject } from '../state/types.js';
import type { CoreContext } from './context.js';
import { RESOURCE_NAMES } from './get.js';

/** The annotation that forces local name resolution on a workload. */
export const RESOLVE_NAMES_ANNOTATION = 'alpha.image.policy.openshift.io/resolve-names';

/** One row of the `NAME LOCAL` listing. */
export interface ImageLookupRow {
  name: string;
  local: boolean | 'UNKNOWN';
}

/** An object whose lookup setting changed. */
export interface ImageLookupChange {
  kind: string;
  name: string;
  /** The object as written (imagelookup.go prints what the patch returned). */
  object: KubeObject;
}

const WORKLOAD_KINDS: Record<string, string> = {
  dc: 'DeploymentConfig',
  deploymentconfig: 'DeploymentConfig',
  deploymentconfigs: 'DeploymentConfig',
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  sts: 'StatefulSet',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  cj: 'CronJob',
  cronjob: 'CronJob',
  cronjobs: 'CronJob',
  job: 'Job',
  jobs: 'Job',
  rs: 'ReplicaSet',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
  rc: 'ReplicationController',
  replicationcontroller: 'ReplicationController',
  replicationcontrollers: 'ReplicationController',
  pod: 'Pod',
  pods: 'Pod',
  is: 'ImageStream',
  imagestream: 'ImageStream',
  imagestreams: 'ImageStream',
};

/** Finds the objects named by the arguments (`NAME` = image stream, `TYPE/NAME` = any supported kind), or all streams. */
export function selectLookupTargets(
  snapshot: Snapshot,
  namespace: string,
  args: readonly string[],
  all: boolean,
): StoredObject[] {
  // No names (listing, or --all): every stream of the namespace.
  if (args.length === 0 || all) return snapshot.list('ImageStream', namespace);
  const out: StoredObject[] = [];
  for (const arg of args) {
    const slash = arg.indexOf('/');
    const kind =
      slash < 0
        ? 'ImageStream'
        : WORKLOAD_KINDS[
            arg
              .slice(0, slash)
              .toLowerCase()
              .replace(/\.[a-z.]+$/, '')
          ];
    const name = slash < 0 ? arg : arg.slice(slash + 1);
    if (!kind) throw new CommandError(`the server doesn't have a resource type "${arg.slice(0, slash)}"`);
    const found = snapshot.find(kind, namespace, name);
    // imagelookup.go Run reads each target through the resource builder (Info.Get).
    const resource = kind === 'ImageStream' ? RESOURCE_NAMES.imagestreams : `${kind.toLowerCase()}s`;
    if (!found) throw namedReadError(namespace, new NotFoundError(resource, name));
    out.push(found);
  }
  return out;
}

/** The `NAME LOCAL` rows for the targets (printImageLookup). */
export function imageLookupRows(targets: readonly StoredObject[]): ImageLookupRow[] {
  return targets.map((t) => {
    const o = t.original ?? t.object;
    if (t.kind === 'ImageStream') return { name: t.name, local: (o as ImageStream).spec?.lookupPolicy?.local === true };
    const tpl = templateMeta(o);
    const enabled =
      tpl?.annotations?.[RESOLVE_NAMES_ANNOTATION] === '*' ||
      o.metadata?.annotations?.[RESOLVE_NAMES_ANNOTATION] === '*';
    // oc's getObjectName: the plural resource and the name (deployments/web).
    return { name: `${t.kind.toLowerCase()}s/${t.name}`, local: enabled };
  });
}

/** Sets lookup on each target; returns the objects that actually changed. */
export function setImageLookupOn(targets: readonly StoredObject[], enabled: boolean): ImageLookupChange[] {
  const changed: ImageLookupChange[] = [];
  for (const t of targets) {
    const before = JSON.stringify(t.original ?? t.object);
    if (t.kind === 'ImageStream') setStreamLookup(t as StoredObject<ImageStream>, enabled);
    else setWorkloadLookup(t.object, enabled);
    if (JSON.stringify(t.object) !== before)
      changed.push({ kind: t.kind, name: t.name, object: structuredClone(t.object) });
  }
  return changed;
}

// A spec change: metadata.generation moves as the API server's prepareForUpdate does.
function setStreamLookup(t: StoredObject<ImageStream>, enabled: boolean): void {
  const old = t.object;
  if ((old.spec?.lookupPolicy?.local === true) === enabled) return;
  const next = structuredClone(old);
  next.spec = { ...(next.spec ?? {}), lookupPolicy: { local: enabled } };
  applyUpdateGenerations(old, next, t.namespace);
  t.object = next;
}

function setWorkloadLookup(o: KubeObject, enabled: boolean): void {
  const target = templateMeta(o, enabled) ?? (o.metadata = o.metadata ?? {});
  const current = target.annotations ?? {};
  if (enabled && current[RESOLVE_NAMES_ANNOTATION] !== '*')
    target.annotations = { ...current, [RESOLVE_NAMES_ANNOTATION]: '*' };
  if (!enabled && RESOLVE_NAMES_ANNOTATION in current) {
    const rest = { ...current };
    delete rest[RESOLVE_NAMES_ANNOTATION];
    target.annotations = rest;
  }
}

// The pod template's metadata (spec.template, or spec.jobTemplate.spec.template for CronJobs).
function templateMeta(o: KubeObject, create = false): { annotations?: Record<string, string> | null } | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec || typeof spec !== 'object') return undefined;
  const jobSpec = (spec.jobTemplate as { spec?: Record<string, unknown> } | undefined)?.spec;
  const template = (jobSpec?.template ?? spec.template) as Record<string, unknown> | undefined;
  if (!template || typeof template !== 'object') return undefined;
  if (!template.metadata && create) template.metadata = {};
  return template.metadata as { annotations?: Record<string, string> | null } | undefined;
}

/** What `set image-lookup` is asked for. */
export interface SetImageLookupInput {
  /** Image streams (NAME) or workloads (TYPE/NAME). */
  args: string[];
  all: boolean;
  list: boolean;
  enabled: boolean;
  dryRun?: boolean;
  /** An -o format was given: no names then sets lookup on every stream rather than listing (imagelookup.go PrintTable). */
  output?: boolean;
}

/** `set image-lookup` as one transaction in the context's namespace: lists (no names, or `list`) or sets lookup. */
export async function setImageLookup(
  ctx: CoreContext,
  req: SetImageLookupInput,
): Promise<{ rows?: ImageLookupRow[]; changed: ImageLookupChange[]; changes: FileChange[] }> {
  const { store, namespace } = ctx;
  // imagelookup.go Complete: PrintTable = (no -o, no names, no --all) || --list.
  if ((!req.output && req.args.length === 0 && !req.all) || req.list) {
    const snapshot = await store.read(namespace);
    return {
      rows: imageLookupRows(selectLookupTargets(snapshot, namespace, req.args, req.all)),
      changed: [],
      changes: [],
    };
  }
  if (req.all && req.args.length > 0) throw new CommandError('pass either names or --all, not both');
  const { result, changes } = await store.update(
    namespace,
    (s) => setImageLookupOn(selectLookupTargets(s, namespace, req.args, req.all), req.enabled),
    {
      dryRun: req.dryRun,
    },
  );
  return { changed: result, changes };
}
