/**
 * `rollout latest dc/NAME`: what `oc rollout latest` asks of the API server — instantiate with
 * `latest: true, force: true` (oc pkg/cli/rollout/latest.go; openshift-apiserver
 * pkg/apps/apiserver/registry/instantiate/rest.go processTriggers and canTrigger).
 */
import { CommandError, NotFoundError } from '../domain/errors.js';
import { namedReadError } from '../domain/validation.js';
import type { KubeObject } from '../domain/types.js';
import type { FileChange, Snapshot } from '../state/types.js';
import { reconcileMarkers, type MarkerResult } from './triggers/controller/markers.js';
import type { CoreContext, ClusterSettings, TriggeredWorkload } from './context.js';
import { createTagRetriever } from './triggers/controller/tag-retriever.js';
import { recordRollout, setContainerImages, type ImageChange } from './triggers/controller/deploymentconfigs.js';
import { dcImageTriggers } from './triggers/sources/deploymentconfigs.js';
import { allContainers, getPodSpec } from '../domain/triggers/podspec.js';
import { bumpGeneration, fileOf, isMap, setLeaf, type JsonMap } from './triggers/objects.js';

/** How the rollout runs. */
export interface RolloutLatestInput {
  /** The DeploymentConfig's name. */
  name: string;
  /** `--again`: deploy the current template without resolving the triggers. */
  again?: boolean;
  dryRun?: boolean;
}

/** What the rollout did. */
export interface RolloutLatestResult {
  namespace: string;
  name: string;
  latestVersion: number;
  workload: TriggeredWorkload;
  /** The DeploymentConfig as it was read, and as it is written (latest.go prints one of them). */
  original: KubeObject;
  object: KubeObject;
  changes: FileChange[];
  /** Marker comments set in the same transaction (the markers follow the streams on every write). */
  markers: MarkerResult;
}

const DC_RESOURCES = new Set([
  'dc',
  'deploymentconfig',
  'deploymentconfigs',
  'deploymentconfig.apps.openshift.io',
  'deploymentconfigs.apps.openshift.io',
]);

/** The DeploymentConfig name in `dc/NAME`, `deploymentconfig/NAME` or a bare `NAME`; throws CommandError for other kinds. */
export function deploymentConfigName(arg: string): string {
  const slash = arg.indexOf('/');
  if (slash < 0) return arg;
  const resource = arg.slice(0, slash).toLowerCase();
  const name = arg.slice(slash + 1);
  if (!DC_RESOURCES.has(resource))
    throw new CommandError(`rollout latest works on deployment configs only, not "${arg.slice(0, slash)}"`);
  if (!name) throw new CommandError('a deployment config name is required');
  return name;
}

/** Starts a new rollout of a DeploymentConfig from the latest images of its triggers. */
export async function rolloutLatest(ctx: CoreContext, options: RolloutLatestInput): Promise<RolloutLatestResult> {
  const { namespace } = ctx;
  const { name } = options;
  const { result, changes } = await ctx.store.update(
    namespace,
    (snap) => {
      const r = instantiate(snap, namespace, name, ctx.settings, options);
      return { ...r, markers: reconcileMarkers(snap, createTagRetriever(snap, ctx.settings)) };
    },
    { dryRun: options.dryRun ?? false },
  );
  return { ...result, changes };
}

function instantiate(
  snap: Snapshot,
  namespace: string,
  name: string,
  settings: ClusterSettings,
  options: RolloutLatestInput,
): Omit<RolloutLatestResult, 'changes' | 'markers'> {
  const so = snap.find('DeploymentConfig', namespace, name);
  // latest.go RunRolloutLatest reads the config through the resource builder (Info.Get).
  if (!so) throw namedReadError(namespace, new NotFoundError('deploymentconfigs.apps.openshift.io', name));
  const dc = so.object as JsonMap;
  const original = structuredClone(dc) as KubeObject;
  const specBefore = JSON.stringify(dc.spec);
  // latest.go: "cannot deploy a paused deployment config" (checked by oc before instantiating).
  if (isMap(dc.spec) && dc.spec.paused === true)
    throw new CommandError(
      'cannot deploy a paused deployment config',
      `resume it first: remove spec.paused from ${fileOf(so)}`,
    );
  const imageChanges: ImageChange[] = options.again ? [] : processTriggers(snap, dc, namespace, settings);
  // canTrigger: every ImageChange trigger must have fired once, forced or not.
  if (dcImageTriggers(dc, so.namespace).some((t) => !t.lastTriggeredImage)) {
    throw new CommandError(
      `cannot trigger a deployment for "${name}" because it contains unresolved images`,
      'import the image stream tags its ImageChange triggers name first (isctl import-image)',
    );
  }
  const latestVersion = recordRollout(dc, { message: 'manual change', causes: [{ type: 'Manual' }] });
  if (JSON.stringify(dc.spec) !== specBefore) bumpGeneration(dc);
  const workload: TriggeredWorkload = {
    kind: 'DeploymentConfig',
    namespace: so.namespace,
    name,
    file: fileOf(so),
    changes: imageChanges,
    rollout: { latestVersion, message: 'manual change' },
  };
  return {
    namespace: so.namespace,
    name,
    latestVersion,
    workload,
    original,
    object: structuredClone(dc) as KubeObject,
  };
}

/**
 * instantiate/rest.go processTriggers with force: every ImageChange trigger (automatic or not)
 * whose stream resolves and differs from `lastTriggeredImage` sets its containers' images.
 */
function processTriggers(snap: Snapshot, dc: JsonMap, namespace: string, settings: ClusterSettings): ImageChange[] {
  const retrieve = createTagRetriever(snap, settings);
  const changes: ImageChange[] = [];
  for (const t of dcImageTriggers(dc, namespace)) {
    const resolved = retrieve(t.from.namespace, t.from.name);
    if (!resolved || resolved.ref === t.lastTriggeredImage) continue;
    // lastTriggeredImage is only recorded when a named container exists (rest.go sets it in the container loop).
    if (hasNamedContainer(dc, t.containerNames)) setLeaf(t.params, 'lastTriggeredImage', resolved.ref);
    setContainerImages(dc, t.containerNames, resolved.ref, changes);
  }
  return changes;
}

function hasNamedContainer(dc: JsonMap, names: string[]): boolean {
  const spec = getPodSpec(dc, 'DeploymentConfig');
  return (
    !!spec && allContainers(spec).some((c) => typeof c.container.name === 'string' && names.includes(c.container.name))
  );
}
