/**
 * ImageStream validation as openshift-apiserver does it (pkg/image/apis/image/validation/
 * validation.go ValidateImageStream), plus the structural checks JSON decoding would do
 * (a wrong type in a known field). Problems name the path (`spec.tags[2].from.name`) and say
 * what is expected, worded like Kubernetes field errors.
 */
import {
  CommandError,
  ErrorList,
  type IsctlError,
  NotFoundError,
  ServerError,
  ValidationError,
  type FieldProblem,
} from './errors.js';
import { parsePullSpec } from './pullspec.js';
import { NAME_TOTAL_LENGTH_MAX } from './reference.js';

/** The image stream name rule (reference.RepositoryNameComponentRegexp, anchored). */
const STREAM_NAME_RE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and " +
  "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex " +
  "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

type Obj = Record<string, unknown>;

/** Options of validateImageStream. */
export interface ValidateOptions {
  /** The namespace the object will live in when metadata.namespace is empty. */
  namespace?: string;
}

/** Every problem of an ImageStream object, in document order; empty when valid. */
export function validateImageStream(obj: unknown, options: ValidateOptions = {}): FieldProblem[] {
  const p = new Problems();
  if (!isObj(obj)) {
    p.invalid('', obj, 'must be an object');
    return p.list;
  }
  validateMeta(p, obj, options);
  if (obj.spec !== undefined && obj.spec !== null) {
    if (p.type('spec', obj.spec, 'object')) validateSpec(p, obj.spec as Obj);
  }
  if (obj.status !== undefined && obj.status !== null) {
    if (p.type('status', obj.status, 'object')) validateStatus(p, obj.status as Obj);
  }
  return p.list;
}

/** Throws ValidationError (naming the file) when the stream is invalid. */
export function assertValidImageStream(obj: unknown, file?: string, options: ValidateOptions = {}): void {
  const problems = validateImageStream(obj, options);
  if (problems.length === 0) return;
  const name = isObj(obj) && isObj(obj.metadata) && typeof obj.metadata.name === 'string' ? obj.metadata.name : '';
  throw new ValidationError('ImageStream', name, problems, file);
}

/** Problems of an image stream name (ValidateImageStreamName), or [] when valid. */
export function imageStreamNameProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const out: string[] = [];
  if (name.includes('/')) out.push("may not contain '/'");
  if (name.includes('%')) out.push("may not contain '%'");
  if (out.length > 0) return out;
  if (!STREAM_NAME_RE.test(name)) return ['must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'];
  return [];
}

const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or " +
  "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex " +
  "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/**
 * Problems of the name of an object of another kind (apimachinery NameIsDNSSubdomain: a DNS-1123
 * subdomain of at most 253 characters), or [] when valid.
 */
export function objectNameProblems(name: string): string[] {
  return name.length > 253 || !DNS1123_SUBDOMAIN_RE.test(name) ? [DNS1123_SUBDOMAIN_MSG] : [];
}

