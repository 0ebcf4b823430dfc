/**
 * What `apply` must not take from the applied file: fields the image trigger controller owns.
 * `kubectl apply` merges three ways, so a DeploymentConfig re-applied from the same manifest keeps
 * the controller's `lastTriggeredImage` and the container images it resolved; isctl replaces spec
 * wholesale, so it carries those values over explicitly (the controller would write them back at
 * once anyway: openshift-controller-manager pkg/image/trigger/deploymentconfigs).
 */
import type { KubeObject } from '../domain/types.js';

type Json = Record<string, unknown>;

const asList = (v: unknown): Json[] =>
  Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Json[]) : [];
const asObj = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** Copies trigger-owned values from the live object into `next` where the applied file leaves them out. */
export function keepTriggerOwnedFields(live: KubeObject, next: KubeObject): void {
  if (live.kind !== 'DeploymentConfig' || next.kind !== 'DeploymentConfig') return;
  const liveSpec = asObj(live.spec);
  const nextSpec = asObj(next.spec);
  if (!liveSpec || !nextSpec) return;
  for (const t of asList(nextSpec.triggers)) {
    const p = asObj(t.imageChangeParams);
    if (t.type !== 'ImageChange' || !p || p.lastTriggeredImage) continue;
    const from = asObj(p.from);
    const match = asList(liveSpec.triggers).find((l) => {
      const lp = asObj(l.imageChangeParams);
      const lf = asObj(lp?.from);
      return (
        l.type === 'ImageChange' &&
        lp?.lastTriggeredImage &&
        lf?.name === from?.name &&
        (lf?.namespace ?? '') === (from?.namespace ?? '')
      );
    });
    const last = asObj(match?.imageChangeParams)?.lastTriggeredImage;
    if (typeof last !== 'string') continue;
    p.lastTriggeredImage = last;
    const names = new Set(Array.isArray(p.containerNames) ? (p.containerNames as string[]) : []);
    keepImages(asObj(asObj(liveSpec.template)?.spec), asObj(asObj(nextSpec.template)?.spec), names, last);
  }
}

function keepImages(livePod: Json | undefined, nextPod: Json | undefined, names: Set<string>, last: string): void {
  if (!livePod || !nextPod) return;
  for (const key of ['containers', 'initContainers']) {
    for (const c of asList(nextPod[key])) {
      if (!names.has(String(c.name))) continue;
      const lc = asList(livePod[key]).find((x) => x.name === c.name);
      if (lc?.image === last) c.image = last;
    }
  }
}
