/**
 * `get is|istag|isimage`: the objects the API server would return, built from a Snapshot.
 * Streams are decorated as on every GET (status.dockerImageRepository, strategy.go Decorate);
 * ImageStreamTags and ImageStreamImages are synthesised as imagestreamtag/rest.go and
 * imagestreamimage/rest.go do. Errors use the server's wording.
 */
import { CommandError, IsctlError, NotFoundError, ServerError, type StateFileError } from '../domain/errors.js';
import {
  digestOrImageMatch,
  findSpecTag,
  findStatusTag,
  firstRecorded,
  parseImageStreamImageName,
  parseImageStreamTagName,
  resolveReferenceForTagEvent,
  statusDockerImageRepository,
} from '../domain/imagestream.js';
import { namedReadError } from '../domain/validation.js';
import type { Image, ImageStream, ImageStreamImage, ImageStreamTag } from '../domain/types.js';
import type { Snapshot, StoredObject } from '../state/types.js';
import type { CoreContext } from './context.js';
import { imageLoader, type ImageLoader } from './images.js';
import { streamViews } from './listing-views.js';
import type { LabelSelector } from './selector.js';

/** The three resources of the image API isctl serves. */
export type ImageResource = 'imagestreams' | 'imagestreamtags' | 'imagestreamimages';

const ALIASES: Record<string, ImageResource> = {
  is: 'imagestreams',
  imagestream: 'imagestreams',
  imagestreams: 'imagestreams',
  istag: 'imagestreamtags',
  imagestreamtag: 'imagestreamtags',
  imagestreamtags: 'imagestreamtags',
  isimage: 'imagestreamimages',
  imagestreamimage: 'imagestreamimages',
  imagestreamimages: 'imagestreamimages',
};

/** API resource names as errors print them. */
export const RESOURCE_NAMES: Record<ImageResource, string> = {
  imagestreams: 'imagestreams.image.openshift.io',
  imagestreamtags: 'imagestreamtags.image.openshift.io',
  imagestreamimages: 'imagestreamimages.image.openshift.io',
};

/** imagestreamimage/rest.go Get: `errors.NewNotFound(imagev1.Resource("imagestreamimage"), id)`, singular. */
const IMAGE_NOT_FOUND_RESOURCE = 'imagestreamimage.image.openshift.io';

/** Maps `is`, `istag`, `imagestreamtags.image.openshift.io`, … to a resource; CommandError otherwise. */
export function resolveResource(arg: string): ImageResource {
  const key = arg
    .toLowerCase()
    .replace(/\.image\.openshift\.io$/, '')
    .replace(/\.image$/, '');
  const r = ALIASES[key];
  if (!r)
    throw new CommandError(
      `the server doesn't have a resource type "${arg}"`,
      'isctl knows the resource types is (imagestreams), istag (imagestreamtags) and isimage (imagestreamimages)',
    );
  return r;
}

/** What to get: a namespace (undefined = all namespaces) and optional names. */
export interface GetQuery {
  namespace?: string;
  names: string[];
  /** Internal registry host for status.dockerImageRepository ('' = none configured). */
  internalRegistry: string;
  /** `-l`: only streams (and their tags) whose labels match; applies to listings. */
  selector?: LabelSelector;
  /**
   * A listing needs only what a table or `-o name` prints: streams are the listing views of
   * ./listing-views.ts, not whole objects.
   */
  listing?: boolean;
}

function listStreams(snapshot: Snapshot, q: GetQuery): StoredObject<ImageStream>[] {
  const all = snapshot.list<ImageStream>('ImageStream', q.namespace);
  const selector = q.selector;
  return selector ? all.filter((o) => selector((o.original ?? o.object).metadata?.labels)) : all;
}

/** Found objects in order, and one error per name that was not found. */
export interface GetResult<T> {
  items: T[];
  errors: IsctlError[];
}

/**
 * The stream as a GET returns it: namespace set, status.dockerImageRepository as strategy.go
 * Decorate computes it — unless the file holds one (a stream exported from a cluster carries that
 * cluster's registry, which isctl's default host would only guess).
 */
