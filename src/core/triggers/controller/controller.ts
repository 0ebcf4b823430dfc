/**
 * The trigger controller: what runs after a tag's image changed. This folder (controller/) holds
 * what OpenShift does on its own once an ImageStream moves; the `set triggers` command, which
 * edits the trigger definitions of one object, lives in ../set-triggers/.
 *
 * The TriggerHook (src/core/context.ts): after tags changed in a transaction, does to the
 * workloads of the Snapshot what OpenShift's image trigger controller
 * (openshift-controller-manager pkg/image/controller/trigger), DC controller, build generator and
 * image policy admission would do.
 * Objects are evaluated when one of their watched streams changed (trigger/cache.go indexes by
 * `namespace/stream`), and then all their triggers are resolved, as the controller does.
 */
import type { Snapshot, StoredObject } from '../../../state/types.js';
import type { ClusterSettings, TagChange, TriggerHook, TriggerReport, TriggeredWorkload } from '../../context.js';
import { createTagRetriever, type TagRetriever } from './tag-retriever.js';
import { bumpGeneration, describeObject, fileOf, isMap, type JsonMap } from '../objects.js';
import { allContainers, getPodSpec } from '../../../domain/triggers/podspec.js';
import {
  dcImageTriggers,
  decideRollout,
  dcWatchedStreams,
  recordRollout,
  updateDeploymentConfigImages,
  type ImageChange,
} from './deploymentconfigs.js';
import { ANNOTATION_TRIGGER_KINDS, applyAnnotationTriggers, triggerAnnotationOf } from './annotations.js';
import { applyBuildConfigTriggers, bcWatchedStreams } from './buildconfigs.js';
import { resolveShortNames } from './image-policy.js';

/** Kinds whose spec a trigger or the lookup policy may change. */
const WORKLOAD_KINDS = new Set([
  'DeploymentConfig',
  'Deployment',
  'DaemonSet',
  'StatefulSet',
  'CronJob',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'Pod',
]);

/** Options of the hook. */
export interface TriggerHookOptions {
  /** Called with each warning as it is found (the report carries them too). */
  onWarning?: (message: string) => void;
  /** Clock for BuildConfig `lastTriggerTime`; pass the command's clock for reproducible output. */
  now?: () => Date;
}

/** Creates the hook the import/tag/refresh use cases call inside their transaction. */
export function createTriggerHook(options: TriggerHookOptions = {}): TriggerHook {
  return {
    apply: (snapshot, changes, settings) => applyTriggers(snapshot, changes, settings, options),
    reconcile: (snapshot, settings) => evaluate(snapshot, settings, options, () => true, []),
  };
}

/** Tracks each touched object's state before this pass, and what changed in it. */
class Touched {
  readonly before = new Map<StoredObject, JsonMap>();
  readonly changes = new Map<StoredObject, ImageChange[]>();
  readonly rollouts = new Map<StoredObject, { latestVersion: number; message: string }>();
  remember(so: StoredObject): void {
    if (!this.before.has(so)) this.before.set(so, structuredClone(so.object) as JsonMap);
  }
  record(so: StoredObject, list: ImageChange[]): void {
    if (list.length > 0) this.changes.set(so, [...(this.changes.get(so) ?? []), ...list]);
  }
}

/** Applies every trigger kind for `changes` and reports what it did. */
export function applyTriggers(
  snapshot: Snapshot,
  changes: TagChange[],
  settings: ClusterSettings,
  options: TriggerHookOptions = {},
): TriggerReport {
  if (changes.length === 0) return { updated: [], warnings: [], builds: [] };
  const changed = new Set(changes.map((c) => `${c.namespace}/${c.stream}`));
  return evaluate(snapshot, settings, options, (keys) => keys === null || keys.some((k) => changed.has(k)), changes);
}

/**
 * Evaluates the triggers of the given objects as the controller does when an object's triggers
 * change (e.g. after `set triggers`): every trigger is resolved against the current streams.
 */
export function applyTriggersTo(
  snapshot: Snapshot,
  objects: StoredObject[],
  settings: ClusterSettings,
  options: TriggerHookOptions = {},
): TriggerReport {
  const chosen = new Set(objects);
  return evaluate(snapshot, settings, options, (_keys, so) => chosen.has(so), []);
}

/** Which objects to evaluate: given the `namespace/stream` keys an object watches (null: unknown, annotation broken), and the object. */
type Selector = (keys: string[] | null, so: StoredObject) => boolean;

