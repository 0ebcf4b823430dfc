/**
 * Pull-spec grammar of openshift/library-go pkg/image/reference (the one `oc` uses:
 * reference.go Parse, regexp.go). Parsing never applies defaults: `nginx` stays `nginx`;
 * Docker Hub defaults are applied only when talking to the registry (`registryDefaults`).
 */
import { InvalidReferenceError } from './errors.js';

/** A parsed pull spec, split the way library-go's DockerImageReference is. */
export interface DockerImageReference {
  registry: string;
  namespace: string;
  name: string;
  tag: string;
  /** The digest (`sha256:…`) or, for legacy refs, an image ID. */
  id: string;
}

const alnum = '[a-z0-9]+';
// distribution/reference writes the dash separator as `[-]*`; under RE2 (Go) that is linear, but in
// a backtracking engine `[a-z0-9]+(?:[-]*[a-z0-9]+)*` is (a+)+ and "aaaa…!" takes exponential time.
// `[-]+` accepts exactly the same names (an empty separator only splits one alnum run in two).
const separator = '(?:[._]|__|[-]+)';
const component = `${alnum}(?:${separator}${alnum})*`;
const hostComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const hostname = `${hostComponent}(?:\\.${hostComponent})*(?::[0-9]+)?`;
const name = `(?:${hostname}/)?${component}(?:/${component})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referenceRe = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);

const tagRe = new RegExp(`^${tag}$`);

/** True when `t` is a valid tag (library-go reference TagRegexp: `[\w][\w.-]{0,127}`). */
export function isTagName(t: string): boolean {
  return tagRe.test(t);
}

/** Maximum length of the name part, registry included (library-go NameTotalLengthMax). */
export const NAME_TOTAL_LENGTH_MAX = 255;

const digestLengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Validates a digest as opencontainers/go-digest does; returns the error text or undefined. */
export function digestProblem(d: string): string | undefined {
  const i = d.indexOf(':');
  if (i <= 0 || i === d.length - 1) return 'invalid checksum digest format';
  const alg = d.slice(0, i);
  const hex = d.slice(i + 1);
  const want = digestLengths[alg];
  if (want === undefined) return 'unsupported digest algorithm';
  if (hex.length !== want) return 'invalid checksum digest length';
  if (!/^[a-f0-9]+$/.test(hex)) return 'invalid checksum digest format';
  return undefined;
}

/** True when `d` is a valid sha256/384/512 digest. */
export function isDigest(d: string): boolean {
  return digestProblem(d) === undefined;
}

/** Parses a pull spec with library-go's rules; throws InvalidReferenceError quoting the spec. */
export function parseDockerImageReference(spec: string): DockerImageReference {
  const fail = (msg: string): never => {
    throw new InvalidReferenceError(
      redactUserInfo(spec),
      `invalid pull spec "${printable(spec)}": ${msg}`,
      undefined,
      msg,
    );
  };
  if (spec.length === 0) fail('repository name must have at least one component');
  const m = referenceRe.exec(spec);
  if (!m) {
    if (referenceRe.test(spec.toLowerCase())) fail('repository name must be lowercase');
    fail('invalid reference format');
  }
  const [, fullName, tagPart = '', digestPart = ''] = m as RegExpExecArray;
  if (fullName.length > NAME_TOTAL_LENGTH_MAX)
    fail(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  if (digestPart) {
    const problem = digestProblem(digestPart);
    if (problem) fail(problem);
  }
  const ref: DockerImageReference = { registry: '', namespace: '', name: '', tag: tagPart, id: digestPart };
  const parts = fullName.split('/');
  if (parts.length === 1) {
    const only = parts[0];
    if (only.includes('.') || only.startsWith('localhost')) {
      // A single component that looks like a host is a registry-only reference; library-go keeps
      // the whole parsed string (so `localhost:5000` is the registry, not name + tag 5000).
      ref.registry = only + (tagPart ? `:${tagPart}` : '') + (digestPart ? `@${digestPart}` : '');
      ref.tag = '';
      return ref;
    }
    ref.name = only;
    return ref;
  }
  let rest = parts;
  const first = parts[0];
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    ref.registry = first;
    rest = parts.slice(1);
  }
  if (rest.length === 1) {
    ref.name = rest[0];
  } else {
    ref.namespace = rest[0];
    ref.name = rest.slice(1).join('/');
  }
  return ref;
}

/** `name` + `@id` (digest) or `:id` (other ID) or `:tag` (DockerImageReferenceNameString). */
export function nameString(ref: DockerImageReference): string {
  if (!ref.name) return '';
  if (ref.id) return isDigest(ref.id) ? `${ref.name}@${ref.id}` : `${ref.name}:${ref.id}`;
  if (ref.tag) return `${ref.name}:${ref.tag}`;
  return ref.name;
}

/** The reference with only what was given (library-go Exact / DockerImageReferenceExact). */
export function exact(ref: DockerImageReference): string {
  let s = ref.registry ? `${ref.registry}/` : '';
  if (ref.namespace) s += `${ref.namespace}/`;
  const name = nameString(ref);
  // library-go Exact: a registry-only reference prints as `registry/`.
  if (!name) return ref.registry ? s : '';
  return s + name;
}

/** library-go Exact() keeps tag and digest together; used for pull specs as typed. */
export function exactWithTagAndDigest(ref: DockerImageReference): string {
  let s = ref.name;
  if (ref.namespace) s = `${ref.namespace}/${s}`;
  if (ref.registry) s = `${ref.registry}/${s}`;
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.id) s += `@${ref.id}`;
  return s;
}

/** Drops the tag when the ID is a digest (library-go MostSpecific). */
export function mostSpecific(ref: DockerImageReference): DockerImageReference {
  if (ref.id && isDigest(ref.id)) return { ...ref, tag: '' };
  return { ...ref };
}

/** The spec as typed with its tag replaced by `digest` (how a TagEvent's dockerImageReference is built). */
export function withDigest(ref: DockerImageReference, digest: string): string {
  return exact({ ...ref, tag: '', id: digest });
}

/** Repository part only: `[registry/][namespace/]name`. */
export function repositoryName(ref: DockerImageReference): string {
  return exact({ ...ref, tag: '', id: '' });
}

const dockerHubHosts = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** True when the registry is Docker Hub (or unset, which means Docker Hub). */
export function isDockerHub(registry: string): boolean {
  return registry === '' || dockerHubHosts.has(registry);
}

/** Where to send requests: registry host (Docker Hub → registry-1.docker.io), repository path, tag. */
export interface RegistryLocation {
  /** Host[:port] to connect to. */
  host: string;
  /** Repository path inside the registry (`library/nginx`). */
  repository: string;
  /** Tag or digest to request; defaults to `latest`. */
  reference: string;
}

/** Applies DockerClientDefaults + AsV2 at request time only, never to what is stored. */
export function registryLocation(ref: DockerImageReference): RegistryLocation {
  const hub = isDockerHub(ref.registry);
  const host = hub ? 'registry-1.docker.io' : ref.registry;
  const namespace = ref.namespace || (hub ? 'library' : '');
  const repository = namespace ? `${namespace}/${ref.name}` : ref.name;
  const reference = ref.id || ref.tag || 'latest';
  return { host, repository, reference };
}

function printable(s: string): string {
  return redactUserInfo(s).replace(
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

// `user:password@host/…` (or `token@host/…`, with or without a scheme): the part before an '@' that
// precedes the first '/' and is followed by a host. `name@sha256:…` has no '/' after its '@', and
// `host/repo@sha256:…` has its '@' after the first '/': neither matches.
const USERINFO = /(^|[\s"'(=<[])((?:[a-z][a-z0-9+.-]*:\/\/)?)([^\s"'@/<>()[\]]+)@(?=[^\s"'@/]+\/)/gi;

/** True when `spec` starts with credentials (`user:password@host/…`), which no pull spec may carry. */
export function hasUserInfo(spec: string): boolean {
  USERINFO.lastIndex = 0;
  const m = USERINFO.exec(spec);
  return m !== null && m.index === 0;
}

/** `text` with the credentials of every `user:password@host/…` in it replaced by `REDACTED`. */
export function redactUserInfo(text: string): string {
  return text.replace(USERINFO, (_m, before: string, scheme: string) => `${before}${scheme}REDACTED@`);
}