export function decorateImageStream(stored: StoredObject<ImageStream>, internalRegistry: string): ImageStream {
  return decorated((stored.original ?? stored.object) as ImageStream, stored.namespace, internalRegistry);
}

/** `decorateImageStream` of a stream (or its listing view) whose effective namespace is `namespace`. */
function decorated(src: ImageStream, namespace: string, internalRegistry: string): ImageStream {
  // A shallow copy is enough: the loaded objects are frozen and printers only read (a deep clone of
  // every stream was 13 % of `get is -A` on 10,000 streams, bench/README.md).
  const s = { ...src } as ImageStream;
  s.metadata = { ...src.metadata, namespace };
  const repo =
    s.status?.dockerImageRepository ||
    statusDockerImageRepository(namespace, s.metadata.name, internalRegistry, s.spec);
  if (repo || s.status) s.status = { ...(s.status ?? {}), dockerImageRepository: repo };
  return s;
}

/** `get is [NAME…]`. */
export function getImageStreams(snapshot: Snapshot, q: GetQuery): GetResult<ImageStream> {
  const result: GetResult<ImageStream> = { items: [], errors: [] };
  if (q.names.length === 0 && q.listing) {
    // The listing views (./listing-views.ts): an unchanged file is not even parsed.
    const selector = q.selector;
    for (const v of snapshot.listViews('ImageStream', q.namespace)) {
      const listing = streamViews(v.view).listing;
      if (!selector || selector(listing.metadata?.labels))
        result.items.push(decorated(listing, v.namespace, q.internalRegistry));
    }
    return result;
  }
  if (q.names.length === 0) {
    result.items = listStreams(snapshot, q).map((o) => decorateImageStream(o, q.internalRegistry));
    return result;
  }
  for (const name of q.names) {
    const found = findStream(snapshot, q.namespace, name);
    if (found) result.items.push(decorateImageStream(found, q.internalRegistry));
    else result.errors.push(new NotFoundError(RESOURCE_NAMES.imagestreams, name));
  }
  return result;
}

function findStream(
  snapshot: Snapshot,
  namespace: string | undefined,
  name: string,
): StoredObject<ImageStream> | undefined {
  if (namespace !== undefined) return snapshot.find<ImageStream>('ImageStream', namespace, name);
  return snapshot.list<ImageStream>('ImageStream').find((o) => o.name === name);
}

/** `get istag [STREAM:TAG…]`: one ImageStreamTag per status tag whose items[0] has an image. */
export async function getImageStreamTags(
  snapshot: Snapshot,
  q: GetQuery,
  images: ImageLoader,
): Promise<GetResult<ImageStreamTag>> {
  const result: GetResult<ImageStreamTag> = { items: [], errors: [] };
  if (q.names.length === 0) {
    for (const stored of listStreams(snapshot, q)) {
      const stream = decorateImageStream(stored, q.internalRegistry);
      const tags = [...new Set((stream.status?.tags ?? []).map((t) => t.tag))].sort();
      for (const tag of tags) {
        const ist = await imageStreamTag(stream, tag, images);
        if (ist) result.items.push(ist);
      }
    }
    return result;
  }
  for (const name of q.names) {
    try {
      result.items.push(await getOneImageStreamTag(snapshot, q, name, images));
    } catch (e) {
      if (!(e instanceof IsctlError)) throw e;
      result.errors.push(e);
    }
  }
  return result;
}

/** One ImageStreamTag by `stream:tag`; throws the server's NotFound/BadRequest errors. */
export async function getOneImageStreamTag(
  snapshot: Snapshot,
  q: GetQuery,
  name: string,
  images: ImageLoader,
): Promise<ImageStreamTag> {
  let parsed: { name: string; tag: string };
  try {
    parsed = parseImageStreamTagName(name);
  } catch {
    throw new ServerError('BadRequest', 'ImageStreamTags must be retrieved with <name>:<tag>');
  }
  const stored = findStream(snapshot, q.namespace, parsed.name);
  if (!stored) throw new NotFoundError(RESOURCE_NAMES.imagestreams, parsed.name);
  const ist = await imageStreamTag(decorateImageStream(stored, q.internalRegistry), parsed.tag, images);
  if (!ist) throw new NotFoundError(RESOURCE_NAMES.imagestreamtags, name);
  return ist;
}

