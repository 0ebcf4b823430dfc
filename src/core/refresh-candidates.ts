/**
 * Which tags of a stream a refresh re-imports (the tagImportable, scheduled and digest-pinned
 * rules of openshift-controller-manager pkg/image/controller/scheduled_image_controller.go), and
 * whether a stream has any: a stream with none is not even read by `refresh` when the object
 * index vouches for its file (./listing-views.ts keeps `mayRefresh` beside each stream).
 */
import { ANNOTATION_INSECURE_REPOSITORY, type ImageStream, type TagReference } from '../domain/types.js';
import { currentEvent } from '../domain/history.js';
import { type PullSpec, pullSpecDigest, readPullSpec, tagSource } from '../domain/pullspec.js';
import { repositoryName } from '../domain/reference.js';

/** Narrows a refresh: only scheduled tags, or only the tags `match` accepts. */
export interface CandidateFilter {
  /** Only tags with importPolicy.scheduled: true (what OpenShift's scheduler re-imports). */
  scheduledOnly?: boolean;
  /** Extra filter, e.g. from a webhook: only tags whose source matches. */
  match?: (tag: { namespace: string; stream: string; tag: string; from: string }) => boolean;
}

/** True when a refresh re-imports spec tag `ref` of `stream` (named `namespace`/`name`). */
export function isCandidate(
  stream: Readonly<ImageStream>,
  who: { namespace: string; name: string },
  ref: TagReference,
  filter: CandidateFilter,
): boolean {
  if (ref.from?.kind !== 'DockerImage' || ref.reference) return false;
  if (filter.scheduledOnly && !ref.importPolicy?.scheduled) return false;
  // An invalid source is still attempted so that its failure is recorded as a condition.
  const source = tagSource(ref);
  if (source && source.transport !== 'invalid' && pullSpecDigest(source) && tagImported(stream, ref)) return false;
  return (
    !filter.match || filter.match({ namespace: who.namespace, stream: who.name, tag: ref.name, from: ref.from.name })
  );
}

function tagImported(stream: Readonly<ImageStream>, ref: TagReference): boolean {
  // Digest-pinned sources are re-imported only until the first success (scheduled_image_controller.go).
  const ev = currentEvent(stream, ref.name);
  return Boolean(ev) && (ref.generation === null || ref.generation === undefined || ev!.generation >= ref.generation);
}

/**
 * False when no refresh, whatever it selects, would look at `stream`: no spec.dockerImageRepository
 * to list, and no spec tag that is a candidate without a filter (a filter only narrows).
 */
export function mayRefresh(stream: Readonly<ImageStream>): boolean {
  if (stream.spec?.dockerImageRepository) return true;
  const who = { namespace: '', name: stream.metadata?.name ?? '' };
  return (stream.spec?.tags ?? []).some((ref) => isCandidate(stream, who, ref, {}));
}

/** At most this many repositories per stream are named for connecting ahead (one per registry). */
const MAX_SOURCES = 4;

/**
 * The repositories (`registry/namespace/name`, one per registry) a refresh of `stream` would ask
 * over verified TLS: the sources of its candidate tags and its spec.dockerImageRepository, leaving
 * out insecure ones. `refresh` hands them to the registry client before it reads the streams, so
 * that the TLS handshakes overlap the parsing; a wrong guess only costs a connection.
 */
export function refreshSources(stream: Readonly<ImageStream>): string[] {
  if (stream.metadata?.annotations?.[ANNOTATION_INSECURE_REPOSITORY] === 'true') return [];
  const specs: PullSpec[] = [];
  const repo = stream.spec?.dockerImageRepository;
  if (typeof repo === 'string' && repo) {
    const spec = readPullSpec(repo);
    if (spec.transport === 'docker') specs.push(spec);
  }
  const who = { namespace: '', name: stream.metadata?.name ?? '' };
  for (const ref of stream.spec?.tags ?? []) {
    if (ref?.importPolicy?.insecure || !isCandidate(stream, who, ref, {})) continue;
    const spec = tagSource(ref);
    if (spec?.transport === 'docker') specs.push(spec);
  }
  const byRegistry = new Map<string, string>();
  for (const spec of specs) {
    if (spec.transport !== 'docker' || byRegistry.has(spec.ref.registry)) continue;
    byRegistry.set(spec.ref.registry, repositoryName(spec.ref));
    if (byRegistry.size >= MAX_SOURCES) break;
  }
  return [...byRegistry.values()];
}
