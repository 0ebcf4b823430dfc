/**
 * `set triggers` for Deployments, StatefulSets, DaemonSets and CronJobs (oc
 * NewAnnotationTriggers / TriggerDefinition.Apply): the `image.openshift.io/triggers`
 * annotation is rewritten as oc writes it, one trigger per container; for a Deployment the config
 * trigger is `!spec.paused`.
 */
import type { StoredObject } from '../../../state/types.js';
import { applyError, ensureMap, isMap, setLeaf, type JsonMap } from '../objects.js';
import { containerNamesProblem, type TriggerDefinition } from './flags.js';
import { triggerAnnotationOf } from '../sources/annotations.js';
import {
  formatTriggerAnnotation,
  parseTriggerAnnotation,
  type ObjectFieldTrigger,
} from '../../../domain/triggers/annotation.js';
import {
  allContainers,
  findContainer,
  getPodSpec,
  parseFieldPath,
  podSpecPath,
} from '../../../domain/triggers/podspec.js';
import { ANNOTATION_TRIGGERS } from '../../../domain/types.js';

function isPaused(so: StoredObject): boolean {
  const spec = (so.object as JsonMap).spec;
  return isMap(spec) && spec.paused === true;
}

/** The annotation as oc's definition: triggers whose fieldPath finds a container; a bad annotation is an error. */
export function readAnnotated(so: StoredObject): TriggerDefinition {
  const def: TriggerDefinition = { configChange: so.kind === 'Deployment' ? !isPaused(so) : true, imageChange: [] };
  const value = triggerAnnotationOf(so.object);
  if (value === undefined) return def;
  const parsed = parseTriggerAnnotation(value);
  if (parsed.error !== undefined) throw applyError(so, `annotation ${ANNOTATION_TRIGGERS}: ${parsed.error}`);
  const spec = getPodSpec(so.object, so.kind);
  for (const t of parsed.triggers) {
    const path = parseFieldPath(so.kind, t.fieldPath);
    const container = path.ok && spec ? findContainer(spec, path.selector) : undefined;
    if (!container) continue; // oc drops triggers whose path does not resolve
    def.imageChange.push({
      auto: !t.paused,
      names: [String(container.name ?? '')],
      from: t.from.name,
      namespace: t.from.namespace === so.namespace ? '' : t.from.namespace,
    });
  }
  return def;
}

/** Writes the definition back: the annotation (unchanged text when equivalent) and Deployment spec.paused. */
export function writeAnnotated(so: StoredObject, def: TriggerDefinition): void {
  const spec = getPodSpec(so.object, so.kind);
  const all = spec ? allContainers(spec).map((c) => String(c.container.name ?? '')) : [];
  const seen = new Set<string>();
  const triggers: ObjectFieldTrigger[] = [];
  for (const t of def.imageChange) {
    const problem = containerNamesProblem(t.names, all);
    if (problem) throw applyError(so, problem);
    const again = (t.names ?? []).filter((n) => seen.has(n));
    if (again.length > 0)
      throw applyError(so, `only one trigger may reference each container: ${[...new Set(again)].sort().join(', ')}`);
    for (const name of t.names ?? []) {
      seen.add(name);
      triggers.push({
        from: {
          kind: 'ImageStreamTag',
          name: t.from,
          namespace: t.namespace === so.namespace ? '' : t.namespace,
          apiVersion: '',
        },
        fieldPath: `${podSpecPath(so.kind)}.containers[?(@.name=="${name}")].image`,
        paused: !t.auto,
      });
    }
  }
  // Go marshals an empty (nil) trigger list as `null`, which is what oc writes after --remove-all.
  const text = triggers.length === 0 ? 'null' : formatTriggerAnnotation(triggers);
  const current = triggerAnnotationOf(so.object);
  if (!(typeof current === 'string' && sameTriggers(current, text))) {
    const meta = ensureMap(so.object as JsonMap, 'metadata');
    setLeaf(ensureMap(meta, 'annotations'), ANNOTATION_TRIGGERS, text);
  }
  if (so.kind === 'Deployment' && isPaused(so) !== !def.configChange)
    ensureMap(so.object as JsonMap, 'spec').paused = !def.configChange;
}

/** True when two annotation texts hold the same triggers (so a hand-formatted annotation is not rewritten for nothing). */
function sameTriggers(a: string, b: string): boolean {
  const pa = parseTriggerAnnotation(a);
  const pb = parseTriggerAnnotation(b);
  return (
    pa.error === undefined &&
    pb.error === undefined &&
    pa.ignoredKeys.length === 0 &&
    JSON.stringify(pa.triggers) === JSON.stringify(pb.triggers)
  );
}