// imagestreamtag/rest.go newISTag: metadata from the stream and the event, image with the
// spec-tag annotations merged and the reference policy applied.
async function imageStreamTag(
  stream: ImageStream,
  tag: string,
  images: ImageLoader,
): Promise<ImageStreamTag | undefined> {
  const status = findStatusTag(stream, tag);
  const event = status?.items?.[0];
  if (!event?.image) return undefined;
  const specTag = findSpecTag(stream, tag);
  const resolved = resolveReferenceForTagEvent(stream, tag, event);
  const image =
    (await images(event.image, event.dockerImageReference, firstRecorded(stream, event.image)?.created)) ??
    bareImage(event.image);
  image.dockerImageReference = resolved;
  const annotations = { ...(specTag?.annotations ?? {}) };
  if (Object.keys(annotations).length > 0)
    image.metadata.annotations = { ...(image.metadata.annotations ?? {}), ...annotations };
  const meta = stream.metadata;
  const ist: ImageStreamTag = {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamTag',
    metadata: {
      name: `${meta.name}:${tag}`,
      namespace: meta.namespace,
      creationTimestamp: event.created,
      annotations,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
      ...(meta.uid ? { uid: meta.uid } : {}),
    },
    tag: specTag ? structuredClone(specTag) : null,
    generation: event.generation,
    lookupPolicy: { local: stream.spec?.lookupPolicy?.local === true },
    image,
  };
  if (status?.conditions && status.conditions.length > 0) ist.conditions = structuredClone(status.conditions);
  return ist;
}

/** The Image of an event whose blobs are not in the state folder: its name and, when known, its pull spec. */
export function bareImage(digest: string, dockerImageReference?: string): Image {
  const image: Image = { apiVersion: 'image.openshift.io/v1', kind: 'Image', metadata: { name: digest } };
  if (dockerImageReference) image.dockerImageReference = dockerImageReference;
  return image;
}

/** `get isimage STREAM@DIGEST…` (no listing: the API has none). */
export async function getImageStreamImages(
  snapshot: Snapshot,
  q: GetQuery,
  images: ImageLoader,
): Promise<GetResult<ImageStreamImage>> {
  if (q.names.length === 0) {
    throw new ServerError(
      'MethodNotAllowed',
      // imagestreamimage/rest.go has no List: the API server's 405, word for word and nothing more.
      'the server does not allow this method on the requested resource',
    );
  }
  const result: GetResult<ImageStreamImage> = { items: [], errors: [] };
  for (const name of q.names) {
    try {
      result.items.push(await getOneImageStreamImage(snapshot, q, name, images));
    } catch (e) {
      if (!(e instanceof IsctlError)) throw e;
      result.errors.push(e);
    }
  }
  return result;
}

/** One ImageStreamImage by `stream@digest-or-prefix` (imagestreamimage/rest.go Get). */
export async function getOneImageStreamImage(
  snapshot: Snapshot,
  q: GetQuery,
  name: string,
  images: ImageLoader,
): Promise<ImageStreamImage> {
  let parsed: { name: string; id: string };
  try {
    parsed = parseImageStreamImageName(name);
  } catch {
    throw new ServerError('BadRequest', 'ImageStreamImages must be retrieved with <name>@<id>');
  }
  const stored = findStream(snapshot, q.namespace, parsed.name);
  if (!stored) throw new NotFoundError(RESOURCE_NAMES.imagestreams, parsed.name);
  const stream = decorateImageStream(stored, q.internalRegistry);
  const digest = await matchImage(stream, parsed.id, images);
  const first = firstRecorded(stream, digest.owner);
  const image =
    (await images(digest.digest, first?.dockerImageReference, first?.created)) ??
    bareImage(digest.digest, first?.dockerImageReference);
  if (digest.digest !== digest.owner && first)
    image.dockerImageReference = childReference(first.dockerImageReference, digest.digest);
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamImage',
    metadata: { name, namespace: stream.metadata.namespace, ...(first ? { creationTimestamp: first.created } : {}) },
    image,
  };
}

