/**
 * How a BuildConfig declares image triggers: `spec.triggers[].imageChange`, read with the API
 * server's defaulting (openshift-apiserver pkg/build/apis/build/v1/defaults.go
 * SetDefaults_BuildTriggerPolicy: `type: ImageChange` without `imageChange` becomes
 * `imageChange: {}`, which follows the strategy's `from`), and indexed as
 * openshift-controller-manager pkg/image/trigger/buildconfigs calculateBuildConfigTriggers does.
 * Triggers the API server's validation rejects (pkg/build/apis/build/validation validateTrigger)
 * are reported, since such a BuildConfig could not exist on a cluster.
 */
import type { StoredObject } from '../../../state/types.js';
import { isMap, type JsonMap } from '../objects.js';
import {
  type IgnoredTrigger,
  type IndexedTrigger,
  indexedTrigger,
  namedStreamKey,
  type TriggerSource,
} from '../trigger-index.js';

/** An object reference as written (kind, name, namespace, apiVersion; '' when absent). */
export interface FromRef {
  kind: string;
  name: string;
  namespace: string;
  apiVersion: string;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function toRef(v: unknown): FromRef | undefined {
  if (!isMap(v)) return undefined;
  return { kind: str(v.kind), name: str(v.name), namespace: str(v.namespace), apiVersion: str(v.apiVersion) };
}

/** The strategy's `from` (library-go buildutil.GetInputReference: source, then docker, then custom strategy). */
export function strategyFrom(bc: JsonMap): FromRef | undefined {
  const strategy = isMap(bc.spec) && isMap(bc.spec.strategy) ? bc.spec.strategy : {};
  for (const key of ['sourceStrategy', 'dockerStrategy', 'customStrategy']) {
    const s = strategy[key];
    if (isMap(s)) return toRef(s.from);
  }
  return undefined;
}

/** One ImageChange trigger of a BuildConfig after defaulting. */
export interface BcImageChangeTrigger {
  /** Its index in spec.triggers. */
  index: number;
  /** The `imageChange` map ({} when defaulted). */
  params: JsonMap;
  /** `from` as written in the trigger, or the strategy's when it names none. */
  from: FromRef | undefined;
  /** True when the trigger names its own `from`. */
  explicit: boolean;
  /** `type: ImageChange` (the build generator records status only for these). */
  typed: boolean;
  paused: boolean;
}

/** spec.triggers entries with an `imageChange` (written, or defaulted from `type: ImageChange`). */
export function bcImageChangeTriggers(bc: JsonMap): BcImageChangeTrigger[] {
  const triggers = isMap(bc.spec) && Array.isArray(bc.spec.triggers) ? bc.spec.triggers : [];
  const out: BcImageChangeTrigger[] = [];
  triggers.forEach((t, index) => {
    if (!isMap(t)) return;
    const typed = t.type === 'ImageChange';
    if (!isMap(t.imageChange) && !(typed && (t.imageChange === undefined || t.imageChange === null))) return;
    const params = isMap(t.imageChange) ? t.imageChange : {};
    const explicit = params.from !== undefined && params.from !== null;
    out.push({
      index,
      params,
      from: explicit ? toRef(params.from) : strategyFrom(bc),
      explicit,
      typed,
      paused: params.paused === true,
    });
  });
  return out;
}

function calculate(so: StoredObject): { triggers: IndexedTrigger[]; ignored: IgnoredTrigger[] } {
  const bc = so.object as JsonMap;
  const triggers: IndexedTrigger[] = [];
  const ignored: IgnoredTrigger[] = [];
  const seen = new Set<string>();
  for (const t of bcImageChangeTriggers(bc)) {
    const definedAt = `spec.triggers[${t.index}]`;
    const from = t.from;
    const on = from?.name ? `trigger on ${from.name} (${definedAt})` : `trigger ${definedAt}`;
    const key = from ? namedStreamKey(from, so.namespace) : undefined;
    const ignore = (why: string) => ignored.push({ definedAt, message: `${on} ${why}`, ...(key ? { key } : {}) });
    if (from?.kind !== 'ImageStreamTag' || !from.name) {
      // validateTrigger's messages; calculateBuildConfigTriggers skips such a trigger.
      ignore(
        !t.explicit
          ? 'is invalid: a default ImageChange trigger can only be used when the build strategy ' +
              'includes an ImageStreamTag reference; OpenShift rejects this BuildConfig'
          : from?.kind !== 'ImageStreamTag'
            ? 'is invalid: only an ImageStreamTag type of reference is allowed in an ImageChange trigger; OpenShift rejects this BuildConfig'
            : 'is invalid: imageChange.from.name is required; OpenShift rejects this BuildConfig',
      );
      continue;
    }
    const ref = `${from.namespace || so.namespace}/${from.name}`;
    if (seen.has(ref) && t.typed)
      ignore(
        'is invalid: multiple ImageChange triggers refer to the same image stream tag; OpenShift rejects this BuildConfig',
      );
    seen.add(ref);
    const indexed = indexedTrigger(so, {
      from,
      fieldPath: t.explicit ? 'spec.triggers' : 'spec.strategy.*.from',
      paused: t.paused,
      definedAt,
    });
    if (!indexed.key && !t.paused)
      ignore(
        from.apiVersion
          ? `never fires: its from sets apiVersion ${from.apiVersion}, and OpenShift's trigger cache only watches references without one`
          : `never fires: ${from.name} is not a <stream>:<tag> name`,
      );
    triggers.push(indexed);
  }
  return { triggers, ignored };
}

/** BuildConfig `spec.triggers` as a trigger source. */
export const buildConfigSource: TriggerSource = {
  name: 'buildconfig',
  handles: (so) => so.kind === 'BuildConfig',
  calculate,
};
