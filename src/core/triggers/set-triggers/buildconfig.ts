/**
 * `set triggers` for BuildConfigs (oc NewBuildConfigTriggers / TriggerDefinition.Apply): image
 * triggers are ImageChange entries (`imageChange: {}` when they follow the strategy's from); a
 * manual image trigger is removed, since BuildConfigs have no manual image trigger in oc.
 */
import type { StoredObject } from '../../../state/types.js';
import { ensureMap, isMap, type JsonMap } from '../objects.js';
import { strategyFrom } from '../sources/buildconfigs.js';
import type { ImageTriggerDef, SetTriggersPlan, TriggerDefinition } from './flags.js';

function rel(ns: string, objectNs: string): string {
  return ns === objectNs ? '' : ns;
}

/** The strategy's ImageStreamTag as an image trigger (oc strategyTrigger), if any. */
function strategyTrigger(so: StoredObject): ImageTriggerDef | undefined {
  const from = strategyFrom(so.object as JsonMap);
  if (from?.kind !== 'ImageStreamTag') return undefined;
  return { auto: false, from: from.name, namespace: rel(from.namespace, so.namespace), names: undefined };
}

function triggersOf(so: StoredObject): unknown[] {
  const spec = isMap(so.object.spec) ? so.object.spec : {};
  return Array.isArray(spec.triggers) ? spec.triggers : [];
}

/** The ImageChange entry's trigger: its own from, or the strategy's for `imageChange: {}`. */
function entryTrigger(entry: JsonMap, so: StoredObject): ImageTriggerDef | undefined {
  const ic = isMap(entry.imageChange) ? entry.imageChange : {};
  if (!isMap(ic.from)) return strategyTrigger(so);
  const ns = typeof ic.from.namespace === 'string' ? ic.from.namespace : '';
  return { auto: true, from: String(ic.from.name ?? ''), namespace: rel(ns, so.namespace), names: undefined };
}

/** The BuildConfig's triggers as oc's definition; the strategy image shows as a manual trigger when not triggered. */
export function readBuildConfig(so: StoredObject): TriggerDefinition {
  const def: TriggerDefinition = { configChange: false, imageChange: [] };
  let strategySeen = false;
  for (const e of triggersOf(so)) {
    if (!isMap(e)) continue;
    if (e.type === 'ConfigChange') def.configChange = true;
    if (e.type !== 'ImageChange') continue;
    const t = entryTrigger(e, so);
    if (!t) continue;
    if (!isMap(e.imageChange) || !isMap(e.imageChange.from)) strategySeen = true;
    def.imageChange.push({ ...t, auto: true });
  }
  const st = strategyTrigger(so);
  if (!strategySeen && st) def.imageChange.push(st);
  return def;
}

function matches(a: ImageTriggerDef, b: ImageTriggerDef): boolean {
  return a.from === b.from && a.namespace === b.namespace;
}

/** Writes the definition back: keeps matching entries untouched, removes dropped or manual ones, appends new ones. */
export function writeBuildConfig(so: StoredObject, def: TriggerDefinition, plan: SetTriggersPlan): void {
  const spec = ensureMap(so.object as JsonMap, 'spec');
  if (!Array.isArray(spec.triggers)) spec.triggers = [];
  const triggers = spec.triggers as unknown[];
  const wanted = def.imageChange.filter((t) => t.auto);
  const keep = (e: unknown): boolean => {
    if (!isMap(e)) return true;
    if (e.type === 'ConfigChange') return def.configChange;
    if (e.type !== 'ImageChange') return !plan.removeAll;
    const t = entryTrigger(e, so);
    return !!t && wanted.some((w) => matches(w, t));
  };
  for (let i = triggers.length - 1; i >= 0; i--) if (!keep(triggers[i])) triggers.splice(i, 1);
  if (def.configChange && !triggers.some((e) => isMap(e) && e.type === 'ConfigChange'))
    triggers.push({ type: 'ConfigChange' });
  const st = strategyTrigger(so);
  for (const w of wanted) {
    const present = triggers.some(
      (e) =>
        isMap(e) &&
        e.type === 'ImageChange' &&
        matches(entryTrigger(e, so) ?? { auto: false, from: '', namespace: '', names: undefined }, w),
    );
    if (present) continue;
    if (st && matches(st, w)) {
      triggers.push({ type: 'ImageChange', imageChange: {} });
      continue;
    }
    const from: JsonMap = { kind: 'ImageStreamTag' };
    if (w.namespace) from.namespace = w.namespace;
    from.name = w.from;
    triggers.push({ type: 'ImageChange', imageChange: { from } });
  }
}
