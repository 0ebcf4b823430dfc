/**
 * `set triggers` for DeploymentConfigs (oc NewDeploymentConfigTriggers / TriggerDefinition.Apply),
 * written as small edits of spec.triggers: entries that stay keep their fields (including
 * lastTriggeredImage, which oc's merge would drop and the controller would set again).
 */
import type { StoredObject } from '../../../state/types.js';
import { applyError, ensureMap, isMap, setLeaf, type JsonMap } from '../objects.js';
import { dcImageTriggers, hasConfigChangeTrigger } from '../sources/deploymentconfigs.js';
import { containerNamesProblem, type ImageTriggerDef, type TriggerDefinition } from './flags.js';
import { allContainers, getPodSpec } from '../../../domain/triggers/podspec.js';

function relNamespace(ns: string, objectNs: string): string {
  return ns === objectNs ? '' : ns;
}

/** The DC's triggers as oc's abstract definition. */
export function readDeploymentConfig(so: StoredObject): TriggerDefinition {
  const dc = so.object as JsonMap;
  return {
    configChange: hasConfigChangeTrigger(dc),
    imageChange: dcImageTriggers(dc, so.namespace).map((t) => ({
      auto: t.automatic,
      from: t.from.name,
      namespace: relNamespace(t.from.namespace, so.namespace),
      names: t.containerNames,
    })),
  };
}

function sameTrigger(entry: JsonMap, t: ImageTriggerDef, objectNs: string): boolean {
  const p = isMap(entry.imageChangeParams) ? entry.imageChangeParams : {};
  const from = isMap(p.from) ? p.from : {};
  const ns = typeof from.namespace === 'string' && from.namespace ? from.namespace : objectNs;
  return from.name === t.from && relNamespace(ns, objectNs) === t.namespace;
}

/** Writes the definition back into spec.triggers with oc's checks (container names must exist). */
export function writeDeploymentConfig(so: StoredObject, def: TriggerDefinition): void {
  const dc = so.object as JsonMap;
  const spec = ensureMap(dc, 'spec');
  const podSpec = getPodSpec(dc, 'DeploymentConfig');
  const all = podSpec ? allContainers(podSpec).map((c) => String(c.container.name ?? '')) : [];
  for (const t of def.imageChange) {
    const problem = containerNamesProblem(t.names, all);
    if (problem) throw applyError(so, problem);
  }
  // No triggers field means the API default [{type: ConfigChange}]; make it explicit before editing.
  if (!Array.isArray(spec.triggers)) spec.triggers = [{ type: 'ConfigChange' }];
  const triggers = spec.triggers as unknown[];
  const keep = (entry: unknown): boolean => {
    if (!isMap(entry)) return true;
    if (entry.type === 'ConfigChange') return def.configChange;
    if (entry.type !== 'ImageChange') return true;
    return def.imageChange.some((t) => sameTrigger(entry, t, so.namespace));
  };
  for (let i = triggers.length - 1; i >= 0; i--) if (!keep(triggers[i])) triggers.splice(i, 1);
  if (def.configChange && !triggers.some((e) => isMap(e) && e.type === 'ConfigChange'))
    triggers.unshift({ type: 'ConfigChange' });
  for (const t of def.imageChange) {
    const entry = triggers.find(
      (e): e is JsonMap => isMap(e) && e.type === 'ImageChange' && sameTrigger(e, t, so.namespace),
    );
    if (!entry) {
      triggers.push(newTrigger(t));
      continue;
    }
    const p = ensureMap(entry, 'imageChangeParams');
    setLeaf(p, 'automatic', t.auto);
    if (JSON.stringify(p.containerNames) !== JSON.stringify(t.names)) p.containerNames = t.names;
  }
}

function newTrigger(t: ImageTriggerDef): JsonMap {
  const from: JsonMap = { kind: 'ImageStreamTag' };
  if (t.namespace) from.namespace = t.namespace;
  from.name = t.from;
  return { type: 'ImageChange', imageChangeParams: { automatic: t.auto, containerNames: t.names, from } };
}
