/**
 * The API server's generation bookkeeping for ImageStreams
 * (openshift-apiserver registry/imagestream/strategy.go): metadata.generation moves on every spec
 * change; a tag that is new, changed, unset or 0 takes the new stream generation.
 */
import type { ImageStream, TagReference } from './types.js';

/** Deep equality of plain JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function tagRefChanged(old: TagReference | undefined, next: TagReference, streamNamespace: string): boolean {
  // tagRefChanged (strategy.go:381-415) looks only at from namespace/name, reference, importMode, generation 0.
  if (!old) return true;
  if (!next.from) return false;
  if (!old.from) return true;
  const ns = (r: TagReference) => r.from?.namespace || streamNamespace;
  if (ns(old) !== ns(next) || old.from.name !== next.from.name) return true;
  if (Boolean(old.reference) !== Boolean(next.reference)) return true;
  if ((old.importPolicy?.importMode || 'Legacy') !== (next.importPolicy?.importMode || 'Legacy')) return true;
  return next.generation === 0;
}

/** Applies the update rules (prepareForUpdate + ensureSpecTagGenerationsAreSet) to `stream` in place. */
export function applyUpdateGenerations(old: ImageStream, stream: ImageStream, namespace: string): void {
  const oldGen = old.metadata.generation ?? 0;
  const oldTags = new Map((old.spec?.tags ?? []).map((t) => [t.name, t]));
  for (const t of stream.spec?.tags ?? []) {
    const prev = oldTags.get(t.name);
    // updateSpecTagGenerationsForUpdate: only 0 survives from the client for existing tags.
    if (prev && t.generation !== 0 && t.generation !== prev.generation) t.generation = prev.generation ?? null;
  }
  const specChanged = !jsonEqual(normalizedSpec(old), normalizedSpec(stream));
  let gen = oldGen;
  if (specChanged || oldGen === 0) gen = oldGen + 1;
  if (gen !== oldGen || stream.metadata.generation !== gen) stream.metadata.generation = gen;
  for (const t of stream.spec?.tags ?? []) {
    const prev = oldTags.get(t.name);
    if (
      !prev ||
      tagRefChanged(prev, t, namespace) ||
      t.generation === null ||
      t.generation === undefined ||
      t.generation === 0
    ) {
      if (t.generation !== gen) t.generation = gen;
    }
  }
}

/** Applies the create rules (PrepareForCreate): generation 1 on the stream and every tag. */
export function applyCreateGenerations(stream: ImageStream): void {
  stream.metadata.generation = 1;
  for (const t of stream.spec?.tags ?? []) t.generation = 1;
}

function normalizedSpec(s: ImageStream): unknown {
  // Compare specs the way the server stores them: with defaults applied
  // (openshift/api image/v1 defaults: importPolicy.importMode, referencePolicy.type).
  const spec = cloneJson(s.spec) ?? {};
  const tags = (spec.tags ?? []).map((t) => ({
    ...t,
    generation: t.generation ?? null,
    annotations: t.annotations ?? null,
    reference: Boolean(t.reference),
    importPolicy: {
      insecure: Boolean(t.importPolicy?.insecure),
      scheduled: Boolean(t.importPolicy?.scheduled),
      importMode: t.importPolicy?.importMode || 'Legacy',
    },
    referencePolicy: { type: t.referencePolicy?.type || 'Source' },
  }));
  return { ...spec, lookupPolicy: { local: Boolean(spec.lookupPolicy?.local) }, tags };
}
