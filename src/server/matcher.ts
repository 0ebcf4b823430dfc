/**
 * Maps a push event to the stream tags whose source is that repository and tag. Repositories are
 * compared the way a registry sees them: Docker Hub names are normalised (`nginx` ==
 * `docker.io/library/nginx`, library-go DockerClientDefaults) and the registry host must agree
 * when the sender names one. Streams that import a whole repository match a push of any tag of
 * it: those with `spec.dockerImageRepository` (OpenShift's repository import) and those shaped
 * like `import-image --all` left them (two or more tags, all from that repository, each named
 * after its source tag).
 */
import { readPullSpec } from '../domain/pullspec.js';
import { isDockerHub, registryLocation } from '../domain/reference.js';
import type { ImageStream } from '../domain/types.js';
import { ANNOTATION_POLICY } from '../domain/policy/annotations.js';
import type { PushEvent } from './events.js';

/** A stream as the matcher needs it: where it lives and its spec. */
export interface StreamView {
  namespace: string;
  name: string;
  stream: ImageStream;
}

/** A repository in canonical form: registry host (docker.io for Hub) and path (library/ added). */
export interface CanonicalRepository {
  host: string;
  path: string;
}

/** The canonical `namespace/stream:tag` key used to select tags for an import. */
export function tagKey(namespace: string, stream: string, tag: string): string {
  return `${namespace}/${stream}:${tag}`;
}

/** Canonical host: Docker Hub aliases become docker.io; other hosts are lower-cased. */
export function canonicalHost(host: string): string {
  return isDockerHub(host.toLowerCase()) ? 'docker.io' : host.toLowerCase();
}

/** Canonical repository and tag of a DockerImage pull spec, or undefined when it does not parse. */
export function canonicalSource(spec: string): (CanonicalRepository & { tag: string; digest: string }) | undefined {
  const source = readPullSpec(spec);
  if (source.transport !== 'docker' || !source.ref.name) return undefined;
  const ref = source.ref;
  const loc = registryLocation({ ...ref, tag: '', id: '' });
  return {
    host: canonicalHost(ref.registry),
    path: loc.repository,
    tag: ref.tag || (ref.id ? '' : 'latest'),
    digest: ref.id,
  };
}

/** Canonical repository of a push event (Docker Hub official images get library/). */
export function canonicalEventRepository(event: PushEvent): { host?: string; path: string } {
  const host = event.registryHost ? canonicalHost(event.registryHost) : undefined;
  let path = event.repository.replace(/^\/+|\/+$/g, '');
  if (host === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return host ? { host, path } : { path };
}

function sameRepository(a: { host?: string; path: string }, b: CanonicalRepository): boolean {
  return a.path === b.path && (a.host === undefined || a.host === b.host);
}

/** True when the stream imports the whole repository `repo` (see the file comment). */
function importsWholeRepository(stream: ImageStream, repo: { host?: string; path: string }): boolean {
  const spec = stream.spec ?? {};
  const whole = spec.dockerImageRepository ? canonicalSource(spec.dockerImageRepository) : undefined;
  if (whole && sameRepository(repo, whole)) return true;
  const sources = (spec.tags ?? [])
    .filter((t) => t.from?.kind === 'DockerImage')
    .map((t) => ({ name: t.name, src: canonicalSource(t.from!.name) }));
  return (
    sources.length >= 2 &&
    sources.every((t) => t.src !== undefined && !t.src.digest && sameRepository(repo, t.src) && t.src.tag === t.name)
  );
}

/** The stream tags one push event selects (keys from `tagKey`). */
export function matchPushEvent(event: PushEvent, streams: readonly StreamView[]): string[] {
  const repo = canonicalEventRepository(event);
  const keys: string[] = [];
  for (const view of streams) {
    const wholeRepo = importsWholeRepository(view.stream, repo);
    // The pushed tag's own key too, so a refresh that adds new tags of a repository import selects it.
    if (wholeRepo && event.tag) keys.push(tagKey(view.namespace, view.name, event.tag));
    for (const t of view.stream.spec?.tags ?? []) {
      if (t.from?.kind !== 'DockerImage' || t.reference) continue;
      const src = canonicalSource(t.from.name);
      // A digest-pinned source cannot change: a push never re-imports it.
      if (!src || src.digest || !sameRepository(repo, src)) continue;
      // A policy tag may move to the pushed tag: any push to its repository re-evaluates it.
      const followsPolicy = typeof t.annotations?.[ANNOTATION_POLICY] === 'string';
      if (wholeRepo || followsPolicy || event.tag === undefined || src.tag === event.tag)
        keys.push(tagKey(view.namespace, view.name, t.name));
    }
  }
  return [...new Set(keys)];
}

/** The union of the stream tags selected by several events. */
export function matchPushEvents(events: readonly PushEvent[], streams: readonly StreamView[]): Set<string> {
  const all = new Set<string>();
  for (const e of events) for (const k of matchPushEvent(e, streams)) all.add(k);
  return all;
}

/** The key the import queue coalesces a push event under: canonical host, repository and tag. */
export function eventKey(event: PushEvent): string {
  const repo = canonicalEventRepository(event);
  return `${repo.host ?? '*'}/${repo.path}:${event.tag ?? '*'}`;
}
