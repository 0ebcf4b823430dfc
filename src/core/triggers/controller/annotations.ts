/**
 * `image.openshift.io/triggers` on Deployments, DaemonSets, StatefulSets and CronJobs
 * (library-go pkg/image/trigger/annotations.go
 * UpdateObjectFromImages). Only the container image fields change.
 */
import type { StoredObject } from '../../../state/types.js';
import type { TagRetriever } from './tag-retriever.js';
import { describeObject } from '../objects.js';
import type { ImageChange } from './deploymentconfigs.js';
import {
  findContainer,
  getPodSpec,
  parseFieldPath,
  podSpecPath,
  type Container,
} from '../../../domain/triggers/podspec.js';
import { ANNOTATION_TRIGGERS } from '../../../domain/types.js';
import { ANNOTATION_TRIGGER_KINDS } from '../sources/annotations.js';
import type { IndexedTrigger, TriggerEntry } from '../trigger-index.js';

/** What evaluating one annotated object did. */
export interface AnnotatedResult {
  changes: ImageChange[];
  warnings: string[];
}

/**
 * Re-evaluates an annotated object the index woke (`entry.keys` not empty): resolves every
 * unpaused trigger and sets the container images. A bad annotation, an invalid fieldPath or a
 * missing container leaves the object untouched (the controller's update fails) with a warning;
 * `concerned` says whether warnings about an object that is not woken are wanted.
 */
export function applyAnnotationTriggers(
  entry: TriggerEntry,
  retrieve: TagRetriever,
  concerned: boolean,
): AnnotatedResult {
  const so = entry.object;
  const result: AnnotatedResult = { changes: [], warnings: [] };
  const who = describeObject(so);
  if (entry.error !== undefined) {
    if (concerned)
      result.warnings.push(
        `${who}: ignoring annotation ${ANNOTATION_TRIGGERS}: ${entry.error}; all its image triggers are disabled, as in OpenShift`,
      );
    return result;
  }
  if (entry.keys.length === 0) return result;
  if (!ANNOTATION_TRIGGER_KINDS.includes(so.kind)) {
    if (concerned)
      result.warnings.push(
        `${who}: annotation ${ANNOTATION_TRIGGERS} has no effect on a ${so.kind}; OpenShift runs it only for ${ANNOTATION_TRIGGER_KINDS.join(', ')}`,
      );
    return result;
  }
  const plan = planUpdates(so, entry.triggers, retrieve, result.warnings);
  if (!plan) return result;
  for (const { container, ref } of plan) {
    result.changes.push({
      container: typeof container.name === 'string' ? container.name : '',
      from: String(container.image ?? ''),
      to: ref,
    });
    container.image = ref;
  }
  return result;
}

function planUpdates(
  so: StoredObject,
  triggers: IndexedTrigger[],
  retrieve: TagRetriever,
  warnings: string[],
): { container: Container; ref: string }[] | undefined {
  const who = describeObject(so);
  const spec = getPodSpec(so.object, so.kind);
  const plan: { container: Container; ref: string }[] = [];
  for (const t of triggers) {
    if (t.paused) continue;
    const path = parseFieldPath(so.kind, t.fieldPath);
    if (!path.ok && path.skip) {
      // OpenShift skips such a trigger without a word; say why nothing happens.
      warnings.push(
        `${who}: trigger on ${t.from.name} is skipped: its fieldPath must start with ${podSpecPath(so.kind)}. (got ${t.fieldPath})`,
      );
      continue;
    }
    // The tag is resolved before the path is checked: an unresolved trigger is just skipped.
    const resolved = retrieve(t.from.namespace || so.namespace, t.from.name);
    if (!resolved) continue;
    const container = path.ok && spec ? findContainer(spec, path.selector) : undefined;
    if (!container) {
      const reason = path.ok ? `no such container: ${t.fieldPath}` : path.message;
      warnings.push(`${who}: not updated: ${reason}`);
      return undefined;
    }
    // Two triggers on one container: the later one wins, as the controller sets them in order.
    const i = plan.findIndex((p) => p.container === container);
    if (i >= 0) plan.splice(i, 1);
    if (container.image !== resolved.ref) plan.push({ container, ref: resolved.ref });
  }
  return plan;
}