function evaluate(
  snapshot: Snapshot,
  settings: ClusterSettings,
  options: TriggerHookOptions,
  select: Selector,
  changes: TagChange[],
): TriggerReport {
  const report: TriggerReport = { updated: [], warnings: [], builds: [] };
  const warn = (w: string): void => {
    report.warnings.push(w);
    options.onWarning?.(w);
  };
  const retrieve = createTagRetriever(snapshot, settings);
  const touched = new Touched();
  for (const so of snapshot.objects) if (WORKLOAD_KINDS.has(so.kind)) touched.remember(so);

  for (const { object, changes: list } of resolveShortNames(snapshot, changes, retrieve)) touched.record(object, list);
  applyDeploymentConfigs(snapshot, select, retrieve, touched, warn);
  for (const kind of [...ANNOTATION_TRIGGER_KINDS, 'ReplicaSet', 'Job', 'Pod']) {
    for (const so of snapshot.list(kind)) {
      if (triggerAnnotationOf(so.object) === undefined) continue;
      const r = applyAnnotationTriggers(so, (keys) => select(keys, so), retrieve);
      r.warnings.forEach(warn);
      touched.record(so, r.changes);
    }
  }
  for (const so of snapshot.list('BuildConfig')) {
    if (!select(bcWatchedStreams(so.object as JsonMap, so.namespace), so)) continue;
    const r = applyBuildConfigTriggers(so, retrieve, { now: options.now ?? (() => new Date()) });
    r.warnings.forEach(warn);
    if (r.build) report.builds.push(r.build);
  }
  finish(snapshot, touched, report);
  return report;
}

function applyDeploymentConfigs(
  snapshot: Snapshot,
  select: Selector,
  retrieve: TagRetriever,
  touched: Touched,
  warn: (w: string) => void,
): void {
  for (const so of snapshot.list('DeploymentConfig')) {
    const dc = so.object as JsonMap;
    const watched = select(dcWatchedStreams(dc, so.namespace), so);
    if (!watched && select(dcWatchedStreams(dc, so.namespace, true), so))
      missingContainers(so, 'OpenShift ignores it').forEach(warn);
    if (!watched && !touched.changes.has(so)) continue;
    if (watched) {
      const { resolvable, changes } = updateDeploymentConfigImages(dc, so.namespace, retrieve);
      if (resolvable) touched.record(so, changes);
      if (resolvable) missingContainers(so, 'only lastTriggeredImage is set').forEach(warn);
    }
    const before = touched.before.get(so);
    if (JSON.stringify(dc.spec) === JSON.stringify(before?.spec)) continue;
    const details = decideRollout(dc, before, so.namespace);
    if (details) touched.rollouts.set(so, { latestVersion: recordRollout(dc, details), message: details.message });
  }
}

/** Warnings for automatic triggers naming containers the pod template lacks, with what OpenShift does about it. */
function missingContainers(so: StoredObject, consequence: string): string[] {
  const spec = getPodSpec(so.object, 'DeploymentConfig');
  const names = new Set(spec ? allContainers(spec).map((c) => c.container.name) : []);
  return dcImageTriggers(so.object as JsonMap, so.namespace)
    .filter((t) => t.automatic && t.from.kind === 'ImageStreamTag')
    .map((t) => ({ t, missing: t.containerNames.filter((n) => !names.has(n)) }))
    .filter(({ missing }) => missing.length > 0)
    .map(({ t, missing }) => {
      const partly = missing.length < t.containerNames.length ? 'they are skipped' : consequence;
      return `${describeObject(so)}: trigger on ${t.from.name} names container(s) ${missing.join(', ')} that the pod template does not have; ${partly}`;
    });
}

/** Bumps metadata.generation of objects whose spec changed and fills the report in snapshot order. */
function finish(snapshot: Snapshot, touched: Touched, report: TriggerReport): void {
  for (const so of snapshot.objects) {
    const before = touched.before.get(so);
    const obj = so.object as JsonMap;
    if (!before || !isMap(obj.spec) || JSON.stringify(obj.spec) === JSON.stringify(before.spec)) continue;
    bumpGeneration(obj);
    const entry: TriggeredWorkload = {
      kind: so.kind,
      namespace: so.namespace,
      name: so.name,
      file: fileOf(so),
      changes: touched.changes.get(so) ?? [],
    };
    const rollout = touched.rollouts.get(so);
    if (rollout) entry.rollout = rollout;
    report.updated.push(entry);
  }
}
