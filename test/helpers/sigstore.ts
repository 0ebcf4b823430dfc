/**
 * Sigstore signatures made exactly as cosign makes them with a key (`cosign sign --key`), in Node:
 * - the payload is sigstore/cosign pkg/cosign/payload (payload.go `Cosign.MarshalJSON`, Go's
 *   encoding/json of SimpleContainerImage): `{"critical":{"identity":{"docker-reference":REPO},
 *   "image":{"docker-manifest-digest":DIGEST},"type":"cosign container image signature"},
 *   "optional":null}`, where REPO is the repository without tag (`Image.Repository.Name()`);
 * - the signature is ECDSA P-256 over SHA-256 of the payload bytes, ASN.1 DER, base64 in the
 *   layer annotation `dev.cosignproject.cosign/signature` (sigstore/sigstore pkg/signature/ecdsa.go);
 * - the attachment is an OCI image manifest at tag `sha256-<hex>.sig` whose layers are the
 *   payloads, media type `application/vnd.dev.cosign.simplesigning.v1+json` (cosign
 *   pkg/oci/static and pkg/cosign/remote; containers/image docker/docker_image_src.go reads the same).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const COSIGN_PAYLOAD_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

/** An ECDSA P-256 key pair as `cosign generate-key-pair` makes (the public half as PEM). */
export function cosignKeyPair(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

/** The payload cosign signs for `repository@digest`. */
export function cosignPayload(repository: string, digest: string, optional: Record<string, unknown> | null = null) {
  const doc = {
    critical: {
      identity: { 'docker-reference': repository },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional,
  };
  return Buffer.from(JSON.stringify(doc));
}

/** base64 of the DER ECDSA signature over the payload bytes. */
export function cosignSign(privateKey: KeyObject, payload: Buffer): string {
  return sign('sha256', payload, privateKey).toString('base64');
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The `.sig` tag of a manifest digest (cosign's `ociremote.SignatureTag`). */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** A signature layer: payload bytes and the signature annotation. */
export interface SignatureLayer {
  payload: Buffer;
  signature: string;
}

/** The OCI manifest and blobs of a `.sig` attachment holding `layers`. */
export function signatureManifest(layers: SignatureLayer[]): {
  manifest: Buffer;
  blobs: { digest: string; bytes: Buffer; mediaType: string }[];
} {
  const config = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l.payload)) },
      config: {},
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha256(config) },
      layers: layers.map((l) => ({
        mediaType: COSIGN_PAYLOAD_TYPE,
        size: l.payload.length,
        digest: sha256(l.payload),
        annotations: { [COSIGN_SIGNATURE_ANNOTATION]: l.signature },
      })),
    }),
  );
  return {
    manifest,
    blobs: [
      { digest: sha256(config), bytes: config, mediaType: 'application/vnd.oci.image.config.v1+json' },
      ...layers.map((l) => ({ digest: sha256(l.payload), bytes: l.payload, mediaType: COSIGN_PAYLOAD_TYPE })),
    ],
  };
}
