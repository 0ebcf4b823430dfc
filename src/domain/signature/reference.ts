/**
 * Docker references as containers/image compares them in signature policies: the normalised
 * names of distribution/reference `ParseNormalizedNamed` (docker.io/library/busybox:latest), and
 * the `signedIdentity` matchers of containers/image signature/policy_reference_match.go.
 */

/** A parsed, normalised reference: `name` is `domain/path`; tag and digest as written. */
export interface NamedReference {
  name: string;
  tag?: string;
  digest?: string;
}

const alnum = '[a-z0-9]+';
// `[-]+` instead of distribution's `[-]*`: the same names, without exponential backtracking.
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?`;
const nameRe = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const referenceRe = new RegExp(
  `^(${nameRe})(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);
const identifierRe = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

/** distribution/reference splitDockerDomain: the first component is a host when it looks like one. */
function splitDockerDomain(s: string): { domain: string; remainder: string } {
  const i = s.indexOf('/');
  let d: string;
  let remainder: string;
  const first = i === -1 ? '' : s.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    d = 'docker.io';
    remainder = s;
  } else {
    d = first;
    remainder = s.slice(i + 1);
  }
  if (d === 'index.docker.io') d = 'docker.io';
  if (d === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain: d, remainder };
}

/**
 * distribution/reference ParseNormalizedNamed: `busybox` → `docker.io/library/busybox`; throws
 * an Error saying what is wrong for anything that is not a valid reference.
 */
export function parseNormalizedNamed(s: string): NamedReference {
  if (identifierRe.test(s))
    throw new Error(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  const { domain: d, remainder } = splitDockerDomain(s);
  const nameEnd = remainder.search(/[:@]/);
  const repoPath = nameEnd === -1 ? remainder : remainder.slice(0, nameEnd);
  if (repoPath.toLowerCase() !== repoPath)
    throw new Error(`invalid reference format: repository name (${repoPath}) must be lowercase`);
  const full = `${d}/${remainder}`;
  const m = referenceRe.exec(full);
  if (!m || s === '') throw new Error(`invalid reference format: ${JSON.stringify(s)}`);
  if (m[1].length > NAME_TOTAL_LENGTH_MAX)
    throw new Error(
      `invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  const ref: NamedReference = { name: m[1] };
  if (m[2]) ref.tag = m[2];
  if (m[3]) ref.digest = m[3];
  return ref;
}

/** reference.Named.String(): name, `:tag`, `@digest`. */
export function referenceString(r: NamedReference): string {
  return `${r.name}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** reference.IsNameOnly. */
export function isNameOnly(r: NamedReference): boolean {
  return !r.tag && !r.digest;
}

/** `signedIdentity` of a signature requirement (containers-policy.json(5)). */
export type SignedIdentity =
  | { type: 'matchExact' }
  | { type: 'matchRepoDigestOrExact' }
  | { type: 'matchRepository' }
  | { type: 'exactReference'; dockerReference: string }
  | { type: 'exactRepository'; dockerRepository: string }
  | { type: 'remapIdentity'; prefix: string; signedPrefix: string };

function parseOrUndefined(s: string): NamedReference | undefined {
  try {
    return parseNormalizedNamed(s);
  } catch {
    return undefined;
  }
}

/** matchRepoDigestOrExactReferenceValues (policy_reference_match.go). */
function repoDigestOrExact(intended: NamedReference, signature: NamedReference): boolean {
  if (isNameOnly(signature)) return false;
  if (intended.tag) return referenceString(signature) === referenceString(intended);
  if (intended.digest) return signature.name === intended.name;
  return false;
}

/** prmRemapIdentity.refMatchesPrefix: the whole name, or the prefix followed by `/`. */
function refMatchesPrefix(name: string, prefix: string): boolean {
  if (name.length < prefix.length) return false;
  if (name.length === prefix.length) return name === prefix;
  return name.startsWith(prefix) && name[prefix.length] === '/';
}

/**
 * Whether a signature claiming `signedReference` is acceptable for the image the user named
 * (`intended`, normalised, with its tag or digest) under `identity`
 * (policy_reference_match.go matchesDockerReference of each PolicyReferenceMatch).
 */
export function matchesSignedIdentity(identity: SignedIdentity, intended: string, signedReference: string): boolean {
  const signature = parseOrUndefined(signedReference);
  if (!signature) return false;
  switch (identity.type) {
    case 'matchExact': {
      const image = parseOrUndefined(intended);
      if (!image || isNameOnly(image) || isNameOnly(signature)) return false;
      return referenceString(signature) === referenceString(image);
    }
    case 'matchRepoDigestOrExact': {
      const image = parseOrUndefined(intended);
      return image ? repoDigestOrExact(image, signature) : false;
    }
    case 'matchRepository': {
      const image = parseOrUndefined(intended);
      return image ? signature.name === image.name : false;
    }
    case 'exactReference': {
      const want = parseOrUndefined(identity.dockerReference);
      if (!want || isNameOnly(want) || isNameOnly(signature)) return false;
      return referenceString(signature) === referenceString(want);
    }
    case 'exactRepository': {
      const want = parseOrUndefined(identity.dockerRepository);
      return want ? signature.name === want.name : false;
    }
    case 'remapIdentity': {
      const image = parseOrUndefined(intended);
      if (!image) return false;
      let remapped = image;
      if (refMatchesPrefix(image.name, identity.prefix)) {
        // strings.Replace(ref.String(), prefix, signedPrefix, 1), then reference.ParseNamed.
        const rewritten = referenceString(image).replace(identity.prefix, identity.signedPrefix);
        const parsed = parseOrUndefined(rewritten);
        if (!parsed || referenceString(parsed) !== rewritten) return false;
        remapped = parsed;
      }
      return repoDigestOrExact(remapped, signature);
    }
  }
}

/**
 * docker/policyconfiguration/naming.go DockerReferenceIdentity and DockerReferenceNamespaces:
 * the scopes a reference is looked up under, most specific first — the reference itself, its
 * repository, each parent namespace, the host, then `*.example.com` wildcards of the host
 * (without its port).
 */
export function policyScopes(r: NamedReference): string[] {
  return [referenceString(r), ...referenceNamespaces(r.name)];
}

/**
 * naming.go DockerReferenceNamespaces of a repository name: the repository, each parent
 * namespace, the host, then the `*.example.com` wildcards of the host (without its port).
 */
export function referenceNamespaces(repository: string): string[] {
  const scopes: string[] = [];
  let name = repository;
  for (;;) {
    scopes.push(name);
    const slash = name.lastIndexOf('/');
    if (slash === -1) break;
    name = name.slice(0, slash);
  }
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  for (;;) {
    const dot = name.indexOf('.');
    if (dot === -1) break;
    name = name.slice(dot + 1);
    scopes.push(`*.${name}`);
  }
  return scopes;
}
