/**
 * Where the pod spec of a workload lives and how a trigger `fieldPath` selects a container in it
 * (library-go pkg/image/referencemutator/pods.go GetPodSpecReferenceMutator, and
 * pkg/image/trigger/annotations.go parseContainerReference / findContainerBySelector).
 */

/** A container as found in a file (only the fields triggers read or write). */
export interface Container {
  name?: string;
  image?: string;
  [key: string]: unknown;
}

/** A pod spec as found in a file. */
export interface PodSpec {
  containers?: Container[] | null;
  initContainers?: Container[] | null;
  [key: string]: unknown;
}

const POD_SPEC_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  DeploymentConfig: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
};

/** The dotted pod-spec path of a kind (`spec.template.spec`…), or undefined for kinds without one. */
export function podSpecPath(kind: string): string | undefined {
  return POD_SPEC_PATHS[kind]?.join('.');
}

/** The pod spec object inside `obj`, or undefined when the kind has none or it is absent. */
export function getPodSpec(obj: unknown, kind: string): PodSpec | undefined {
  const path = POD_SPEC_PATHS[kind];
  if (!path) return undefined;
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur !== null && typeof cur === 'object' && !Array.isArray(cur) ? (cur as PodSpec) : undefined;
}

/** How a fieldPath selects a container: by index within one list, or by name. */
export type ContainerSelector = { init: boolean; index: number } | { init: boolean; name: string };

/** The outcome of reading a fieldPath against a kind's pod-spec path. */
export type FieldPathResult =
  | { ok: true; selector: ContainerSelector }
  /** The path does not start with the kind's pod-spec path: OpenShift skips the trigger silently. */
  | { ok: false; skip: true; message: string }
  | { ok: false; skip: false; message: string };

/**
 * Reads `fieldPath` the way UpdateObjectFromImages does: `<podspec>.containers[<sel>].image` or
 * `initContainers[<sel>].image`, where <sel> is a decimal index or exactly `?(@.name=="NAME")`.
 */
export function parseFieldPath(kind: string, fieldPath: string): FieldPathResult {
  const base = `${podSpecPath(kind) ?? ''}.`;
  if (base === '.' || !fieldPath.startsWith(base)) {
    return { ok: false, skip: true, message: `field path does not start with ${base}: ${fieldPath}` };
  }
  const rest = fieldPath.slice(base.length);
  let init: boolean;
  let remainder: string;
  if (rest.startsWith('containers[')) {
    init = false;
    remainder = rest.slice('containers['.length);
  } else if (rest.startsWith('initContainers[')) {
    init = true;
    remainder = rest.slice('initContainers['.length);
  } else {
    return { ok: false, skip: false, message: `field path is not valid: ${fieldPath}` };
  }
  const end = remainder.indexOf(']');
  if (end < 0) return { ok: false, skip: false, message: `field path is not valid: ${fieldPath}` };
  const selector = remainder.slice(0, end);
  let tail = remainder.slice(end + 1);
  if (tail.startsWith('.')) tail = tail.slice(1);
  if (tail !== 'image') return { ok: false, skip: false, message: `field path is not valid: ${fieldPath}` };
  const parsed = parseSelector(selector, init);
  if (!parsed) return { ok: false, skip: false, message: `no such container: ${fieldPath}` };
  return { ok: true, selector: parsed };
}

function parseSelector(selector: string, init: boolean): ContainerSelector | undefined {
  // strconv.Atoi accepts an optional sign and decimal digits.
  if (/^[+-]?[0-9]+$/.test(selector)) return { init, index: Number.parseInt(selector, 10) };
  // TrimSuffix(TrimPrefix(sel, `?(@.name=="`), `")`): either trim counts, no whitespace tolerance.
  let name = selector.startsWith('?(@.name=="') ? selector.slice('?(@.name=="'.length) : selector;
  if (name.endsWith('")')) name = name.slice(0, -2);
  return name !== selector ? { init, name } : undefined;
}

/**
 * The container a selector points at. Name selectors search initContainers first, then
 * containers, whichever list the path names (pods.go GetContainerByName); indexes respect the list.
 */
export function findContainer(spec: PodSpec, selector: ContainerSelector): Container | undefined {
  if ('index' in selector) {
    const raw = selector.init ? spec.initContainers : spec.containers;
    const list = Array.isArray(raw) ? raw : [];
    const c = selector.index >= 0 && selector.index < list.length ? list[selector.index] : undefined;
    return isContainer(c) ? c : undefined;
  }
  const found = allContainers(spec).find((c) => c.container.name === selector.name);
  return found?.container;
}

function isContainer(c: unknown): c is Container {
  return c !== null && typeof c === 'object' && !Array.isArray(c);
}

/** Every container and init container of a pod spec, init containers first. */
export function allContainers(spec: PodSpec): { container: Container; init: boolean }[] {
  const out: { container: Container; init: boolean }[] = [];
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : [])
    if (isContainer(c)) out.push({ container: c, init: true });
  for (const c of Array.isArray(spec.containers) ? spec.containers : [])
    if (isContainer(c)) out.push({ container: c, init: false });
  return out;
}
