/**
 * How Deployments, DaemonSets, StatefulSets and CronJobs declare image triggers: the
 * `image.openshift.io/triggers` annotation (library-go pkg/image/trigger/annotations.go
 * CalculateAnnotationTriggers, parsed by src/domain/triggers/annotation.ts). The controller
 * registers this source for those four kinds only (openshift-controller-manager
 * pkg/cmd/controller/image.go); on other kinds the annotation is indexed so that a warning can
 * say it has no effect.
 */
import { parseTriggerAnnotation } from '../../../domain/triggers/annotation.js';
import { ANNOTATION_TRIGGERS } from '../../../domain/types.js';
import type { StoredObject } from '../../../state/types.js';
import { isMap } from '../objects.js';
import { indexedTrigger, type SourceTriggers, type TriggerSource } from '../trigger-index.js';

/** Kinds the image trigger controller registers annotation sources for. */
export const ANNOTATION_TRIGGER_KINDS = ['Deployment', 'DaemonSet', 'StatefulSet', 'CronJob'];

/** Kinds with a pod template where the annotation is read only to warn that it does nothing. */
const INERT_ANNOTATION_KINDS = ['ReplicaSet', 'Job', 'Pod'];

/** The raw annotation value of an object, or undefined when it has none. */
export function triggerAnnotationOf(obj: unknown): unknown {
  const meta = isMap(obj) ? obj.metadata : undefined;
  const annotations = isMap(meta) ? meta.annotations : undefined;
  return isMap(annotations) ? annotations[ANNOTATION_TRIGGERS] : undefined;
}

function calculate(so: StoredObject): SourceTriggers {
  const value = triggerAnnotationOf(so.object);
  if (value === undefined) return { triggers: [], ignored: [] };
  const parsed = parseTriggerAnnotation(value);
  if (parsed.error !== undefined) return { triggers: [], ignored: [], error: parsed.error };
  const where = `metadata.annotations["${ANNOTATION_TRIGGERS}"]`;
  return {
    triggers: parsed.triggers.map((t, i) =>
      indexedTrigger(so, {
        from: t.from,
        fieldPath: t.fieldPath,
        paused: t.paused,
        definedAt: `${where}[${i}]`,
      }),
    ),
    // Go's decoder ignores unknown keys; `pause` for `paused` is the usual slip.
    ignored: parsed.ignoredKeys.map((key) => ({
      definedAt: where,
      message: `annotation ${ANNOTATION_TRIGGERS}: unknown key ${key} is ignored${/\.pause$/i.test(key) ? ' (did you mean "paused"?)' : ''}`,
    })),
  };
}

/** The trigger annotation as a trigger source. */
export const annotationSource: TriggerSource = {
  name: 'annotation',
  handles: (so) =>
    (ANNOTATION_TRIGGER_KINDS.includes(so.kind) || INERT_ANNOTATION_KINDS.includes(so.kind)) &&
    triggerAnnotationOf(so.object) !== undefined,
  calculate,
};