// The stream's images plus the children of preserved manifest lists (the "layers index").
async function matchImage(
  stream: ImageStream,
  id: string,
  images: ImageLoader,
): Promise<{ digest: string; owner: string }> {
  const seen = new Map<string, string>();
  for (const t of stream.status?.tags ?? [])
    for (const item of t.items ?? []) if (item.image) seen.set(item.image, item.image);
  for (const owner of [...seen.keys()]) {
    const img = await images(owner);
    for (const m of img?.dockerImageManifests ?? []) if (!seen.has(m.digest)) seen.set(m.digest, owner);
  }
  const hits = [...seen.entries()].filter(([d]) => digestOrImageMatch(d, id));
  if (hits.length === 0) throw new NotFoundError(IMAGE_NOT_FOUND_RESOURCE, `${stream.metadata.name}@${id}`);
  if (hits.length > 1) {
    throw new ServerError(
      'Conflict',
      `multiple images match the prefix "${id}": ${hits.map(([d]) => d).join(', ')}`,
      'give more characters of the digest',
    );
  }
  return { digest: hits[0][0], owner: hits[0][1] };
}

function childReference(parentRef: string, child: string): string {
  const at = parentRef.lastIndexOf('@');
  return at > 0 ? `${parentRef.slice(0, at)}@${child}` : parentRef;
}

/** What `get` is asked for. */
export interface GetInput {
  resource: ImageResource;
  names: string[];
  /** `-A`: every namespace (names are then refused by the command). */
  allNamespaces?: boolean;
  /** `-l`. */
  selector?: LabelSelector;
  /**
   * Whether the Images behind tags are built from the stored blobs (json/yaml/jsonpath show
   * them; an istag table or `-o name` needs only digests, which keeps large folders fast).
   */
  withImages: boolean;
  /** Only a table or `-o name` is printed: a listing of streams may use their listing views. */
  listing?: boolean;
}

/** What `get` found, by resource, and the files of the folder that did not load. */
export type GetOutput = (
  | ({ resource: 'imagestreams' } & GetResult<ImageStream>)
  | ({ resource: 'imagestreamtags' } & GetResult<ImageStreamTag>)
  | ({ resource: 'imagestreamimages' } & GetResult<ImageStreamImage>)
) & { problems: readonly StateFileError[] };

/** `get is|istag|isimage [NAME…]` in the namespace of the context (or all of them). */
export async function get(ctx: CoreContext, input: GetInput): Promise<GetOutput> {
  const listing = Boolean(input.listing) && input.resource === 'imagestreams' && input.names.length === 0;
  const snapshot = await ctx.store.read(ctx.namespace, { views: listing });
  const q = { ...queryOf(ctx, input), ...(listing ? { listing: true } : {}) };
  const images: ImageLoader = input.withImages ? imageLoader(ctx.store.blobs) : async () => undefined;
  const problems = snapshot.problems;
  const out: GetOutput =
    input.resource === 'imagestreams'
      ? { resource: input.resource, ...getImageStreams(snapshot, q), problems }
      : input.resource === 'imagestreamtags'
        ? { resource: input.resource, ...(await getImageStreamTags(snapshot, q, images)), problems }
        : { resource: input.resource, ...(await getImageStreamImages(snapshot, q, images)), problems };
  // Each name is read as kubectl's resource builder reads it (Info.Get).
  if (!input.allNamespaces) out.errors = out.errors.map((e) => namedReadError(ctx.namespace, e));
  return out;
}

/** The query of a read command in the context: its namespace unless `-A`, the cluster's internal registry. */
export function queryOf(
  ctx: CoreContext,
  input: { names: string[]; allNamespaces?: boolean; selector?: LabelSelector },
): GetQuery {
  return {
    ...(input.allNamespaces ? {} : { namespace: ctx.namespace }),
    names: input.names,
    internalRegistry: ctx.settings.internalRegistry,
    ...(input.selector ? { selector: input.selector } : {}),
  };
}
