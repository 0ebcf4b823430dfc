/**
 * Image objects for `describe istag|isimage` and `get istag|isimage`, rebuilt offline from the
 * manifests and configs kept by digest in the state folder's blob store (image
 * metadata is content-addressed, so every stream that names a digest shares it).
 */
import { imageFromManifest, parseManifest } from '../domain/image.js';
import type { Image } from '../domain/types.js';
import type { BlobStore } from '../state/types.js';

/** Finds the Image for a digest (undefined when its blobs are not stored). */
export type ImageLoader = (
  digest: string,
  dockerImageReference?: string,
  created?: string,
) => Promise<Image | undefined>;

/**
 * Builds the Image for `digest` from stored blobs: an image manifest with its config, or a
 * preserved manifest list whose children (and their platforms) come from the index itself.
 * `created` becomes the Image's creationTimestamp (when it was first recorded in a stream).
 */
export async function loadImage(
  blobs: BlobStore,
  digest: string,
  dockerImageReference?: string,
  created?: string,
): Promise<Image | undefined> {
  const manifest = await blobs.get(digest);
  if (!manifest) return undefined;
  const parsed = parseManifest(manifest);
  let config: Buffer | undefined;
  if (parsed.kind === 'image') {
    config = await blobs.get(parsed.config.digest);
    if (!config) return undefined;
  }
  const image = imageFromManifest({
    digest,
    manifest,
    ...(config ? { config } : {}),
    ...(dockerImageReference ? { dockerImageReference } : {}),
    ...(created ? { created } : {}),
  });
  if (created) image.metadata.creationTimestamp = created;
  return image;
}

/** An ImageLoader over a blob store that builds each digest once per command. */
export function imageLoader(blobs: BlobStore): ImageLoader {
  const cache = new Map<string, Promise<Image | undefined>>();
  return (digest, ref, created) => {
    const key = `${digest}\u0000${ref ?? ''}\u0000${created ?? ''}`;
    let p = cache.get(key);
    if (!p) {
      p = loadImage(blobs, digest, ref, created);
      cache.set(key, p);
    }
    return p.then((img) => (img ? structuredClone(img) : undefined));
  };
}
