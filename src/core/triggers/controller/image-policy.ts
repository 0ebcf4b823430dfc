/**
 * `lookupPolicy.local`: short image names resolved as the image policy admission plugin does
 * (apiserver-library-go pkg/admission/imagepolicy/imagepolicy.go resolveImageReference /
 * resolveImageStreamTag).
 *
 * The rule isctl follows: the plugin rewrites a workload when it is created or updated; in a
 * state folder that is "when the tag it names changes". So for every tag whose image changed in
 * this transaction, each container or init container of a workload in the stream's namespace
 * whose image is a single-segment name without digest (`app`, `app:tag`; `latest` when no tag)
 * naming that stream and tag is set to `<repo>@<image digest>` of the ImageStreamTag (the
 * reference policy applied) — if the stream has `spec.lookupPolicy.local: true`, or the object or
 * its pod template carries `alpha.image.policy.openshift.io/resolve-names: "*"` (then any name
 * without digest counts, its last path segment naming the stream in the object's namespace).
 * Jobs and Builds are skipped (skipImageRewriteOnUpdate). Once rewritten, the digest stays until
 * a trigger moves it, exactly as on a cluster.
 */
import type { Snapshot, StoredObject } from '../../../state/types.js';
import type { TagChange } from '../../context.js';
import type { TagRetriever } from './tag-retriever.js';
import type { ImageChange } from './deploymentconfigs.js';
import { isMap } from '../objects.js';
import { allContainers, getPodSpec } from '../../../domain/triggers/podspec.js';
import { exact, type DockerImageReference } from '../../../domain/reference.js';
import { readPullSpec } from '../../../domain/pullspec.js';
import type { ImageStream } from '../../../domain/types.js';

/** Workload kinds the default admission rules resolve (localNames: true), minus Jobs (create-only). */
export const LOOKUP_KINDS = [
  'Pod',
  'ReplicationController',
  'DeploymentConfig',
  'Deployment',
  'DaemonSet',
  'StatefulSet',
  'ReplicaSet',
  'CronJob',
];

/** The annotation that forces name resolution for one object. */
export const ANNOTATION_RESOLVE_NAMES = 'alpha.image.policy.openshift.io/resolve-names';

/** One object whose short names were resolved. */
export interface LookupResult {
  object: StoredObject;
  changes: ImageChange[];
}

function annotationOf(obj: unknown, key: string): unknown {
  const meta = isMap(obj) ? obj.metadata : undefined;
  return isMap(meta) && isMap(meta.annotations) ? meta.annotations[key] : undefined;
}

function forcesResolution(so: StoredObject): boolean {
  if (annotationOf(so.object, ANNOTATION_RESOLVE_NAMES) === '*') return true;
  const spec = isMap(so.object.spec) ? so.object.spec : {};
  const template =
    so.kind === 'CronJob' && isMap(spec.jobTemplate) && isMap(spec.jobTemplate.spec)
      ? spec.jobTemplate.spec.template
      : spec.template;
  return annotationOf(template, ANNOTATION_RESOLVE_NAMES) === '*';
}

function parseOrUndefined(image: string): DockerImageReference | undefined {
  const spec = readPullSpec(image);
  return spec.transport === 'docker' ? spec.ref : undefined;
}

/** The pull spec admission writes for a resolved ImageStreamTag: `<repo of its reference>@<image>`. */
function admissionPullSpec(retrieve: TagRetriever, change: TagChange): string | undefined {
  const resolved = retrieve(change.namespace, `${change.stream}:${change.tag}`);
  if (!resolved?.event.image) return undefined;
  const ref = parseOrUndefined(resolved.ref);
  return ref ? exact({ ...ref, tag: '', id: resolved.event.image }) : undefined;
}

/** Rewrites short image names of workloads whose stream tag changed (the rule in this file's header). */
export function resolveShortNames(snapshot: Snapshot, changes: TagChange[], retrieve: TagRetriever): LookupResult[] {
  const results = new Map<StoredObject, ImageChange[]>();
  for (const change of changes) {
    const stream = snapshot.find<ImageStream>('ImageStream', change.namespace, change.stream);
    if (!stream) continue;
    const local = stream.object.spec?.lookupPolicy?.local === true;
    const target = admissionPullSpec(retrieve, change);
    if (!target) continue;
    for (const kind of LOOKUP_KINDS) {
      for (const so of snapshot.list(kind, change.namespace)) {
        const force = forcesResolution(so);
        if (!local && !force) continue;
        rewriteObject(so, change, target, force, results);
      }
    }
  }
  return [...results].map(([object, list]) => ({ object, changes: list }));
}

function rewriteObject(
  so: StoredObject,
  change: TagChange,
  target: string,
  force: boolean,
  results: Map<StoredObject, ImageChange[]>,
): void {
  const spec = getPodSpec(so.object, so.kind);
  if (!spec) return;
  for (const { container } of allContainers(spec)) {
    if (typeof container.image !== 'string') continue;
    const ref = parseOrUndefined(container.image);
    if (!ref || ref.id) continue;
    const partial = force || (!ref.registry && !ref.namespace && !!ref.name);
    if (!partial || ref.name !== change.stream || (ref.tag || 'latest') !== change.tag) continue;
    const list = results.get(so) ?? [];
    list.push({
      container: typeof container.name === 'string' ? container.name : '',
      from: container.image,
      to: target,
    });
    results.set(so, list);
    container.image = target;
  }
}
