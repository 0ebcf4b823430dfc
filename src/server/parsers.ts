/**
 * Pure parsers of webhook bodies, one per sender (Distribution notifications, Docker Hub,
 * Quay, Harbor and GitHub package events; samples in test/fixtures/webhooks/).
 * Each takes the JSON-decoded body and returns the pushes worth an import; a body that is not the
 * sender's format throws PayloadError (answered 400). Only pushes of a named tag count: blob
 * pushes, pulls, mounts, deletes and untagged children of a manifest list are ignored.
 */
import { PayloadError, type ParsedDelivery, type PushEvent, type Sender } from './events.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function requireObject(sender: Sender, v: unknown, what: string): Json {
  if (!isObject(v)) throw new PayloadError(sender, `${what} is missing or not an object`);
  return v;
}

/** Splits `host/path/name[:tag][@digest]` into host, repository and tag (Quay docker_url, Harbor resource_url, GHCR package_url). */
export function splitImageUrl(url: string): { host?: string; repository: string; tag?: string } {
  let rest = url.replace(/^[a-z]+:\/\//i, '');
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1) || undefined;
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const first = parts[0];
  // The first component is a registry host when it looks like one (library-go's rule: a dot, a port or localhost).
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { host: first, repository: parts.slice(1).join('/'), ...(tag ? { tag } : {}) };
  }
  return { repository: rest, ...(tag ? { tag } : {}) };
}

// Distribution only puts `tag` on a manifest PUT by tag; blobs use application/octet-stream.
const manifestTypes = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/** Parses a Distribution notification envelope (application/vnd.docker.distribution.events.v1+json). */
export function parseDistributionEvents(body: unknown): ParsedDelivery {
  const envelope = requireObject('distribution', body, 'the notification envelope');
  if (!Array.isArray(envelope.events)) throw new PayloadError('distribution', '"events" is missing or not a list');
  const events: PushEvent[] = [];
  let ignored = 0;
  for (const raw of envelope.events) {
    const e = requireObject('distribution', raw, 'an event');
    const target = requireObject('distribution', e.target, 'event "target"');
    const repository = str(target.repository);
    if (!repository) throw new PayloadError('distribution', 'event "target.repository" is missing');
    const tag = str(target.tag);
    const mediaType = str(target.mediaType);
    if (e.action !== 'push' || !tag || (mediaType !== undefined && !manifestTypes.has(mediaType))) {
      ignored++;
      continue;
    }
    const request = isObject(e.request) ? e.request : {};
    const host = str(request.host) ?? hostOfUrl(str(target.url));
    events.push(compact({ registryHost: host, repository, tag, digest: str(target.digest), id: str(e.id) }));
  }
  return { events, ignored };
}

/** Parses a Docker Hub repository webhook (push_data + repository.repo_name; no digest). */
export function parseDockerHubEvent(body: unknown): ParsedDelivery {
  const b = requireObject('dockerhub', body, 'the webhook body');
  const repo = requireObject('dockerhub', b.repository, '"repository"');
  const push = requireObject('dockerhub', b.push_data, '"push_data"');
  const name = str(repo.repo_name);
  if (!name) throw new PayloadError('dockerhub', '"repository.repo_name" is missing');
  const tag = str(push.tag);
  if (!tag) return { events: [], ignored: 1 };
  // Official images are named without a namespace on Hub; their registry path is library/NAME.
  const repository = name.includes('/') ? name : `library/${name}`;
  return { events: [{ registryHost: 'docker.io', repository, tag }], ignored: 0 };
}

/** Parses a Quay `repo_push` notification (docker_url + updated_tags, a list or an older tag→id map). */
export function parseQuayEvent(body: unknown): ParsedDelivery {
  const b = requireObject('quay', body, 'the notification body');
  const url = str(b.docker_url);
  const located = url ? splitImageUrl(url) : undefined;
  const repository = located?.repository ?? str(b.repository);
  if (!repository) throw new PayloadError('quay', '"docker_url" and "repository" are missing');
  const host = located?.host ?? (str(b.homepage) ? hostOfUrl(str(b.homepage)) : undefined);
  let tags: string[];
  if (Array.isArray(b.updated_tags))
    tags = b.updated_tags.filter((t): t is string => typeof t === 'string' && t.length > 0);
  else if (isObject(b.updated_tags)) tags = Object.keys(b.updated_tags);
  else throw new PayloadError('quay', '"updated_tags" is missing');
  return { events: tags.map((tag) => compact({ registryHost: host, repository, tag })), ignored: 0 };
}

