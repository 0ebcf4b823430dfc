/**
 * The `set triggers` editor: this folder (set-triggers/) edits the trigger definitions of one
 * object as the command asks; what OpenShift does after a tag moves is ../controller/.
 *
 * `set triggers` on DeploymentConfigs (spec.triggers), annotated workloads (the
 * `image.openshift.io/triggers` annotation, Deployment `spec.paused` standing for the config
 * trigger) and BuildConfigs, as oc pkg/cli/set/triggers.go does, editing only the trigger
 * fields. Afterwards the object's triggers are evaluated as the controller would on the change.
 */
import { NotFoundError, CommandError } from '../../../domain/errors.js';
import { namedReadError } from '../../../domain/validation.js';
import type { FileChange, Snapshot, StoredObject } from '../../../state/types.js';
import type { CoreContext, TriggerReport } from '../../context.js';
import {
  planSetTriggers,
  updateTriggerDefinition,
  type SetTriggersFlags,
  type SetTriggersPlan,
  type TriggerDefinition,
} from './flags.js';
import { readDeploymentConfig, writeDeploymentConfig } from './deploymentconfig.js';
import { readAnnotated, writeAnnotated } from './annotated.js';
import { readBuildConfig, writeBuildConfig } from './buildconfig.js';

/** A resource kind `set triggers` accepts, with oc's names for it. */
interface Resource {
  kind: string;
  /** Plural resource (table NAME column, NotFound). */
  plural: string;
  /** `kind.group` as oc prints `<kind.group>/<name> triggers updated`. */
  printed: string;
}

const RESOURCES: [string[], Resource][] = [
  [
    ['dc', 'deploymentconfig', 'deploymentconfigs'],
    { kind: 'DeploymentConfig', plural: 'deploymentconfigs', printed: 'deploymentconfig.apps.openshift.io' },
  ],
  [
    ['bc', 'buildconfig', 'buildconfigs'],
    { kind: 'BuildConfig', plural: 'buildconfigs', printed: 'buildconfig.build.openshift.io' },
  ],
  [['deploy', 'deployment', 'deployments'], { kind: 'Deployment', plural: 'deployments', printed: 'deployment.apps' }],
  [
    ['sts', 'statefulset', 'statefulsets'],
    { kind: 'StatefulSet', plural: 'statefulsets', printed: 'statefulset.apps' },
  ],
  [['ds', 'daemonset', 'daemonsets'], { kind: 'DaemonSet', plural: 'daemonsets', printed: 'daemonset.apps' }],
  [['cj', 'cronjob', 'cronjobs'], { kind: 'CronJob', plural: 'cronjobs', printed: 'cronjob.batch' }],
];

/** Parses `TYPE/NAME`; throws CommandError for kinds without triggers. */
export function parseTriggerResource(arg: string): { resource: Resource; name: string } {
  const slash = arg.indexOf('/');
  if (slash <= 0 || slash === arg.length - 1) throw new CommandError(`expected TYPE/NAME, e.g. dc/web, got "${arg}"`);
  const type = arg.slice(0, slash).toLowerCase().split('.')[0] ?? '';
  const entry = RESOURCES.find(([names]) => names.includes(type));
  if (!entry)
    throw new CommandError(
      `${arg} does not support triggers`,
      'triggers exist on deploymentconfigs, buildconfigs, deployments, statefulsets, daemonsets and cronjobs',
    );
  return { resource: entry[1], name: arg.slice(slash + 1) };
}

/** One row of the trigger table oc prints when no flag is given. */
export interface TriggerRow {
  name: string;
  type: string;
  value: string;
  auto: string;
}

/** The result: a table, or the update with its file changes and the triggers it set off. */
export type SetTriggersResult =
  | { mode: 'list'; rows: TriggerRow[] }
  | { mode: 'update'; printedName: string; changed: boolean; changes: FileChange[]; triggers: TriggerReport };

function readDefinition(so: StoredObject): TriggerDefinition {
  if (so.kind === 'DeploymentConfig') return readDeploymentConfig(so);
  if (so.kind === 'BuildConfig') return readBuildConfig(so);
  return readAnnotated(so);
}

function writeDefinition(so: StoredObject, def: TriggerDefinition, plan: SetTriggersPlan): void {
  if (so.kind === 'DeploymentConfig') writeDeploymentConfig(so, def);
  else if (so.kind === 'BuildConfig') writeBuildConfig(so, def, plan);
  else writeAnnotated(so, def);
}

/** What `set triggers` is asked for. */
export interface SetTriggersInput {
  /** `TYPE/NAME`. */
  resource: string;
  flags: SetTriggersFlags;
  dryRun?: boolean;
}

/** Lists, adds, changes or removes the image and config triggers of one object of the context's namespace. */
export async function setTriggers(ctx: CoreContext, options: SetTriggersInput): Promise<SetTriggersResult> {
  const { namespace } = ctx;
  const plan = planSetTriggers(options.flags, namespace);
  const { resource, name } = parseTriggerResource(options.resource);
  const find = (snap: Snapshot): StoredObject => {
    const so = snap.find(resource.kind, namespace, name);
    // triggers.go Run reads the object through the resource builder (Info.Get).
    const missing = new NotFoundError(`${resource.plural}.${resource.printed.split('.').slice(1).join('.')}`, name);
    if (!so) throw namedReadError(namespace, missing);
    return so;
  };
  if (plan.printTable) {
    const so = find(await ctx.store.read(namespace));
    return { mode: 'list', rows: tableRows(`${resource.plural}/${name}`, readDefinition(so)) };
  }
  const { result, changes } = await ctx.store.update(
    namespace,
    (snap) => {
      const so = find(snap);
      const before = JSON.stringify(so.object);
      writeDefinition(so, updateTriggerDefinition(readDefinition(so), plan), plan);
      const changed = JSON.stringify(so.object) !== before;
      const triggers = changed
        ? ctx.triggers.applyTo(snap, [so], ctx.settings)
        : { updated: [], warnings: [], builds: [] };
      return { changed, triggers };
    },
    { dryRun: options.dryRun ?? false },
  );
  return {
    mode: 'update',
    printedName: `${resource.printed}/${name}`,
    changed: result.changed,
    changes,
    triggers: result.triggers,
  };
}

/** printTriggers: a config row, then one row per image trigger. */
export function tableRows(name: string, def: TriggerDefinition): TriggerRow[] {
  const rows: TriggerRow[] = [{ name, type: 'config', value: '', auto: String(def.configChange) }];
  for (const t of def.imageChange) {
    const from = t.namespace ? `${t.namespace}/${t.from}` : t.from;
    const value = t.names && t.names.length > 0 ? `${from} (${t.names.join(', ')})` : from;
    rows.push({ name, type: 'image', value, auto: String(t.auto) });
  }
  return rows;
}
