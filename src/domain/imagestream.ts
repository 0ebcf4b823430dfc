/**
 * Pure helpers over ImageStream wire objects, following openshift/library-go
 * pkg/image/imageutil/helpers.go and openshift-apiserver's imagestream strategy
 * (pkg/image/apiserver/registry/imagestream/strategy.go).
 */
import { InvalidReferenceError } from './errors.js';
import { parseDockerImageReference, exact, repositoryName } from './reference.js';
import {
  IMAGE_API_VERSION,
  type ImageStream,
  type NamedTagEventList,
  type TagEvent,
  type TagReference,
} from './types.js';
import { rfc3339 } from './time.js';

/** The tag an ImageStreamTag name without `:` means (library-go DefaultImageTag). */
export const DEFAULT_IMAGE_TAG = 'latest';

/** The `spec.tags[]` entry named `tag`, if any (the last one wins, as the API's map conversion). */
export function findSpecTag(stream: ImageStream, tag: string): TagReference | undefined {
  const tags = stream.spec?.tags ?? [];
  for (let i = tags.length - 1; i >= 0; i--) if (tags[i]?.name === tag) return tags[i];
  return undefined;
}

/** The `status.tags[]` entry named `tag`, if any. */
export function findStatusTag(stream: ImageStream, tag: string): NamedTagEventList | undefined {
  return (stream.status?.tags ?? []).find((t) => t?.tag === tag);
}

/** The current image of a tag: items[0] of its history (library-go LatestTaggedImage; '' means latest). */
export function latestTaggedImage(stream: ImageStream, tag: string): TagEvent | undefined {
  const history = findStatusTag(stream, tag || DEFAULT_IMAGE_TAG);
  const items = history?.items;
  return items && items.length > 0 ? items[0] : undefined;
}

/** The oldest history item of `image` in the stream: when the Image was first recorded there. */
export function firstRecorded(stream: ImageStream, image: string): TagEvent | undefined {
  let oldest: TagEvent | undefined;
  for (const t of stream.status?.tags ?? []) {
    for (const item of t.items ?? []) {
      if (item.image !== image) continue;
      if (!oldest || Date.parse(item.created) < Date.parse(oldest.created)) oldest = item;
    }
  }
  return oldest;
}

/**
 * The pull spec a consumer should use for `event` of `tag`, applying the tag's referencePolicy
 * (library-go resolveReferenceForTagEvent): Local → `<status.dockerImageRepository>@<image>`
 * when both are known, otherwise the event's own dockerImageReference (Source).
 */
export function resolveReferenceForTagEvent(stream: ImageStream, tag: string, event: TagEvent): string {
  const specTag = findSpecTag(stream, tag);
  if (specTag?.referencePolicy?.type !== 'Local') return event.dockerImageReference;
  const local = stream.status?.dockerImageRepository ?? '';
  if (!local || !event.image) return event.dockerImageReference;
  try {
    const ref = parseDockerImageReference(local);
    return exact({ ...ref, tag: '', id: event.image });
  } catch {
    // An unparsable repository falls back to the source reference, as library-go does.
    return event.dockerImageReference;
  }
}

/**
 * `status.dockerImageRepository` as the API server computes it on every read
 * (strategy.go dockerImageRepository): `<internalRegistry>/<namespace>/<name>`, or, with no
 * internal registry configured, `spec.dockerImageRepository` stripped of any tag or ID.
 */
export function statusDockerImageRepository(
  namespace: string,
  name: string,
  internalRegistry: string,
  spec?: { dockerImageRepository?: string },
): string {
  if (internalRegistry) return `${internalRegistry}/${namespace}/${name}`;
  const fallback = spec?.dockerImageRepository ?? '';
  if (!fallback) return '';
  try {
    return repositoryName(parseDockerImageReference(fallback));
  } catch {
    return fallback;
  }
}

/** Splits `name[:tag]` (library-go SplitImageStreamTag): a missing tag means `latest`; `ok` is false without `:`. */
export function splitImageStreamTag(nameAndTag: string): { name: string; tag: string; ok: boolean } {
  const i = nameAndTag.indexOf(':');
  if (i < 0) return { name: nameAndTag, tag: DEFAULT_IMAGE_TAG, ok: false };
  const tag = nameAndTag.slice(i + 1);
  return { name: nameAndTag.slice(0, i), tag: tag || DEFAULT_IMAGE_TAG, ok: true };
}

/** `name:tag`, with `latest` for an empty tag (library-go JoinImageStreamTag). */
export function joinImageStreamTag(name: string, tag: string): string {
  return `${name}:${tag || DEFAULT_IMAGE_TAG}`;
}

/** `name@id` (library-go JoinImageStreamImage). */
export function joinImageStreamImage(name: string, id: string): string {
  return `${name}@${id}`;
}

