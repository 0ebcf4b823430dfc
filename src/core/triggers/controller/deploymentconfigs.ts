/**
 * DeploymentConfig ImageChange triggers: step 1 is
 * the trigger controller (openshift-controller-manager pkg/image/trigger/deploymentconfigs
 * UpdateDeploymentConfigImages), step 2 the DC controller's rollout decision
 * (pkg/apps/deploymentconfig/deploymentconfig_controller.go triggerActivated).
 */
import { allContainers, getPodSpec } from '../../../domain/triggers/podspec.js';
import { ensureMap, isMap, setLeaf, type JsonMap } from '../objects.js';
import {
  type DcImageTrigger,
  dcControllerTriggers,
  dcImageTriggers,
  hasConfigChangeTrigger,
} from '../sources/deploymentconfigs.js';
import type { TagRetriever } from './tag-retriever.js';

/** One container image the triggers rewrote. */
export interface ImageChange {
  container: string;
  from: string;
  to: string;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Sets `ref` on every (init)container named in `names` whose image differs; records what changed. */
export function setContainerImages(dc: JsonMap, names: string[], ref: string, changes: ImageChange[]): boolean {
  const spec = getPodSpec(dc, 'DeploymentConfig');
  if (!spec) return false;
  let touched = false;
  for (const { container } of allContainers(spec)) {
    const name = str(container.name);
    if (!names.includes(name) || container.image === ref) continue;
    changes.push({ container: name, from: str(container.image), to: ref });
    container.image = ref;
    touched = true;
  }
  return touched;
}

/**
 * The trigger controller's step: for every automatic ImageStreamTag trigger set the resolved
 * pull spec on its containers and in `lastTriggeredImage`. When any automatic trigger is
 * unresolved and has never fired, nothing at all is changed (`resolvable: false`).
 */
export function updateDeploymentConfigImages(
  dc: JsonMap,
  namespace: string,
  retrieve: TagRetriever,
): { resolvable: boolean; changes: ImageChange[] } {
  const plan: { trigger: DcImageTrigger; ref: string }[] = [];
  for (const t of dcControllerTriggers(dc, namespace)) {
    if (t.from.kind !== 'ImageStreamTag' || !t.automatic) continue;
    const resolved = retrieve(t.from.namespace, t.from.name);
    if (!resolved && !t.lastTriggeredImage) return { resolvable: false, changes: [] };
    plan.push({ trigger: t, ref: resolved?.ref ?? t.lastTriggeredImage });
  }
  const changes: ImageChange[] = [];
  for (const { trigger, ref } of plan) {
    setLeaf(trigger.params, 'lastTriggeredImage', ref);
    setContainerImages(dc, trigger.containerNames, ref, changes);
  }
  return { resolvable: true, changes };
}

/** The cause the DC controller records for a rollout (status.details). */
export interface RolloutDetails {
  message: string;
  causes: JsonMap[];
}

function containerImages(dc: unknown, init: boolean): string[] {
  const spec = getPodSpec(dc, 'DeploymentConfig');
  return spec
    ? allContainers(spec)
        .filter((c) => c.init === init)
        .map((c) => str(c.container.image))
    : [];
}

/**
 * The DC controller's decision after the trigger controller changed `dc` (triggerActivated):
 * `before` stands for the latest ReplicationController's template. Returns the details to
 * record with `latestVersion++`, or undefined when no rollout starts.
 */
export function decideRollout(dc: JsonMap, before: unknown, namespace: string): RolloutDetails | undefined {
  const spec = isMap(dc.spec) ? dc.spec : {};
  if (spec.paused === true) return undefined;
  const images = containerImages(dc, false);
  if (images.some((i) => i.trim() === '')) return undefined; // never deploy unresolved images
  const imageTriggers = dcImageTriggers(dc, namespace);
  const configTrigger = hasConfigChangeTrigger(dc);
  const status = isMap(dc.status) ? dc.status : {};
  const latestVersion = typeof status.latestVersion === 'number' ? status.latestVersion : 0;
  const configChange: RolloutDetails = { message: 'config change', causes: [{ type: 'ConfigChange' }] };
  if (latestVersion === 0) {
    // Initial rollout waits until every ImageChange trigger (automatic or not) has fired.
    if (imageTriggers.length > 0) return imageTriggers.every((t) => t.lastTriggeredImage) ? configChange : undefined;
    return configTrigger ? configChange : undefined;
  }
  if (imageTriggers.length > 0) {
    const previous = new Set(containerImages(before, false));
    const updated = images.filter((i) => !previous.has(i));
    if (updated.length > 0) {
      return {
        message: 'image change',
        causes: updated.map((name) => ({ type: 'ImageChange', imageTrigger: { from: { kind: 'DockerImage', name } } })),
      };
    }
  }
  const templateChanged =
    JSON.stringify([containerImages(dc, true), images]) !==
    JSON.stringify([containerImages(before, true), containerImages(before, false)]);
  return configTrigger && templateChanged ? configChange : undefined;
}

/** Records a rollout as the DC controller's UpdateStatus does: status.details, then latestVersion++. */
export function recordRollout(dc: JsonMap, details: RolloutDetails): number {
  const status = ensureMap(dc, 'status');
  const next = (typeof status.latestVersion === 'number' ? status.latestVersion : 0) + 1;
  status.latestVersion = next;
  const d = ensureMap(status, 'details');
  setLeaf(d, 'message', details.message);
  if (JSON.stringify(d.causes) !== JSON.stringify(details.causes)) d.causes = details.causes;
  return next;
}
