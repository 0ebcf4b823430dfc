/**
 * The trigger controller: what runs after a tag's image changed. This folder (controller/) holds
 * what OpenShift does on its own once an ImageStream moves; the `set triggers` command, which
 * edits the trigger definitions of one object, lives in ../set-triggers/, and which object
 * follows which stream is ../trigger-index.ts, shared by both.
 *
 * The TriggerHook (src/core/context.ts): in the transaction that changed tags, does to the
 * workloads of the Snapshot what OpenShift's image trigger controller
 * (openshift-controller-manager pkg/image/controller/trigger), DC controller, build generator and
 * image policy admission would do. Every run brings every object the index watches level with
 * the streams as they are now — the controller's work queue retries until an update lands — so a
 * workload a killed run did not reach, or one added after its tag was imported, catches up on the
 * next command, whichever command it is. The tags that changed in this run only decide which
 * warnings are worth printing and which short names admission rewrites.
 */
import type { Snapshot, StoredObject } from '../../../state/types.js';
import type { ClusterSettings, TagChange, TriggerHook, TriggerReport, TriggeredWorkload } from '../../context.js';
import { bumpGeneration, describeObject, fileOf, isMap, type JsonMap } from '../objects.js';
import { OPENSHIFT_TRIGGER_SOURCES } from '../sources/openshift.js';
import { buildTriggerIndex, type TriggerEntry, TriggerIndex } from '../trigger-index.js';
import { applyAnnotationTriggers } from './annotations.js';
import { applyBuildConfigTriggers } from './buildconfigs.js';
import { decideRollout, type ImageChange, recordRollout, updateDeploymentConfigImages } from './deploymentconfigs.js';
import { resolveShortNames } from './image-policy.js';
import { reconcileMarkers } from './markers.js';
import { createTagRetriever, type TagRetriever } from './tag-retriever.js';

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
    reconcile: (snapshot, settings) => runController(snapshot, settings, options, { changes: [], warnAll: true }),
    applyTo: (snapshot, objects, settings) => applyTriggersTo(snapshot, objects, settings, options),
  };
}

/**
 * Runs the controller after `changes`: admission rewrites the short names of the changed tags,
 * then every watched object is brought level with the streams; warnings are given for the
 * objects the changes concern and for those this run updated.
 */
export function applyTriggers(
  snapshot: Snapshot,
  changes: TagChange[],
  settings: ClusterSettings,
  options: TriggerHookOptions = {},
): TriggerReport {
  return runController(snapshot, settings, options, { changes, warnAll: false });
}

/**
 * Runs the controller after `objects` were created or their triggers edited (`apply`, `set
 * triggers`): as applyTriggers, with every warning about those objects.
 */
export function applyTriggersTo(
  snapshot: Snapshot,
  objects: StoredObject[],
  settings: ClusterSettings,
  options: TriggerHookOptions = {},
): TriggerReport {
  return runController(snapshot, settings, options, { changes: [], warnAll: false, focus: new Set(objects) });
}

interface RunScope {
  /** Tags whose image changed in this transaction. */
  changes: TagChange[];
  /** Warn about every object (a full resync, `refresh`). */
  warnAll: boolean;
  /** Objects whose warnings are always wanted. */
  focus?: Set<StoredObject>;
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

function runController(
  snapshot: Snapshot,
  settings: ClusterSettings,
  options: TriggerHookOptions,
  scope: RunScope,
): TriggerReport {
  const report: TriggerReport = { updated: [], warnings: [], builds: [] };
  const warn = (w: string): void => {
    report.warnings.push(w);
    options.onWarning?.(w);
  };
  const changed = new Set(scope.changes.map((c) => `${c.namespace}/${c.stream}`));
  const concerned = (e: TriggerEntry): boolean =>
    scope.warnAll ||
    scope.focus?.has(e.object) === true ||
    TriggerIndex.wokenBy(e, changed) ||
    e.ignored.some((i) => i.key !== undefined && changed.has(i.key));
  const retrieve = createTagRetriever(snapshot, settings);
  const touched = new Touched();
  for (const so of snapshot.objectsExcept('ImageStream')) if (WORKLOAD_KINDS.has(so.kind)) touched.remember(so);

  for (const { object, changes } of resolveShortNames(snapshot, scope.changes, retrieve))
    touched.record(object, changes);
  // The index is computed once, before any reactor runs: a reactor changes images, never triggers.
  const index = buildTriggerIndex(snapshot, OPENSHIFT_TRIGGER_SOURCES);
  for (const entry of index.entries) {
    const so = entry.object;
    const woken = entry.keys.length > 0;
    const interested = concerned(entry);
    if (entry.source.name === 'deploymentconfig') {
      deploymentConfig(entry, woken, interested, retrieve, touched, warn);
      continue;
    }
    if (interested) for (const i of entry.ignored) warn(`${describeObject(so)}: ${i.message}`);
    if (entry.source.name === 'annotation') {
      const r = applyAnnotationTriggers(entry, retrieve, interested || entry.error !== undefined);
      r.warnings.forEach(warn);
      touched.record(so, r.changes);
    } else if (entry.source.name === 'buildconfig' && woken) {
      const r = applyBuildConfigTriggers(so, retrieve, { now: options.now ?? (() => new Date()) });
      r.warnings.forEach(warn);
      if (r.build) report.builds.push(r.build);
    }
  }
  // DeploymentConfigs changed by admission alone still get their rollout decided.
  for (const so of snapshot.list('DeploymentConfig')) {
    if (index.entriesOf(so).length === 0 && touched.changes.has(so)) rollout(so, touched);
  }
  finish(snapshot, touched, report);
  const markers = reconcileMarkers(snapshot, retrieve);
  if (markers.updated.length > 0) report.markers = markers.updated;
  if (markers.problems.length > 0) report.markerProblems = markers.problems;
  return report;
}

/** The DC reactor (UpdateDeploymentConfigImages) and the DC controller's rollout decision. */
function deploymentConfig(
  entry: TriggerEntry,
  woken: boolean,
  interested: boolean,
  retrieve: TagRetriever,
  touched: Touched,
  warn: (w: string) => void,
): void {
  const so = entry.object;
  let evaluated = false;
  if (woken) {
    const { resolvable, changes } = updateDeploymentConfigImages(so.object as JsonMap, so.namespace, retrieve);
    if (resolvable) touched.record(so, changes);
    evaluated = resolvable;
    interested ||= changes.length > 0;
  }
  if (interested)
    for (const i of entry.ignored) warn(`${describeObject(so)}: ${(evaluated && i.whenEvaluated) || i.message}`);
  if (woken || touched.changes.has(so)) rollout(so, touched);
}

function rollout(so: StoredObject, touched: Touched): void {
  const dc = so.object as JsonMap;
  const before = touched.before.get(so);
  if (JSON.stringify(dc.spec) === JSON.stringify(before?.spec)) return;
  const details = decideRollout(dc, before, so.namespace);
  if (details) touched.rollouts.set(so, { latestVersion: recordRollout(dc, details), message: details.message });
}

/** Bumps metadata.generation of objects whose spec changed and fills the report in snapshot order. */
function finish(snapshot: Snapshot, touched: Touched, report: TriggerReport): void {
  // Only workloads are remembered (Touched.remember), never an ImageStream.
  for (const so of snapshot.objectsExcept('ImageStream')) {
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
