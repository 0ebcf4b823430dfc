/**
 * Tag → image resolution shared by registries and OCI layouts: find the top digest, read the
 * manifest and config once per digest (content-addressed cache first), pick a platform of a list
 * for Legacy imports or keep the list for PreserveOriginal (openshift-apiserver importer.go
 * manifestFromManifestList / importSubManifests).
 */
import { IntegrityError, RegistryError } from '../domain/errors.js';
import {
  imageFromManifest,
  parseManifest,
  verifyDigest,
  digestOf,
  type Descriptor,
  type ParsedManifest,
} from '../domain/image.js';
import type { Image } from '../domain/types.js';
import type { ContentCache } from './content-cache.js';
import type { ResolveOptions, ResolvedImage } from './types.js';

/** Raw access to one repository (a registry repository or an OCI layout). */
export interface ContentSource {
  /** Human name for messages, e.g. `127.0.0.1:5000/app:1.0`. */
  describe(reference: string): string;
  /** The digest a tag points at, and the manifest bytes when they came with the answer. */
  lookupTag(tag: string): Promise<{ digest: string; mediaType?: string; bytes?: Buffer }>;
  /** The manifest bytes for a digest (not yet verified). */
  fetchManifest(digest: string): Promise<{ bytes: Buffer; mediaType?: string }>;
  /** A blob's bytes (not yet verified). */
  fetchBlob(digest: string): Promise<Buffer>;
  /** The pull spec recorded for `digest` (spec as typed, tag replaced by the digest). */
  referenceFor(digest: string): string;
}

/** Resolves `tag` or `digest` of a source to the ResolvedImage OpenShift would record. */
export async function resolveImage(
  src: ContentSource,
  cache: ContentCache,
  ref: { tag: string; digest: string },
  options: ResolveOptions,
  now: () => Date,
): Promise<ResolvedImage> {
  let topDigest = ref.digest;
  if (!topDigest) {
    const found = await src.lookupTag(ref.tag || 'latest');
    topDigest = found.digest;
    if (found.bytes && !(await cache.get(topDigest))) {
      verifyDigest(found.bytes, topDigest, 'manifest');
      await cache.put(topDigest, found.bytes);
    }
  }
  const top = await manifestBytes(src, cache, topDigest);
  const parsed = parseManifest(top.bytes, top.mediaType);
  if (parsed.kind === 'image') {
    const image = await singleImage(src, cache, topDigest, top, parsed);
    return {
      digest: topDigest,
      dockerImageReference: image.dockerImageReference ?? '',
      image,
      topDigest,
      topMediaType: parsed.mediaType,
    };
  }
  if (parsed.manifests.length === 0)
    throw new IntegrityError(`no manifests in manifest list ${src.describe(topDigest)}`);
  if (options.importMode === 'PreserveOriginal') {
    const created = now().toISOString();
    const image = imageFromManifest({
      digest: topDigest,
      manifest: top.bytes,
      mediaType: top.mediaType,
      dockerImageReference: src.referenceFor(topDigest),
      created,
    });
    // Every child is fetched; any failure fails the tag (importSubManifests).
    const manifests: Image[] = await Promise.all(parsed.manifests.map((d) => childImage(src, cache, d)));
    return {
      digest: topDigest,
      dockerImageReference: src.referenceFor(topDigest),
      image,
      manifests,
      topDigest,
      topMediaType: parsed.mediaType,
    };
  }
  // prefer-arch/prefer-os apply to by-tag imports only; by-digest imports pass "" (importer.go).
  const chosen = ref.digest
    ? pickPlatform(parsed.manifests)
    : pickPlatform(parsed.manifests, options.preferArch, options.preferOS);
  const image = await childImage(src, cache, chosen);
  return {
    digest: chosen.digest,
    dockerImageReference: src.referenceFor(chosen.digest),
    image,
    topDigest,
    topMediaType: parsed.mediaType,
  };
}

/**
 * Legacy platform choice (importer.go manifestFromManifestList): the preferred arch/os (defaulting
 * to amd64/linux, the control plane's), then the first linux/amd64, then the first entry; variant ignored.
 */
export function pickPlatform(manifests: Descriptor[], preferArch?: string, preferOS?: string): Descriptor {
  const arch = preferArch || 'amd64';
  const os = preferOS || 'linux';
  const match = (a: string, o: string) => manifests.find((d) => d.platform?.architecture === a && d.platform?.os === o);
  return match(arch, os) ?? match('amd64', 'linux') ?? manifests[0];
}

async function childImage(src: ContentSource, cache: ContentCache, d: Descriptor): Promise<Image> {
  const child = await manifestBytes(src, cache, d.digest);
  const parsed = parseManifest(child.bytes, child.mediaType || d.mediaType);
  if (parsed.kind !== 'image')
    throw new IntegrityError(
      `manifest list ${src.describe(d.digest)} contains another list; nested lists are not supported`,
    );
  return singleImage(src, cache, d.digest, child, parsed);
}

async function singleImage(
  src: ContentSource,
  cache: ContentCache,
  digest: string,
  m: { bytes: Buffer; mediaType?: string },
  parsed: Extract<ParsedManifest, { kind: 'image' }>,
): Promise<Image> {
  const config = await blobBytes(src, cache, parsed.config.digest);
  return imageFromManifest({
    digest,
    manifest: m.bytes,
    config,
    mediaType: m.mediaType,
    dockerImageReference: src.referenceFor(digest),
  });
}

function manifestBytes(
  src: ContentSource,
  cache: ContentCache,
  digest: string,
): Promise<{ bytes: Buffer; mediaType?: string }> {
  return cache.getOrFetch(digest, async () => {
    const fetched = await src.fetchManifest(digest);
    verifyManifest(fetched.bytes, digest, src);
    return fetched;
  });
}

async function blobBytes(src: ContentSource, cache: ContentCache, digest: string): Promise<Buffer> {
  const { bytes } = await cache.getOrFetch(digest, async () => {
    const b = await src.fetchBlob(digest);
    verifyDigest(b, digest, 'config blob');
    return { bytes: b };
  });
  return bytes;
}

function verifyManifest(bytes: Buffer, digest: string, src: ContentSource): void {
  try {
    verifyDigest(bytes, digest, 'manifest');
  } catch (e) {
    if (e instanceof RegistryError) throw new IntegrityError(`${e.message} (${src.describe(digest)})`);
    throw e;
  }
}

/** Digest of bytes that came without one (a registry that omits Docker-Content-Digest). */
export function computedDigest(bytes: Buffer): string {
  return digestOf(bytes);
}