/** Parses an ImageStreamTag name `stream:tag` with library-go's checks and error texts; throws InvalidReferenceError. */
export function parseImageStreamTagName(istag: string): { name: string; tag: string } {
  if (istag.includes('@'))
    throw new InvalidReferenceError(istag, `${goQuote(istag)} is an image stream image, not an image stream tag`);
  const segments = istag.split(':');
  if (segments.length !== 2)
    throw new InvalidReferenceError(istag, `expected exactly one : delimiter in the istag ${goQuote(istag)}`);
  const [name, tag] = segments;
  if (!name || !tag)
    throw new InvalidReferenceError(istag, `image stream tag name ${goQuote(istag)} must have a name and a tag`);
  return { name, tag };
}

/** Parses an ImageStreamImage name `stream@digest` with library-go's checks and error texts; throws InvalidReferenceError. */
export function parseImageStreamImageName(input: string): { name: string; id: string } {
  const segments = input.split('@');
  if (segments.length !== 2)
    throw new InvalidReferenceError(input, `expected exactly one @ in the isimage name ${goQuote(input)}`);
  const [name, id] = segments;
  if (!name || !id)
    throw new InvalidReferenceError(input, `image stream image name ${goQuote(input)} must have a name and ID`);
  return { name, id };
}

/**
 * True when `image` (a full digest) is what `match` names: the full digest, or a prefix of its
 * hex part or of the whole string (library-go DigestOrImageMatch).
 */
export function digestOrImageMatch(image: string, match: string): boolean {
  if (!match) return false;
  const colon = image.indexOf(':');
  const hex = colon >= 0 ? image.slice(colon + 1) : image;
  return hex.startsWith(match) || image.startsWith(match);
}

/** Go's %q for the printable ASCII strings these names are: double quotes with `"` and `\` escaped. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Why followTagReference stopped without a terminating tag (library-go's Err*Reference values). */
export type TagReferenceProblem = 'circular' | 'not-found' | 'cross-stream' | 'invalid';

/**
 * Walks `ImageStreamTag` aliases inside one stream (library-go FollowTagReference): returns the
 * last tag seen, its spec tag when it terminates (from is absent or not an ImageStreamTag),
 * whether at least one alias was followed, and the problem when the walk failed.
 */
export function followTagReference(
  stream: ImageStream,
  tag: string,
): { finalTag: string; ref?: TagReference; multiple: boolean; problem?: TagReferenceProblem } {
  let multiple = false;
  const seen = new Set<string>();
  let current = tag;
  for (;;) {
    if (seen.has(current)) return { finalTag: current, multiple, problem: 'circular' };
    seen.add(current);
    const ref = firstSpecTag(stream, current);
    if (!ref) return { finalTag: current, multiple, problem: 'not-found' };
    if (ref.from?.kind !== 'ImageStreamTag') return { finalTag: current, ref, multiple };
    const ns = ref.from.namespace ?? '';
    if (ns && ns !== (stream.metadata.namespace ?? '')) return { finalTag: current, multiple, problem: 'cross-stream' };
    const fromName = ref.from.name ?? '';
    if (fromName.includes(':')) {
      const { name, tag: next, ok } = splitImageStreamTag(fromName);
      if (!ok) return { finalTag: current, multiple, problem: 'invalid' };
      if (name !== stream.metadata.name) return { finalTag: current, multiple, problem: 'cross-stream' };
      current = next;
    } else {
      current = fromName;
    }
    multiple = true;
  }
}

/** library-go SpecHasTag: the first spec tag with that name. */
function firstSpecTag(stream: ImageStream, tag: string): TagReference | undefined {
  return (stream.spec?.tags ?? []).find((t) => t?.name === tag);
}

/**
 * A new, empty ImageStream as the API server creates it, by `create imagestream` or by an
 * import or a tag into a stream that does not exist: creationTimestamp now
 * (rest.FillObjectMetaSystemFields), generation 1 and no tags (strategy.go PrepareForCreate).
 * With an internal registry, status.dockerImageRepository as PrepareForCreate sets it.
 */
export function newImageStream(
  name: string,
  namespace: string,
  options: { now: Date; lookupLocal?: boolean; internalRegistry?: string },
): ImageStream {
  const stream: ImageStream = {
    apiVersion: IMAGE_API_VERSION,
    kind: 'ImageStream',
    metadata: { name, namespace, creationTimestamp: rfc3339(options.now), generation: 1 },
    spec: { lookupPolicy: { local: options.lookupLocal === true } },
  };
  if (options.internalRegistry)
    stream.status = { dockerImageRepository: `${options.internalRegistry}/${namespace}/${name}` };
  return stream;
}
