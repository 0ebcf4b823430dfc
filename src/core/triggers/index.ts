/**
 * The TriggerHook (src/core/context.ts): after tags changed in a transaction, does to the
 * workloads of the Snapshot what OpenShift's image trigger controller, DC controller, build
 * generator and image policy admission would do (../shared/reference/imagestream-api.md §5).
 * Objects are evaluated when one of their watched streams changed (trigger/cache.go indexes by
 * `namespace/stream`), and then all their triggers are resolved, as the controller does.
 */
import type { Snapshot, StoredObject } from '../../state/types.js';
import type { ClusterSettings, TagChange, TriggerHook, TriggerReport, TriggeredWorkload } from '../context.js';
import { createTagRetriever, type TagRetriever } from './resolve.js';
import { bumpGeneration, fileOf, isMap, type JsonMap } from './objects.js';
import { decideRollout, dcWatchedStreams, recordRollout, updateDeploymentConfigImages, type ImageChange } from './deploymentconfigs.js';
import { ANNOTATION_TRIGGER_KINDS, applyAnnotationTriggers, triggerAnnotationOf } from './annotated.js';
import { applyBuildConfigTriggers, bcWatchedStreams } from './buildconfigs.js';
import { resolveShortNames } from './lookup.js';

/** Kinds whose spec a trigger or the lookup policy may change. */
const WORKLOAD_KINDS = new Set(['DeploymentConfig', 'Deployment', 'DaemonSet', 'StatefulSet', 'CronJob', 'ReplicaSet', 'ReplicationController', 'Job', 'Pod']);

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
export function applyTriggers(snapshot: Snapshot, changes: TagChange[], settings: ClusterSettings, options: TriggerHookOptions = {}): TriggerReport {
  const report: TriggerReport = { updated: [], warnings: [], builds: [] };
  if (changes.length === 0) return report;
  const warn = (w: string): void => {
    report.warnings.push(w);
    options.onWarning?.(w);
  };
  const retrieve = createTagRetriever(snapshot, settings);
  const changed = new Set(changes.map((c) => `${c.namespace}/${c.stream}`));
  const touched = new Touched();
  for (const so of snapshot.objects) if (WORKLOAD_KINDS.has(so.kind)) touched.remember(so);

  for (const { object, changes: list } of resolveShortNames(snapshot, changes, retrieve)) touched.record(object, list);
  applyDeploymentConfigs(snapshot, changed, retrieve, touched);
  for (const kind of [...ANNOTATION_TRIGGER_KINDS, 'ReplicaSet', 'Job', 'Pod']) {
    for (const so of snapshot.list(kind)) {
      if (triggerAnnotationOf(so.object) === undefined) continue;
      const r = applyAnnotationTriggers(so, changed, retrieve);
      r.warnings.forEach(warn);
      touched.record(so, r.changes);
    }
  }
  for (const so of snapshot.list('BuildConfig')) {
    if (!bcWatchedStreams(so.object as JsonMap, so.namespace).some((k) => changed.has(k))) continue;
    const r = applyBuildConfigTriggers(so, retrieve, { now: options.now ?? (() => new Date()) });
    r.warnings.forEach(warn);
    if (r.build) report.builds.push(r.build);
  }
  finish(snapshot, touched, report);
  return report;
}

function applyDeploymentConfigs(snapshot: Snapshot, changed: Set<string>, retrieve: TagRetriever, touched: Touched): void {
  for (const so of snapshot.list('DeploymentConfig')) {
    const dc = so.object as JsonMap;
    const watched = dcWatchedStreams(dc, so.namespace).some((k) => changed.has(k));
    if (!watched && !touched.changes.has(so)) continue;
    if (watched) {
      const { resolvable, changes } = updateDeploymentConfigImages(dc, so.namespace, retrieve);
      if (resolvable) touched.record(so, changes);
    }
    const before = touched.before.get(so);
    if (JSON.stringify(dc.spec) === JSON.stringify(before?.spec)) continue;
    const details = decideRollout(dc, before, so.namespace);
    if (details) touched.rollouts.set(so, { latestVersion: recordRollout(dc, details), message: details.message });
  }
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
