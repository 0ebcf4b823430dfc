/**
 * Small helpers for mutating working copies leaf by leaf, so the state layer's diff (and thus
 * the file edit) stays as small as what OpenShift changed.
 */
import type { StoredObject } from '../../state/types.js';
import { CommandError } from '../../domain/errors.js';

/** A plain JSON map. */
export type JsonMap = Record<string, unknown>;

/** True for a plain (non-array, non-null) object. */
export function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The map at `parent[key]`, created empty when absent (or not a map). */
export function ensureMap(parent: JsonMap, key: string): JsonMap {
  const cur = parent[key];
  if (isMap(cur)) return cur;
  const created: JsonMap = {};
  parent[key] = created;
  return created;
}

/** Sets `parent[key] = value` only when it differs; returns whether it changed. */
export function setLeaf(parent: JsonMap, key: string, value: unknown): boolean {
  if (parent[key] === value) return false;
  parent[key] = value;
  return true;
}

/** `Kind namespace/name (file)`: how warnings and reports name an object. */
export function describeObject(so: StoredObject): string {
  const file = so.location?.file ?? 'a new object';
  return `${so.kind} ${so.namespace}/${so.name} (${file})`;
}

/** The file of an object for reports ('' for an object added in this transaction). */
export function fileOf(so: StoredObject): string {
  return so.location?.file ?? '';
}

/**
 * Bumps metadata.generation when the file records one: the API server increments it on every
 * spec change (e.g. openshift-apiserver deployconfig/strategy.go PrepareForUpdate).
 */
export function bumpGeneration(obj: JsonMap): void {
  const meta = obj.metadata;
  if (isMap(meta) && typeof meta.generation === 'number') meta.generation = meta.generation + 1;
}

/** The error `set triggers` reports when oc's Apply would refuse the change, naming the object. */
export function applyError(so: StoredObject, message: string): CommandError {
  return new CommandError(`${describeObject(so)}: ${message}`);
}
