/**
 * A source of images as the user types it: a registry pull spec (library-go grammar) or an OCI
 * image layout on disk (`oci:PATH[:TAG]`, the transport name skopeo and podman use).
 *
 * A pull spec is read once into a value: `readPullSpec` (a flag, a field of a stored object)
 * returns a PullSpec, or an InvalidPullSpec that carries the error to report where OpenShift
 * reports it. Everything after works on the value (its transport, tag, digest); nothing
 * re-parses the text or looks at its prefix.
 */
import { InvalidReferenceError } from './errors.js';
import { parseDockerImageReference, exact, isTagName, withDigest, type DockerImageReference } from './reference.js';

/** A registry pull spec. */
export interface RegistrySpec {
  transport: 'docker';
  ref: DockerImageReference;
  /** Exactly what the user typed; stored unchanged in spec.tags[].from.name. */
  raw: string;
}

/** An OCI image layout directory, optionally with a tag (`org.opencontainers.image.ref.name`) or digest. */
export interface OciLayoutSpec {
  transport: 'oci';
  path: string;
  tag: string;
  digest: string;
  raw: string;
}

/** Any image source isctl can import from. */
export type PullSpec = RegistrySpec | OciLayoutSpec;

/** Text that is not a pull spec, with the error that says why (reported when it is used). */
export interface InvalidPullSpec {
  transport: 'invalid';
  raw: string;
  error: InvalidReferenceError;
}

// Each distinct text is parsed once per process; the values are frozen and shared.
const READ_CACHE_LIMIT = 20_000;
const readCache = new Map<string, PullSpec | InvalidPullSpec>();

/** Reads `raw` into a pull spec value, or an invalid one carrying its error; never throws. */
export function readPullSpec(raw: string): PullSpec | InvalidPullSpec {
  const hit = readCache.get(raw);
  if (hit) return hit;
  let value: PullSpec | InvalidPullSpec;
  try {
    value = parsePullSpec(raw);
    if (value.transport === 'docker') Object.freeze(value.ref);
  } catch (err) {
    if (!(err instanceof InvalidReferenceError)) throw err;
    value = { transport: 'invalid', raw, error: err };
  }
  Object.freeze(value);
  if (readCache.size >= READ_CACHE_LIMIT) readCache.clear();
  readCache.set(raw, value);
  return value;
}

/** The value of a spec tag's source (`from.name` of a DockerImage tag), read once; undefined for other kinds. */
export function tagSource(ref: {
  from?: { kind?: string; name?: string } | null;
}): PullSpec | InvalidPullSpec | undefined {
  if (ref.from?.kind !== 'DockerImage' || typeof ref.from.name !== 'string') return undefined;
  return readPullSpec(ref.from.name);
}

/** Throws the error of an invalid value; returns a valid one. */
export function validPullSpec(spec: PullSpec | InvalidPullSpec): PullSpec {
  if (spec.transport === 'invalid') throw spec.error;
  return spec;
}

/** Parses `oci:PATH[:TAG|@DIGEST]` or a registry pull spec; throws InvalidReferenceError (see readPullSpec). */
export function parsePullSpec(raw: string): PullSpec {
  if (raw.startsWith('oci:')) return parseOciSpec(raw);
  return { transport: 'docker', ref: parseDockerImageReference(raw), raw };
}

function parseOciSpec(raw: string): OciLayoutSpec {
  let rest = raw.slice('oci:'.length);
  let digest = '';
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > 0 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!rest)
    throw new InvalidReferenceError(
      raw,
      `invalid pull spec "${raw}": an OCI layout source needs a path, as in oci:./image:1.0`,
      undefined,
      'an OCI layout source needs a path, as in oci:./image:1.0',
    );
  if (tag && !isTagName(tag))
    throw new InvalidReferenceError(
      raw,
      `invalid pull spec "${raw}": invalid tag "${tag}"`,
      undefined,
      `invalid tag "${tag}"`,
    );
  if (digest && !/^sha(256|384|512):[a-f0-9]+$/.test(digest))
    throw new InvalidReferenceError(
      raw,
      `invalid pull spec "${raw}": invalid digest "${digest}"`,
      undefined,
      `invalid digest "${digest}"`,
    );
  return { transport: 'oci', path: rest, tag, digest, raw };
}

/** The pull spec with the tag replaced by `digest`, as OpenShift records in TagEvents. */
export function pullSpecWithDigest(spec: PullSpec, digest: string): string {
  if (spec.transport === 'oci') return `oci:${spec.path}@${digest}`;
  return withDigest(spec.ref, digest);
}

/** The pull spec of another tag of the same repository (for --all imports). */
export function pullSpecWithTag(spec: PullSpec, tag: string): string {
  if (spec.transport === 'oci') return `oci:${spec.path}:${tag}`;
  return exact({ ...spec.ref, tag, id: '' });
}

/** The tag a spec names, or '' (digest-only or tagless). */
export function pullSpecTag(spec: PullSpec): string {
  return spec.transport === 'oci' ? spec.tag : spec.ref.tag;
}

/** The digest a spec names, or ''. */
export function pullSpecDigest(spec: PullSpec): string {
  return spec.transport === 'oci' ? spec.digest : spec.ref.id;
}

/** The last path component: the default stream name for `import-image SPEC --confirm`. */
export function pullSpecRepositoryName(spec: PullSpec): string {
  if (spec.transport === 'docker') return spec.ref.name.split('/').pop() ?? spec.ref.name;
  const parts = spec.path.replace(/\/+$/, '').split('/');
  return parts[parts.length - 1] || 'image';
}
