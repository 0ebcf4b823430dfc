/**
 * `describe is|istag|isimage`: the objects to describe, found as kubectl describe finds them —
 * every object of the namespace without names, each name exactly, and for a single name that
 * does not exist every object whose name starts with it (DescribeMatchingResources).
 */
import { CommandError, type IsctlError, NotFoundError, type StateFileError } from '../domain/errors.js';
import { namedReadError } from '../domain/validation.js';
import type { ImageStream, ImageStreamImage, ImageStreamTag } from '../domain/types.js';
import type { Snapshot } from '../state/types.js';
import type { CoreContext } from './context.js';
import {
  getImageStreamImages,
  getImageStreamTags,
  getImageStreams,
  queryOf,
  type GetQuery,
  type GetResult,
  type ImageResource,
} from './get.js';
import { imageLoader, type ImageLoader } from './images.js';
import type { LabelSelector } from './selector.js';
import type { ImageProvenance } from '../registry/types.js';

/** Objects to describe; `prefixMatched` when they were found by name prefix. */
export interface DescribeResult<T> extends GetResult<T> {
  prefixMatched: boolean;
}

/** Streams to describe. */
export async function describeImageStreams(snapshot: Snapshot, q: GetQuery): Promise<DescribeResult<ImageStream>> {
  return withPrefixFallback(q, async (names) => getImageStreams(snapshot, { ...q, names }));
}

/** ImageStreamTags to describe; each must have its image metadata in the state folder. */
export async function describeImageStreamTags(
  snapshot: Snapshot,
  q: GetQuery,
  images: ImageLoader,
): Promise<DescribeResult<ImageStreamTag>> {
  const r = await withPrefixFallback(q, (names) => getImageStreamTags(snapshot, { ...q, names }, images));
  return requireMetadata(
    r,
    (ist) => `run 'isctl import-image ${ist.metadata.name}' to fetch the metadata of its current image`,
  );
}

/** ImageStreamImages to describe (names are required: the API cannot list them). */
export async function describeImageStreamImages(
  snapshot: Snapshot,
  q: GetQuery,
  images: ImageLoader,
): Promise<DescribeResult<ImageStreamImage>> {
  const r = await getImageStreamImages(snapshot, q, images);
  return requireMetadata(
    { ...r, prefixMatched: false },
    () => 'import the tag that holds this image again with isctl import-image',
  );
}

async function withPrefixFallback<T extends { metadata: { name: string } }>(
  q: GetQuery,
  get: (names: string[]) => Promise<GetResult<T>>,
): Promise<DescribeResult<T>> {
  const exact = await get(q.names);
  const single = q.names.length === 1 && exact.items.length === 0 && exact.errors.length === 1;
  if (!single || !(exact.errors[0] instanceof NotFoundError)) return { ...exact, prefixMatched: false };
  const all = await get([]);
  const matches = all.items.filter((o) => o.metadata.name.startsWith(q.names[0]));
  if (matches.length === 0) return { ...exact, prefixMatched: false };
  return { items: matches, errors: [], prefixMatched: true };
}

// describe needs the image metadata (config, layers) that only the stored blobs provide.
function requireMetadata<
  T extends { metadata: { name: string }; image: { metadata: { name: string }; dockerImageMetadata?: unknown } },
>(r: DescribeResult<T>, hint: (o: T) => string): DescribeResult<T> {
  const items: T[] = [];
  const errors = [...r.errors];
  for (const o of r.items) {
    if (o.image.dockerImageMetadata) {
      items.push(o);
      continue;
    }
    const message =
      `unable to read image metadata of ${o.metadata.name}: image ${o.image.metadata.name} is ` +
      `not in the state folder's image store (.isctl/blobs)`;
    errors.push(new CommandError(message, hint(o)));
  }
  return { ...r, items, errors };
}

/** What `describe` is asked for. */
export interface DescribeInput {
  resource: ImageResource;
  names: string[];
  allNamespaces?: boolean;
  selector?: LabelSelector;
}

/** What `describe` found, by resource, and the files of the folder that did not load. */
export type DescribeOutput = (
  | ({ resource: 'imagestreams' } & DescribeResult<ImageStream>)
  | ({ resource: 'imagestreamtags' } & DescribeResult<ImageStreamTag>)
  | ({ resource: 'imagestreamimages' } & DescribeResult<ImageStreamImage>)
) & {
  problems: readonly StateFileError[];
  /** Where the images shown came from and who signed them, by digest (when recorded). */
  provenance: Map<string, ImageProvenance>;
};

/** `describe is|istag|isimage [NAME…]` in the namespace of the context (or all of them). */
export async function describe(ctx: CoreContext, input: DescribeInput): Promise<DescribeOutput> {
  const snapshot = await ctx.store.read(ctx.namespace);
  const q = queryOf(ctx, input);
  const images = imageLoader(ctx.store.blobs);
  const problems = snapshot.problems;
  // Each name is read as kubectl's resource builder reads it (Info.Get).
  const named = <T extends { errors: IsctlError[] }>(r: T): T =>
    input.allNamespaces ? r : { ...r, errors: r.errors.map((e) => namedReadError(ctx.namespace, e)) };
  if (input.resource === 'imagestreams') {
    const r = named(await describeImageStreams(snapshot, q));
    const digests = r.items.flatMap((s) => (s.status?.tags ?? []).map((t) => t.items?.[0]?.image ?? ''));
    return { resource: input.resource, ...r, problems, provenance: await provenanceOf(ctx, digests) };
  }
  if (input.resource === 'imagestreamtags') {
    const r = named(await describeImageStreamTags(snapshot, q, images));
    const provenance = await provenanceOf(
      ctx,
      r.items.map((t) => t.image.metadata.name),
    );
    return { resource: input.resource, ...r, problems, provenance };
  }
  const r = named(await describeImageStreamImages(snapshot, q, images));
  const provenance = await provenanceOf(
    ctx,
    r.items.map((i) => i.image.metadata.name),
  );
  return { resource: input.resource, ...r, problems, provenance };
}

async function provenanceOf(ctx: CoreContext, digests: string[]): Promise<Map<string, ImageProvenance>> {
  const out = new Map<string, ImageProvenance>();
  if (!ctx.provenance) return out;
  for (const d of new Set(digests.filter(Boolean))) {
    const p = await ctx.provenance.get(d);
    if (p) out.set(d, p);
  }
  return out;
}
