/**
 * How a DeploymentConfig declares image triggers (`spec.triggers[].imageChangeParams`), read with
 * the API server's defaulting (openshift-apiserver pkg/apps/apis/apps/v1/defaults.go: no
 * `triggers` means `[{type: ConfigChange}]`; `from.kind` defaults to ImageStreamTag and
 * `from.namespace` to the DC's), and indexed as openshift-controller-manager
 * pkg/image/trigger/deploymentconfigs calculateDeploymentConfigTrigger does.
 */
import { allContainers, getPodSpec } from '../../../domain/triggers/podspec.js';
import type { StoredObject } from '../../../state/types.js';
import { isMap, type JsonMap } from '../objects.js';
import {
  type IgnoredTrigger,
  type IndexedTrigger,
  indexedTrigger,
  namedStreamKey,
  type TriggerSource,
} from '../trigger-index.js';

/** An ImageChange trigger of a DC with its params map (mutable) and defaulted `from`. */
export interface DcImageTrigger {
  params: JsonMap;
  from: { kind: string; name: string; namespace: string };
  automatic: boolean;
  containerNames: string[];
  lastTriggeredImage: string;
  /** Its index in spec.triggers. */
  index: number;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The DC's triggers, or the API default `[{type: ConfigChange}]` when the field is absent. */
function triggersOf(dc: JsonMap): unknown[] {
  const spec = isMap(dc.spec) ? dc.spec : {};
  if (spec.triggers === undefined || spec.triggers === null) return [{ type: 'ConfigChange' }];
  return Array.isArray(spec.triggers) ? spec.triggers : [];
}

function readParams(p: JsonMap, namespace: string, index: number): DcImageTrigger {
  const from = isMap(p.from) ? p.from : {};
  return {
    params: p,
    from: {
      kind: str(from.kind) || 'ImageStreamTag',
      name: str(from.name),
      namespace: str(from.namespace) || namespace,
    },
    automatic: p.automatic === true,
    containerNames: Array.isArray(p.containerNames)
      ? p.containerNames.filter((n): n is string => typeof n === 'string')
      : [],
    lastTriggeredImage: str(p.lastTriggeredImage),
    index,
  };
}

/**
 * The `type: ImageChange` triggers, as `oc set triggers` and `oc rollout latest` read them
 * (they switch on the trigger type), with the API defaults applied.
 */
export function dcImageTriggers(dc: JsonMap, namespace: string): DcImageTrigger[] {
  const out: DcImageTrigger[] = [];
  triggersOf(dc).forEach((t, i) => {
    if (isMap(t) && t.type === 'ImageChange' && isMap(t.imageChangeParams))
      out.push(readParams(t.imageChangeParams, namespace, i));
  });
  return out;
}

/**
 * Every trigger carrying `imageChangeParams`, whatever its type: what the trigger controller
 * reads (UpdateDeploymentConfigImages and calculateDeploymentConfigTrigger test the params only).
 */
export function dcControllerTriggers(dc: JsonMap, namespace: string): DcImageTrigger[] {
  const out: DcImageTrigger[] = [];
  triggersOf(dc).forEach((t, i) => {
    if (isMap(t) && isMap(t.imageChangeParams)) out.push(readParams(t.imageChangeParams, namespace, i));
  });
  return out;
}

/** True when the DC has a ConfigChange trigger (appsutil.HasChangeTrigger, with API defaulting). */
export function hasConfigChangeTrigger(dc: JsonMap): boolean {
  return triggersOf(dc).some((t) => isMap(t) && t.type === 'ConfigChange');
}

/**
 * calculateDeploymentConfigTrigger: one trigger per named container and init container that
 * exists ("silently ignore triggers that do not point to valid container"), paused when not
 * automatic; `from` as written (the namespace default is the cache's, not the field's).
 */
function calculate(so: StoredObject): { triggers: IndexedTrigger[]; ignored: IgnoredTrigger[] } {
  const dc = so.object as JsonMap;
  const spec = getPodSpec(dc, 'DeploymentConfig');
  const containers = spec ? allContainers(spec) : [];
  const triggers: IndexedTrigger[] = [];
  const ignored: IgnoredTrigger[] = [];
  for (const t of dcControllerTriggers(dc, so.namespace)) {
    const definedAt = `spec.triggers[${t.index}]`;
    if (t.from.kind !== 'ImageStreamTag' || !t.from.name) {
      // validateImageChangeParams: "kind must be an ImageStreamTag".
      if (t.from.name)
        ignored.push({
          definedAt,
          message:
            `trigger on ${t.from.name} (${definedAt}) is invalid: from.kind ${t.from.kind}: kind must ` +
            `be an ImageStreamTag; OpenShift rejects this DeploymentConfig`,
        });
      continue;
    }
    const rawFrom = isMap(t.params.from) ? t.params.from : {};
    const from = {
      kind: t.from.kind,
      name: t.from.name,
      namespace: str(rawFrom.namespace),
      apiVersion: str(rawFrom.apiVersion),
    };
    const missing = t.containerNames.filter((n) => !containers.some((c) => c.container.name === n));
    if (t.automatic && missing.length > 0) {
      const what = `trigger on ${t.from.name} names container(s) ${missing.join(', ')} that the pod template does not have`;
      const key = namedStreamKey(from, so.namespace);
      ignored.push(
        missing.length < t.containerNames.length
          ? { definedAt, message: `${what}; they are skipped`, ...(key ? { key } : {}) }
          : {
              definedAt,
              message: `${what}; OpenShift ignores it`,
              // UpdateDeploymentConfigImages still records the image when another trigger wakes the DC.
              whenEvaluated: `${what}; only lastTriggeredImage is set`,
              ...(key ? { key } : {}),
            },
      );
    }
    // indicesForContainerNames: containers in the order of containerNames, then init containers.
    for (const init of [false, true]) {
      for (const name of t.containerNames) {
        const c = containers.find((x) => x.init === init && x.container.name === name);
        if (!c) continue;
        const list = init ? 'initContainers' : 'containers';
        triggers.push(
          indexedTrigger(so, {
            from,
            fieldPath: `spec.template.spec.${list}[@name=="${name}"].image`,
            paused: !t.automatic,
            definedAt,
          }),
        );
      }
    }
  }
  return { triggers, ignored };
}

/** DeploymentConfig `spec.triggers` as a trigger source. */
export const deploymentConfigSource: TriggerSource = {
  name: 'deploymentconfig',
  handles: (so) => so.kind === 'DeploymentConfig',
  calculate,
};