const DNS1035_LABEL_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an " +
  "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', " +
  "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/**
 * Problems of an object's kind as a field (`kind: …`), or [] when valid: the rule the API server
 * applies to every kind it can serve, a DNS-1035 label in any case (apiextensions-apiserver
 * pkg/apis/apiextensions/validation/validation.go ValidateCustomResourceDefinitionNames: "may have
 * mixed case, but should otherwise match"). A kind becomes a folder name (`<kind>s/`), so this also
 * keeps dots, separators, spaces and control characters out of the folder.
 */
export function kindProblems(kind: unknown): FieldProblem[] {
  if (typeof kind !== 'string' || kind === '') return [{ field: 'kind', message: 'Required value' }];
  const lower = kind.toLowerCase();
  const msgs: string[] = [];
  if (lower.length > 63) msgs.push('must be no more than 63 characters');
  if (!DNS1035_LABEL_RE.test(lower)) msgs.push(DNS1035_LABEL_MSG);
  if (msgs.length === 0) return [];
  return [
    {
      field: 'kind',
      message: `Invalid value: ${JSON.stringify(kind)}: may have mixed case, but should otherwise match: ${msgs.join(',')}`,
    },
  ];
}

/** Problems of a namespace name (DNS-1123 label), or [] when valid. */
export function namespaceProblems(ns: string): string[] {
  const out: string[] = [];
  if (ns.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1123_LABEL_RE.test(ns)) out.push(DNS1123_LABEL_MSG);
  return out;
}

/**
 * What the API server answers a create or update in namespace `ns`: NamespaceLifecycle admission
 * (k8s.io/apiserver pkg/admission/plugin/namespace/lifecycle/admission.go Admit) passes the
 * NotFound of its live Get of a namespace that does not exist, before the object is validated or
 * an image imported. Every DNS-1123 label is a namespace of the folder; any other name can never
 * be a Namespace's (ValidateNamespaceName), so it is that NotFound. Reads do not ask: a get or
 * list there finds nothing, as on the server, and kubectl does not check the -n value.
 */
export function requireWritableNamespace(ns: string): void {
  requireRequestNamespace(ns);
  if (namespaceProblems(ns).length > 0) throw new NotFoundError('namespaces', ns);
}

/**
 * What any request in namespace `ns` fails with before it is sent, or undefined: client-go
 * rest/request.go Request.Namespace refuses a name that cannot be a URL path segment,
 * `invalid namespace %q: %v` (`invalid namespace "..": [may not be '..']`).
 */
export function requestNamespaceProblem(ns: string): string | undefined {
  const segment = pathSegmentProblems(ns);
  return segment.length > 0 ? `invalid namespace ${JSON.stringify(ns)}: [${segment.join(' ')}]` : undefined;
}

/**
 * Throws what requests in namespace `ns` fail with on the client (requestNamespaceProblem): one
 * error, or `aggregated` of them as the ErrorList kubectl's checkErr prints line by line.
 */
export function requireRequestNamespace(ns: string, aggregated = 0): void {
  const problem = requestNamespaceProblem(ns);
  if (!problem) return;
  if (aggregated > 0) throw new ErrorList(Array.from({ length: aggregated }, () => new CommandError(problem)));
  throw new CommandError(problem);
}

/**
 * The error of a named read through kubectl's resource builder that found nothing: cli-runtime
 * pkg/resource/visitor.go Info.Get asks for the namespace after a NotFound (not for `default`)
 * and returns the namespace's NotFound when it is missing too. Every DNS-1123 label is a
 * namespace of the folder; no other name is. Other errors pass unchanged.
 */
export function namedReadError(namespace: string, err: IsctlError): IsctlError {
  const missing = namespace !== 'default' && namespaceProblems(namespace).length > 0;
  return missing && err instanceof ServerError && err.reason === 'NotFound'
    ? new NotFoundError('namespaces', namespace)
    : err;
}

/** k8s.io/apimachinery pkg/api/validation/path IsValidPathSegmentName: what cannot be one segment of a URL path. */
export function pathSegmentProblems(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

function validateMeta(p: Problems, obj: Obj, options: ValidateOptions): void {
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'image.openshift.io/v1' && obj.apiVersion !== 'v1') {
    p.unsupported('apiVersion', obj.apiVersion, ['image.openshift.io/v1']);
  }
  if (obj.kind !== 'ImageStream') p.unsupported('kind', obj.kind, ['ImageStream']);
  if (!isObj(obj.metadata)) {
    if (obj.metadata === undefined || obj.metadata === null)
      p.required('metadata.name', 'name or generateName is required');
    else p.type('metadata', obj.metadata, 'object');
    return;
  }
  const m = obj.metadata;
  let name = '';
  if (m.name === undefined || m.name === null || m.name === '')
    p.required('metadata.name', 'name or generateName is required');
  else if (p.type('metadata.name', m.name, 'string')) {
    name = m.name as string;
    for (const msg of imageStreamNameProblems(name)) p.invalid('metadata.name', name, msg);
  }
  let ns = options.namespace ?? '';
  if (m.namespace !== undefined && m.namespace !== null && p.type('metadata.namespace', m.namespace, 'string'))
    ns = (m.namespace as string) || ns;
  if (ns) for (const msg of namespaceProblems(ns)) p.invalid('metadata.namespace', ns, msg);
  if (name && ns && `${ns}/${name}`.length > NAME_TOTAL_LENGTH_MAX) {
    p.invalid(
      'metadata.name',
      `${ns}/${name}`,
      `'namespace/name' cannot be longer than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  }
  p.stringMap('metadata.labels', m.labels);
  p.stringMap('metadata.annotations', m.annotations);
  p.optional('metadata.generation', m.generation, 'integer');
}

function validateSpec(p: Problems, spec: Obj): void {
  if (
    spec.lookupPolicy !== undefined &&
    spec.lookupPolicy !== null &&
    p.type('spec.lookupPolicy', spec.lookupPolicy, 'object')
  ) {
    p.optional('spec.lookupPolicy.local', (spec.lookupPolicy as Obj).local, 'boolean');
  }
  const repo = spec.dockerImageRepository;
  if (p.optional('spec.dockerImageRepository', repo, 'string') && repo) validateRepository(p, repo as string);
  if (spec.tags === undefined || spec.tags === null || !p.type('spec.tags', spec.tags, 'array')) return;
  (spec.tags as unknown[]).forEach((tag, i) => validateTagReference(p, tag, `spec.tags[${i}]`));
}

// ValidateImageStream: spec.dockerImageRepository must parse and carry neither tag nor ID.
function validateRepository(p: Problems, repo: string): void {
  try {
    const spec = parsePullSpec(repo);
    if (spec.transport !== 'docker') return;
    if (spec.ref.tag) p.invalid('spec.dockerImageRepository', repo, 'the repository name may not contain a tag');
    if (spec.ref.id) p.invalid('spec.dockerImageRepository', repo, 'the repository name may not contain an ID');
  } catch (e) {
    p.invalid('spec.dockerImageRepository', repo, referenceDetail(e));
  }
}

function validateTagReference(p: Problems, tag: unknown, path: string): void {
  if (!p.type(path, tag, 'object')) return;
  const t = tag as Obj;
  // The API accepts any tag name (even empty); it must still be a string to decode.
  if (t.name === undefined || t.name === null) p.required(`${path}.name`, '');
  else p.type(`${path}.name`, t.name, 'string');
  p.stringMap(`${path}.annotations`, t.annotations);
  p.optional(`${path}.reference`, t.reference, 'boolean');
  p.optional(`${path}.generation`, t.generation, 'integer');
  let scheduled = false;
  if (
    t.importPolicy !== undefined &&
    t.importPolicy !== null &&
    p.type(`${path}.importPolicy`, t.importPolicy, 'object')
  ) {
    const ip = t.importPolicy as Obj;
    p.optional(`${path}.importPolicy.insecure`, ip.insecure, 'boolean');
    if (p.optional(`${path}.importPolicy.scheduled`, ip.scheduled, 'boolean')) scheduled = ip.scheduled === true;
    if (
      p.optional(`${path}.importPolicy.importMode`, ip.importMode, 'string') &&
      !['', undefined, null, 'Legacy', 'PreserveOriginal'].includes(ip.importMode as string)
    ) {
      p.invalid(
        `${path}.importPolicy.importMode`,
        ip.importMode,
        "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'",
      );
    }
  }
  if (t.from !== undefined && t.from !== null && p.type(`${path}.from`, t.from, 'object'))
    validateFrom(p, t.from as Obj, `${path}`, scheduled);
  if (
    t.referencePolicy !== undefined &&
    t.referencePolicy !== null &&
    p.type(`${path}.referencePolicy`, t.referencePolicy, 'object')
  ) {
    const type = (t.referencePolicy as Obj).type;
    if (p.optional(`${path}.referencePolicy.type`, type, 'string') && type && type !== 'Source' && type !== 'Local') {
      p.invalid(`${path}.referencePolicy.type`, type, 'valid values are "Source", "Local"');
    }
  }
}

// ValidateImageStreamTagReference, plus strategy.go parseFromReference for stream references.
function validateFrom(p: Problems, from: Obj, path: string, scheduled: boolean): void {
  p.optional(`${path}.from.namespace`, from.namespace, 'string');
  const nameOk = p.optional(`${path}.from.name`, from.name, 'string');
  const name = typeof from.name === 'string' ? from.name : '';
  if (nameOk && name === '') p.required(`${path}.from.name`, '');
  if (!p.optional(`${path}.from.kind`, from.kind, 'string')) return;
  switch (from.kind) {
    case 'DockerImage': {
      if (!name) return;
      try {
        const spec = parsePullSpec(name);
        if (scheduled && spec.transport === 'docker' && spec.ref.id)
          p.invalid(`${path}.from.name`, name, 'only tags can be scheduled for import');
      } catch (e) {
        p.invalid(`${path}.from.name`, name, referenceDetail(e));
      }
      return;
    }
    case 'ImageStreamTag':
    case 'ImageStreamImage': {
      if (scheduled)
        p.invalid(
          `${path}.importPolicy.scheduled`,
          true,
          'only tags pointing to Docker repositories may be scheduled for background import',
        );
      const sep = from.kind === 'ImageStreamTag' ? ':' : '@';
      if (name && name.split(sep).length > 2)
        p.invalid(`${path}.from.name`, name, 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>');
      return;
    }
    default:
      p.required(`${path}.from.kind`, "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'");
  }
}

function validateStatus(p: Problems, status: Obj): void {
  p.optional('status.dockerImageRepository', status.dockerImageRepository, 'string');
  p.optional('status.publicDockerImageRepository', status.publicDockerImageRepository, 'string');
  if (status.tags === undefined || status.tags === null || !p.type('status.tags', status.tags, 'array')) return;
  (status.tags as unknown[]).forEach((entry, i) => {
    const path = `status.tags[${i}]`;
    if (!p.type(path, entry, 'object')) return;
    const e = entry as Obj;
    if (e.tag === undefined || e.tag === null) p.required(`${path}.tag`, '');
    else p.type(`${path}.tag`, e.tag, 'string');
    if (e.items !== undefined && e.items !== null && p.type(`${path}.items`, e.items, 'array')) {
      (e.items as unknown[]).forEach((item, j) => validateTagEvent(p, item, `${path}.items[${j}]`));
    }
    if (e.conditions !== undefined && e.conditions !== null && p.type(`${path}.conditions`, e.conditions, 'array')) {
      (e.conditions as unknown[]).forEach((c, j) => {
        const cp = `${path}.conditions[${j}]`;
        if (!p.type(cp, c, 'object')) return;
        const cond = c as Obj;
        for (const f of ['type', 'status', 'lastTransitionTime', 'reason', 'message'] as const)
          p.optional(`${cp}.${f}`, cond[f], 'string');
        p.optional(`${cp}.generation`, cond.generation, 'integer');
      });
    }
  });
}

// Status items must carry a parsable, non-empty dockerImageReference (validation.go).
function validateTagEvent(p: Problems, item: unknown, path: string): void {
  if (!p.type(path, item, 'object')) return;
  const ev = item as Obj;
  p.optional(`${path}.created`, ev.created, 'string');
  p.optional(`${path}.image`, ev.image, 'string');
  p.optional(`${path}.generation`, ev.generation, 'integer');
  const ref = ev.dockerImageReference;
  if (ref === undefined || ref === null || ref === '') {
    p.required(`${path}.dockerImageReference`, '');
    return;
  }
  if (!p.type(`${path}.dockerImageReference`, ref, 'string')) return;
  try {
    parsePullSpec(ref as string);
  } catch (e) {
    p.invalid(`${path}.dockerImageReference`, ref, referenceDetail(e));
  }
}

// library-go's error text without our `invalid pull spec "x": ` prefix.
function referenceDetail(e: unknown): string {
  const msg = (e as Error).message ?? String(e);
  const m = /^invalid pull spec ".*?": (.*)$/s.exec(msg);
  return m ? m[1] : msg;
}

type Expected = 'object' | 'array' | 'string' | 'boolean' | 'integer';

/** Collects field errors worded like k8s.io/apimachinery field.Error. */
class Problems {
  readonly list: FieldProblem[] = [];

  required(field: string, detail: string): void {
    this.list.push({ field, message: detail ? `Required value: ${detail}` : 'Required value' });
  }

  invalid(field: string, value: unknown, detail: string): void {
    this.list.push({ field: field || '<root>', message: `Invalid value: ${show(value)}: ${detail}` });
  }

  unsupported(field: string, value: unknown, supported: string[]): void {
    this.list.push({
      field,
      message: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
    });
  }

  /** Checks a present value's type; returns true when it has the expected type. */
  type(field: string, value: unknown, expected: Expected): boolean {
    const ok = hasType(value, expected);
    if (!ok)
      this.invalid(
        field,
        value,
        `must be ${expected === 'integer' ? 'an integer' : expected === 'object' || expected === 'array' ? `an ${expected}` : `a ${expected}`}`,
      );
    return ok;
  }

  /** Like type() but absent or null values are fine (returns true). */
  optional(field: string, value: unknown, expected: Expected): boolean {
    if (value === undefined || value === null) return true;
    return this.type(field, value, expected);
  }

  /** A map of string to string (labels, annotations), or null. */
  stringMap(field: string, value: unknown): void {
    if (value === undefined || value === null) return;
    if (!this.type(field, value, 'object')) return;
    for (const [k, v] of Object.entries(value as Obj)) this.type(`${field}[${k}]`, v, 'string');
  }
}

function hasType(value: unknown, expected: Expected): boolean {
  switch (expected) {
    case 'object':
      return isObj(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    default:
      return typeof value === expected;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'null';
  if (isObj(v)) return '{...}';
  if (Array.isArray(v)) return '[...]';
  return JSON.stringify(v);
}

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