/** Parses a Harbor webhook: Default format (`type: PUSH_ARTIFACT`) or CloudEvents (`harbor.artifact.pushed`). */
export function parseHarborEvent(body: unknown, headers: Record<string, string | undefined> = {}): ParsedDelivery {
  const b = requireObject('harbor', body, 'the webhook body');
  const type = str(b.type) ?? headers['ce-type'];
  let data: unknown = b.event_data;
  if (str(b.specversion)) data = b.data;
  else if (!str(b.type) && headers['ce-type']) data = b; // CloudEvents binary mode: the body is the data
  if (!type) throw new PayloadError('harbor', '"type" is missing');
  if (type !== 'PUSH_ARTIFACT' && type !== 'harbor.artifact.pushed') return { events: [], ignored: 1 };
  const d = requireObject('harbor', data, '"event_data"');
  const repo = requireObject('harbor', d.repository, '"event_data.repository"');
  const fullName = str(repo.repo_full_name) ?? joinName(str(repo.namespace), str(repo.name));
  if (!fullName) throw new PayloadError('harbor', '"repository.repo_full_name" is missing');
  if (!Array.isArray(d.resources)) throw new PayloadError('harbor', '"resources" is missing or not a list');
  const events: PushEvent[] = [];
  let ignored = 0;
  for (const r of d.resources) {
    const res = isObject(r) ? r : {};
    const tag = str(res.tag);
    if (!tag) {
      ignored++;
      continue;
    }
    const url = str(res.resource_url);
    events.push(
      compact({
        registryHost: url ? splitImageUrl(url).host : undefined,
        repository: fullName,
        tag,
        digest: str(res.digest),
      }),
    );
  }
  return { events, ignored };
}

/** Parses a GitHub `registry_package` (or `package`) event for a container image with a tag. */
export function parseGitHubEvent(body: unknown, event = 'registry_package'): ParsedDelivery {
  if (event === 'ping') return { events: [], ignored: 1 };
  if (event !== 'registry_package' && event !== 'package') return { events: [], ignored: 1 };
  const b = requireObject('github', body, 'the webhook body');
  const pkg = requireObject('github', b.registry_package ?? b.package, `"${event}"`);
  if (b.action !== 'published' && b.action !== 'updated') return { events: [], ignored: 1 };
  const kind = `${str(pkg.package_type) ?? ''} ${str(pkg.ecosystem) ?? ''}`.toLowerCase();
  if (!/container|docker/.test(kind)) return { events: [], ignored: 1 };
  const version = requireObject('github', pkg.package_version, '"package_version"');
  const meta = isObject(version.container_metadata) ? version.container_metadata : {};
  const tagInfo = isObject(meta.tag) ? meta.tag : {};
  const tag = str(tagInfo.name);
  // Multi-arch pushes also report untagged child manifests (tag.name ""): nothing to import.
  if (!tag) return { events: [], ignored: 1 };
  const url = str(version.package_url);
  const located = url ? splitImageUrl(url) : undefined;
  const owner = isObject(pkg.owner) ? str(pkg.owner.login) : undefined;
  const repository = (located?.repository ?? joinName(owner, str(pkg.name)))?.toLowerCase();
  if (!repository) throw new PayloadError('github', '"package_url" and the package owner/name are missing');
  return {
    events: [
      compact({
        registryHost: located?.host?.toLowerCase() ?? 'ghcr.io',
        repository,
        tag,
        digest: str(tagInfo.digest),
      }),
    ],
    ignored: 0,
  };
}

/** Parses a body for `sender`. */
export function parseDelivery(
  sender: Sender,
  body: unknown,
  headers: Record<string, string | undefined> = {},
): ParsedDelivery {
  switch (sender) {
    case 'distribution':
      return parseDistributionEvents(body);
    case 'dockerhub':
      return parseDockerHubEvent(body);
    case 'quay':
      return parseQuayEvent(body);
    case 'harbor':
      return parseHarborEvent(body, headers);
    case 'github':
      return parseGitHubEvent(body, headers['x-github-event'] ?? 'registry_package');
  }
}

function joinName(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return undefined;
  return a ? `${a}/${b}` : b;
}

function hostOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

function compact(e: { [K in keyof PushEvent]: PushEvent[K] | undefined }): PushEvent {
  const out: PushEvent = { repository: e.repository as string };
  if (e.registryHost) out.registryHost = e.registryHost;
  if (e.tag) out.tag = e.tag;
  if (e.digest) out.digest = e.digest;
  if (e.id) out.id = e.id;
  return out;
}
