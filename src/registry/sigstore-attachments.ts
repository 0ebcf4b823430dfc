/**
 * Sigstore attachments of an image, read as containers/image docker/docker_image_src.go
 * `appendSignaturesFromSigstoreAttachments` reads them: the OCI image manifest at tag
 * `sha256-<hex>.sig` of the repository the image came from (cosign's `.sig` tag), each layer one
 * signature: its media type, its payload blob (digest-verified) and its annotations. No such tag
 * means no signatures. Bounded: at most 128 layers, each payload at most 4 MiB.
 */
import { IntegrityError, RegistryError } from '../domain/errors.js';
import { verifyDigest } from '../domain/image.js';
import { isDigest } from '../domain/reference.js';
import type { SigstoreSignature } from '../domain/signature/policy.js';
import type { FetchedManifest } from './client.js';

/** At most this many signatures are read for one image. */
export const MAX_SIGSTORE_SIGNATURES = 128;
/** The largest signature payload read (iolimits MaxSignatureBodySize). */
export const MAX_SIGSTORE_PAYLOAD = 4 * 1024 * 1024;

/** The reads the attachments need, on the repository the image came from. */
export interface AttachmentReads {
  /** GET a manifest by tag (a NotFound RegistryError when there is none). */
  manifest(tag: string): Promise<FetchedManifest>;
  /** GET a blob of at most `cap` bytes. */
  blob(digest: string, cap: number): Promise<Buffer>;
  /** `host/repository`, for messages. */
  name: string;
}

/** cosign's signature tag for a manifest digest (`sha256:HEX` → `sha256-HEX.sig`). */
export function sigstoreAttachmentTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** The sigstore signatures attached to `digest`, or none. */
export async function readSigstoreAttachments(reads: AttachmentReads, digest: string): Promise<SigstoreSignature[]> {
  const tag = sigstoreAttachmentTag(digest);
  let m: FetchedManifest;
  try {
    m = await reads.manifest(tag);
  } catch (e) {
    if (e instanceof RegistryError && e.reason === 'NotFound') return [];
    throw e;
  }
  const where = `${reads.name}:${tag}`;
  let doc: { mediaType?: unknown; layers?: unknown };
  try {
    doc = JSON.parse(m.bytes.toString('utf8')) as typeof doc;
  } catch {
    throw new IntegrityError(`the sigstore attachment ${where} is not a JSON manifest`);
  }
  const mediaType = m.mediaType || (typeof doc.mediaType === 'string' ? doc.mediaType : '');
  if (mediaType !== 'application/vnd.oci.image.manifest.v1+json')
    throw new IntegrityError(
      `the sigstore attachment ${where} is not an OCI image manifest (media type ${mediaType || 'none'})`,
    );
  const layers = Array.isArray(doc.layers) ? doc.layers : [];
  if (layers.length > MAX_SIGSTORE_SIGNATURES)
    throw new IntegrityError(
      `the sigstore attachment ${where} has ${layers.length} layers, more than ${MAX_SIGSTORE_SIGNATURES}`,
    );
  const out: SigstoreSignature[] = [];
  for (const [i, l] of layers.entries()) {
    const layer = l as { mediaType?: unknown; digest?: unknown; size?: unknown; annotations?: unknown };
    if (typeof layer.digest !== 'string' || !isDigest(layer.digest))
      throw new IntegrityError(`layer ${i} of the sigstore attachment ${where} has no valid digest`);
    if (typeof layer.size === 'number' && layer.size > MAX_SIGSTORE_PAYLOAD)
      throw new IntegrityError(
        `layer ${i} of the sigstore attachment ${where} is larger than ${MAX_SIGSTORE_PAYLOAD} bytes`,
      );
    const payload = await reads.blob(layer.digest, MAX_SIGSTORE_PAYLOAD);
    verifyDigest(payload, layer.digest, `signature payload of ${where}`);
    const annotations: Record<string, string> = {};
    if (layer.annotations && typeof layer.annotations === 'object')
      for (const [k, v] of Object.entries(layer.annotations as Record<string, unknown>))
        if (typeof v === 'string') annotations[k] = v;
    out.push({ mimeType: typeof layer.mediaType === 'string' ? layer.mediaType : '', payload, annotations });
  }
  return out;
}
