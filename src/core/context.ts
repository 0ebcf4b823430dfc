/**
 * What a core use case gets from outside: the state folder, the image source, the clock, the
 * namespace of the command and the cluster-level settings. Only src/cli/context.ts builds one.
 * Every use case has the shape `useCase(ctx, input)`, returns data and never prints; nothing in
 * core reaches a file, a registry or the clock except through this context.
 */
import type { StateStore, Snapshot, StoredObject } from '../state/types.js';
import type { ImageSource, ProvenanceStore } from '../registry/types.js';

/** Cluster-level settings OpenShift takes from its config. */
export interface ClusterSettings {
  /** Internal registry host for status.dockerImageRepository and Local reference policies. */
  internalRegistry: string;
  /** maxImagesBulkImportedPerRepository (default 50, -1 = no limit). */
  maxBulkImport: number;
}

/** Dependencies of the core use cases. */
export interface CoreContext {
  store: StateStore;
  source: ImageSource;
  now: () => Date;
  /**
   * The namespace of the command (`-n`, ISCTL_NAMESPACE, else `default`): where names are looked
   * up, where new objects go, and the namespace of stored objects that name none.
   */
  namespace: string;
  settings: ClusterSettings;
  /** Carries out ImageChange triggers after tag images changed (src/core/triggers). */
  triggers: TriggerHook;
  /** Where images came from (mirror) and who signed them, by digest, for describe. */
  provenance?: Pick<ProvenanceStore, 'get'>;
}

/** A tag whose current image (status.tags[tag].items[0]) changed in this transaction. */
export interface TagChange {
  namespace: string;
  stream: string;
  tag: string;
  /** items[0] before and after (undefined when the tag had no image). */
  from?: { image: string; dockerImageReference: string };
  to: { image: string; dockerImageReference: string };
}

/** What applying triggers did, for printing. */
export interface TriggerReport {
  /** One line per workload updated, e.g. `deploymentconfig/web: container "web" image → …`. */
  updated: TriggeredWorkload[];
  /** Problems that disabled a trigger (bad annotation, missing container…), naming the object. */
  warnings: string[];
  /** BuildConfigs whose ImageChange trigger fired (for --on-build). */
  builds: TriggeredBuild[];
  /** Marker comments whose value this run set. */
  markers?: MarkerUpdate[];
  /** Markers that could not be followed (`file:line: …`): failures for `--exit-code`. */
  markerProblems?: string[];
}

/** A value marked by a `# {"$imagestreamtag": …}` comment that this run set. */
export interface MarkerUpdate {
  file: string;
  line: number;
  /** The marker's `[NAMESPACE/]STREAM:TAG[:FIELD]` as written. */
  marker: string;
  from: string;
  to: string;
}

/** A workload whose image fields were rewritten. */
export interface TriggeredWorkload {
  kind: string;
  namespace: string;
  name: string;
  file: string;
  changes: { container: string; from: string; to: string }[];
  /** DeploymentConfigs only: the rollout this change started (new status.latestVersion and details message). */
  rollout?: { latestVersion: number; message: string };
}

/** A BuildConfig whose ImageChange trigger fired. */
export interface TriggeredBuild {
  namespace: string;
  name: string;
  file: string;
  image: string;
  trigger: string;
  /** status.lastVersion after the trigger fired; the build OpenShift would create is `<name>-<version>`. */
  version?: number;
}

/** Applies ImageChange triggers inside the same transaction as the status change. */
export interface TriggerHook {
  apply(snapshot: Snapshot, changes: TagChange[], settings: ClusterSettings): TriggerReport;
  /**
   * Evaluates every workload's triggers against the streams as they are (the controller's resync):
   * a workload added after its tag was imported, or one a killed run did not reach, catches up.
   */
  reconcile(snapshot: Snapshot, settings: ClusterSettings): TriggerReport;
  /**
   * Evaluates the triggers of the given objects as the controller does when an object's triggers
   * change (a workload applied or edited by `set triggers`): every trigger against the streams.
   */
  applyTo(snapshot: Snapshot, objects: StoredObject[], settings: ClusterSettings): TriggerReport;
}
