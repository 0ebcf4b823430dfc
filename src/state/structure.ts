/**
 * A light structural check of the objects isctl understands, done while loading so that core
 * code can trust field types. It reports wrong JSON types only (as the API server's decoder
 * does: "cannot unmarshal number into ... of type string"); OpenShift's semantic validation
 * (names, tag grammar) is src/domain/validation.ts.
 */
import type { FieldProblem } from '../domain/errors.js';
import type { KubeObject } from '../domain/types.js';

type Kind = 'object' | 'array' | 'string' | 'boolean' | 'number';

function typeOf(v: unknown): Kind | 'null' | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'object' || t === 'string' || t === 'boolean' || t === 'number' ? t : 'other';
}

const EXPECT: Record<Kind, string> = {
  object: 'must be a map',
  array: 'must be a list',
  string: 'must be a string',
  boolean: 'must be true or false',
  number: 'must be a number',
};

class Checker {
  readonly problems: FieldProblem[] = [];
  /** Checks `v` when present (null counts as absent, as in Go's JSON decoding). */
  is(v: unknown, kind: Kind, field: string): boolean {
    if (v === undefined || v === null) return false;
    if (typeOf(v) === kind) return true;
    this.problems.push({ field, message: `${EXPECT[kind]}, got ${describe(v)}` });
    return false;
  }
  required(v: unknown, kind: Kind, field: string): boolean {
    if (v === undefined || v === null) {
      this.problems.push({ field, message: 'Required value' });
      return false;
    }
    return this.is(v, kind, field);
  }
  stringMap(v: unknown, field: string): void {
    if (!this.is(v, 'object', field)) return;
    for (const [k, val] of Object.entries(v as object)) this.is(val, 'string', `${field}[${k}]`);
  }
}

function describe(v: unknown): string {
  const t = typeOf(v);
  return t === 'string' || t === 'number' || t === 'boolean'
    ? `${t} ${JSON.stringify(v)}`
    : t === 'array'
      ? 'a list'
      : t === 'object'
        ? 'a map'
        : t;
}

// Kinds isctl reads or rewrites; objects of other kinds are carried along unchecked (oc ignores them too).
const KNOWN_KINDS = new Set([
  'ImageStream',
  'DeploymentConfig',
  'BuildConfig',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'Job',
  'ReplicaSet',
  'Pod',
]);

/** Wrong field types in `obj`, with their paths (e.g. `spec.tags[2].name`); empty when fine. */
export function structuralProblems(obj: KubeObject): FieldProblem[] {
  if (!KNOWN_KINDS.has(String(obj.kind))) return [];
  const c = new Checker();
  const meta = obj.metadata as unknown;
  if (c.is(meta, 'object', 'metadata')) {
    const m = meta as Record<string, unknown>;
    c.is(m.name, 'string', 'metadata.name');
    c.is(m.namespace, 'string', 'metadata.namespace');
    c.stringMap(m.labels, 'metadata.labels');
    c.stringMap(m.annotations, 'metadata.annotations');
  }
  if (obj.kind === 'ImageStream') checkImageStream(obj, c);
  return c.problems;
}

function checkImageStream(obj: KubeObject, c: Checker): void {
  const name = (obj.metadata as Record<string, unknown> | undefined)?.name;
  if (name === undefined || name === null) c.problems.push({ field: 'metadata.name', message: 'Required value' });
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (c.is(spec, 'object', 'spec')) {
    c.is(spec!.lookupPolicy, 'object', 'spec.lookupPolicy');
    c.is(spec!.dockerImageRepository, 'string', 'spec.dockerImageRepository');
    if (c.is(spec!.tags, 'array', 'spec.tags'))
      (spec!.tags as unknown[]).forEach((t, i) => checkSpecTag(t, `spec.tags[${i}]`, c));
  }
  const status = obj.status as Record<string, unknown> | undefined;
  if (c.is(status, 'object', 'status')) {
    c.is(status!.dockerImageRepository, 'string', 'status.dockerImageRepository');
    c.is(status!.publicDockerImageRepository, 'string', 'status.publicDockerImageRepository');
    if (c.is(status!.tags, 'array', 'status.tags'))
      (status!.tags as unknown[]).forEach((t, i) => checkStatusTag(t, `status.tags[${i}]`, c));
  }
}

function checkSpecTag(t: unknown, at: string, c: Checker): void {
  if (!c.required(t, 'object', at)) return;
  const tag = t as Record<string, unknown>;
  c.required(tag.name, 'string', `${at}.name`);
  c.stringMap(tag.annotations, `${at}.annotations`);
  if (c.is(tag.from, 'object', `${at}.from`)) {
    const from = tag.from as Record<string, unknown>;
    c.required(from.kind, 'string', `${at}.from.kind`);
    c.required(from.name, 'string', `${at}.from.name`);
    c.is(from.namespace, 'string', `${at}.from.namespace`);
  }
  c.is(tag.reference, 'boolean', `${at}.reference`);
  c.is(tag.generation, 'number', `${at}.generation`);
  if (c.is(tag.importPolicy, 'object', `${at}.importPolicy`)) {
    const p = tag.importPolicy as Record<string, unknown>;
    c.is(p.insecure, 'boolean', `${at}.importPolicy.insecure`);
    c.is(p.scheduled, 'boolean', `${at}.importPolicy.scheduled`);
    c.is(p.importMode, 'string', `${at}.importPolicy.importMode`);
  }
  if (c.is(tag.referencePolicy, 'object', `${at}.referencePolicy`))
    c.is((tag.referencePolicy as Record<string, unknown>).type, 'string', `${at}.referencePolicy.type`);
}

function checkStatusTag(t: unknown, at: string, c: Checker): void {
  if (!c.required(t, 'object', at)) return;
  const tag = t as Record<string, unknown>;
  c.required(tag.tag, 'string', `${at}.tag`);
  if (c.is(tag.items, 'array', `${at}.items`)) {
    (tag.items as unknown[]).forEach((e, i) => {
      const ep = `${at}.items[${i}]`;
      if (!c.required(e, 'object', ep)) return;
      const ev = e as Record<string, unknown>;
      for (const f of ['created', 'dockerImageReference', 'image']) c.is(ev[f], 'string', `${ep}.${f}`);
      c.is(ev.generation, 'number', `${ep}.generation`);
    });
  }
  if (c.is(tag.conditions, 'array', `${at}.conditions`)) {
    (tag.conditions as unknown[]).forEach((e, i) => c.required(e, 'object', `${at}.conditions[${i}]`));
  }
}
