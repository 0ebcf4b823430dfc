/**
 * `set triggers` flags checked the way `oc set triggers` checks them (oc pkg/cli/set/triggers.go
 * Complete and Validate), with oc's error texts, and the trigger definition it edits.
 */
import { CommandError } from '../../../domain/errors.js';
import { nameString, parseDockerImageReference } from '../../../domain/reference.js';

/** The flags of `set triggers` (only the image and config triggers; webhooks are not modelled). */
export interface SetTriggersFlags {
  fromImage?: string;
  /** `-c`: comma-separated container names. */
  containers?: string;
  fromConfig?: boolean;
  auto?: boolean;
  manual?: boolean;
  remove?: boolean;
  removeAll?: boolean;
}

/** What the command will do, after oc's defaulting. */
export interface SetTriggersPlan {
  printTable: boolean;
  removeAll: boolean;
  remove: boolean;
  /** --auto/--manual without a trigger flag: flip every trigger. */
  reset: boolean;
  auto: boolean;
  manual: boolean;
  fromConfig: boolean;
  /** `name:tag` of the image stream tag, without namespace (library-go NameString). */
  fromImage: string;
  /** Its namespace, '' when it is the command's namespace (oc defaultNamespace). */
  fromImageNamespace: string;
  containerNames: string[] | undefined;
}

/** Validates the flags with oc's rules and messages; throws CommandError. */
export function planSetTriggers(flags: SetTriggersFlags, namespace: string): SetTriggersPlan {
  let fromImage = '';
  let fromImageNamespace = '';
  if (flags.fromImage) {
    let ref;
    try {
      ref = parseDockerImageReference(flags.fromImage);
    } catch (err) {
      throw new CommandError(
        `the value of --from-image does not appear to be a valid reference to an image: ${(err as Error).message}`,
      );
    }
    if (ref.registry || ref.id)
      throw new CommandError('the value of --from-image must point to an image stream tag on this server');
    if (!ref.tag) throw new CommandError('the value of --from-image must include the tag you wish to pull from');
    fromImage = nameString(ref);
    fromImageNamespace = ref.namespace === namespace ? '' : ref.namespace;
  }
  const fromConfig = flags.fromConfig === true;
  const count = (fromConfig ? 1 : 0) + (fromImage ? 1 : 0);
  let auto = flags.auto === true;
  const manual = flags.manual === true;
  const remove = flags.remove === true;
  const removeAll = flags.removeAll === true;
  const reset = count === 0 && (auto || manual);
  const printTable = count === 0 && !remove && !removeAll && !auto && !manual;
  if (!printTable && !removeAll && !auto && !manual) auto = true;
  if (auto && manual) throw new CommandError('you must specify at most one of --auto or --manual');
  if (remove && removeAll) throw new CommandError('you must specify either --remove or --remove-all');
  if (removeAll && (count !== 0 || auto || manual))
    throw new CommandError('--remove-all may not be used with any other flag');
  if (remove && count < 1) throw new CommandError('--remove requires a flag defining a trigger type to be specified');
  if (count > 1) throw new CommandError('you may only set one trigger type at a time');
  const containerNames = flags.containers ? flags.containers.split(',') : undefined;
  return {
    printTable,
    removeAll,
    remove,
    reset,
    auto,
    manual,
    fromConfig,
    fromImage,
    fromImageNamespace,
    containerNames,
  };
}

/** One image trigger in oc's abstract trigger definition. */
export interface ImageTriggerDef {
  auto: boolean;
  from: string;
  /** '' when it is the object's namespace. */
  namespace: string;
  names: string[] | undefined;
}

/** oc's TriggerDefinition, limited to config and image triggers. */
export interface TriggerDefinition {
  configChange: boolean;
  imageChange: ImageTriggerDef[];
}

/** oc updateTriggers: changes only what the flags name. */
export function updateTriggerDefinition(def: TriggerDefinition, plan: SetTriggersPlan): TriggerDefinition {
  if (plan.removeAll) return { configChange: false, imageChange: [] };
  if (plan.remove) {
    return {
      configChange: plan.fromConfig ? false : def.configChange,
      imageChange: plan.fromImage ? def.imageChange.filter((t) => t.from !== plan.fromImage) : def.imageChange,
    };
  }
  if (plan.reset)
    return { configChange: plan.auto, imageChange: def.imageChange.map((t) => ({ ...t, auto: plan.auto })) };
  const out: TriggerDefinition = {
    configChange: def.configChange || plan.fromConfig,
    imageChange: def.imageChange.map((t) => ({ ...t })),
  };
  if (plan.fromImage) {
    const found = out.imageChange.find((t) => t.from === plan.fromImage && t.namespace === plan.fromImageNamespace);
    if (found) {
      found.auto = !plan.manual;
      found.names = plan.containerNames;
    } else {
      out.imageChange.push({
        auto: !plan.manual,
        from: plan.fromImage,
        namespace: plan.fromImageNamespace,
        names: plan.containerNames,
      });
    }
  }
  return out;
}

/** oc's check that the named containers exist; returns the error text or undefined. */
export function containerNamesProblem(names: string[] | undefined, all: string[]): string | undefined {
  if (!names || names.length === 0) return 'you must specify --containers when setting --from-image';
  const known = new Set(all);
  const missing = [...new Set(names.filter((n) => !known.has(n)))].sort();
  if (missing.length > 0)
    return `not all container names exist: ${missing.join(', ')} (accepts: ${[...known].sort().join(', ')})`;
  return undefined;
}
