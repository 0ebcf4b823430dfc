/**
 * The `image.openshift.io/triggers` annotation, parsed the way OpenShift parses it: Go's
 * `encoding/json` into `[]ObjectFieldTrigger` (library-go pkg/image/trigger/types.go,
 * annotations.go CalculateAnnotationTriggers).
 * Go matches keys case-insensitively and ignores unknown keys, so `"pause":"false"` is silently
 * ignored while `"paused":"false"` (a string) fails the whole annotation.
 */

/** One trigger of the annotation (library-go ObjectFieldTrigger). */
export interface ObjectFieldTrigger {
  from: { kind: string; name: string; namespace: string; apiVersion: string };
  fieldPath: string;
  paused: boolean;
}

/** The parsed annotation: triggers, or the error that disables all of them, and ignored keys. */
export interface ParsedTriggerAnnotation {
  triggers: ObjectFieldTrigger[];
  /** Set when OpenShift would reject the annotation: every trigger of the object is disabled. */
  error?: string;
  /** Keys Go's decoder ignores (e.g. `pause`), as `[index].key`, for a warning. */
  ignoredKeys: string[];
}

/** Thrown inside the decoder with Go's wording; caught by parseTriggerAnnotation. */
class DecodeError extends Error {}

/** Go folds keys with unicode.SimpleFold: case-insensitive, K (U+212A) = k and ſ (U+017F) = s. */
function fold(key: string): string {
  return key
    .toLowerCase()
    .replace(/\u212a/g, 'k')
    .replace(/\u017f/g, 's');
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function decodeString(v: unknown, field: string, current: string): string {
  if (v === null) return current;
  if (typeof v !== 'string')
    throw new DecodeError(`json: cannot unmarshal ${goType(v)} into Go struct field ${field} of type string`);
  return v;
}

const FROM_FIELDS: Record<string, 'kind' | 'name' | 'namespace' | 'apiVersion'> = {
  kind: 'kind',
  name: 'name',
  namespace: 'namespace',
  apiversion: 'apiVersion',
};

function decodeFrom(v: unknown, into: ObjectFieldTrigger['from']): void {
  if (v === null) return;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new DecodeError(
      `json: cannot unmarshal ${goType(v)} into Go struct field ObjectFieldTrigger.from of type trigger.ObjectReference`,
    );
  }
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    const field = FROM_FIELDS[fold(key)];
    if (field) into[field] = decodeString(value, `ObjectFieldTrigger.from.${field}`, into[field]);
  }
}

function decodeTrigger(v: unknown, index: number, ignored: string[]): ObjectFieldTrigger {
  const t: ObjectFieldTrigger = {
    from: { kind: '', name: '', namespace: '', apiVersion: '' },
    fieldPath: '',
    paused: false,
  };
  if (v === null) return t;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new DecodeError(`json: cannot unmarshal ${goType(v)} into Go value of type trigger.ObjectFieldTrigger`);
  }
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    switch (fold(key)) {
      case 'from':
        decodeFrom(value, t.from);
        break;
      case 'fieldpath':
        t.fieldPath = decodeString(value, 'ObjectFieldTrigger.fieldPath', t.fieldPath);
        break;
      case 'paused':
        if (value === null) break;
        if (typeof value !== 'boolean') {
          throw new DecodeError(
            `json: cannot unmarshal ${goType(value)} into Go struct field ObjectFieldTrigger.paused of type bool`,
          );
        }
        t.paused = value;
        break;
      default:
        ignored.push(`[${index}].${key}`);
    }
  }
  return t;
}

/** Parses the annotation value with Go's encoding/json rules and the duplicate-fieldPath check. */
export function parseTriggerAnnotation(value: unknown): ParsedTriggerAnnotation {
  const ignoredKeys: string[] = [];
  if (typeof value !== 'string') {
    return { triggers: [], ignoredKeys, error: `the annotation value must be a JSON string, not a ${goType(value)}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch (err) {
    return { triggers: [], ignoredKeys, error: `not valid JSON (${(err as Error).message})` };
  }
  try {
    if (data === null) return { triggers: [], ignoredKeys };
    if (!Array.isArray(data)) {
      throw new DecodeError(
        `json: cannot unmarshal ${goType(data)} into Go value of type []trigger.ObjectFieldTrigger`,
      );
    }
    const triggers = data.map((item, i) => decodeTrigger(item, i, ignoredKeys));
    // annotations.go hasDuplicateTriggers: two triggers on one fieldPath disable them all.
    const paths = new Set<string>();
    for (const t of triggers) {
      if (paths.has(t.fieldPath)) return { triggers: [], ignoredKeys, error: 'duplicate triggers are not allowed' };
      paths.add(t.fieldPath);
    }
    return { triggers, ignoredKeys };
  } catch (err) {
    if (err instanceof DecodeError) return { triggers: [], ignoredKeys, error: err.message };
    throw err;
  }
}

/** True when the trigger controller watches this trigger (openshift-controller-manager trigger/cache.go). */
export function isWatchedTrigger(t: ObjectFieldTrigger): boolean {
  return t.from.kind === 'ImageStreamTag' && t.from.apiVersion === '' && !t.paused && t.from.name.includes(':');
}

/** Serialises triggers as `oc set triggers` writes them (Go json.Marshal of ObjectFieldTrigger). */
export function formatTriggerAnnotation(triggers: ObjectFieldTrigger[]): string {
  const out = triggers.map((t) => {
    const from: Record<string, string> = { kind: t.from.kind, name: t.from.name };
    if (t.from.namespace) from.namespace = t.from.namespace;
    if (t.from.apiVersion) from.apiVersion = t.from.apiVersion;
    const item: Record<string, unknown> = { from, fieldPath: t.fieldPath };
    if (t.paused) item.paused = true;
    return item;
  });
  // Go's json.Marshal escapes <, > and & (HTML-safe encoding); JSON.stringify does not.
  return JSON.stringify(out).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
