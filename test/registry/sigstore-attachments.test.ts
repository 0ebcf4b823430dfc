/**
 * Reading sigstore attachments (containers/image docker/docker_image_src.go
 * appendSignaturesFromSigstoreAttachments): the `sha256-<hex>.sig` tag, one signature per layer,
 * payloads digest-checked, no tag = no signatures, bounded.
 */
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/domain/errors.js';
import {
  MAX_SIGSTORE_SIGNATURES,
  readSigstoreAttachments,
  sigstoreAttachmentTag,
  type AttachmentReads,
} from '../../src/registry/sigstore-attachments.js';
import { COSIGN_SIGNATURE_ANNOTATION, signatureManifest, signatureTag } from '../helpers/index.js';

const D = `sha256:${'a'.repeat(64)}`;
const OCI = 'application/vnd.oci.image.manifest.v1+json';

function reads(
  manifest: Buffer | undefined,
  blobs: Map<string, Buffer>,
  mediaType = OCI,
): AttachmentReads & { tags: string[] } {
  const tags: string[] = [];
  return {
    name: 'reg.example/app',
    tags,
    async manifest(tag) {
      tags.push(tag);
      if (!manifest) throw new RegistryError('manifest unknown', { reason: 'NotFound', status: 404 });
      return { bytes: manifest, mediaType };
    },
    async blob(digest) {
      const b = blobs.get(digest);
      if (!b) throw new RegistryError('blob unknown', { reason: 'NotFound', status: 404 });
      return b;
    },
  };
}

describe('sigstore attachments', () => {
  it("use cosign's tag name", () => {
    expect(sigstoreAttachmentTag(D)).toBe(`sha256-${'a'.repeat(64)}.sig`);
    expect(sigstoreAttachmentTag(D)).toBe(signatureTag(D));
  });

  it('no .sig tag: no signatures', async () => {
    const r = reads(undefined, new Map());
    expect(await readSigstoreAttachments(r, D)).toEqual([]);
    expect(r.tags).toEqual([sigstoreAttachmentTag(D)]);
  });

  it('each layer is one signature: media type, payload and annotations', async () => {
    const layers = [
      { payload: Buffer.from('{"p":1}'), signature: 'c2ln' },
      { payload: Buffer.from('{"p":2}'), signature: 'c2lnMg==' },
    ];
    const { manifest, blobs } = signatureManifest(layers);
    const sigs = await readSigstoreAttachments(reads(manifest, new Map(blobs.map((b) => [b.digest, b.bytes]))), D);
    expect(sigs.map((s) => Buffer.from(s.payload).toString())).toEqual(['{"p":1}', '{"p":2}']);
    expect(sigs[1].annotations[COSIGN_SIGNATURE_ANNOTATION]).toBe('c2lnMg==');
    expect(sigs[0].mimeType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
  });

  it('a payload that does not match its digest is refused', async () => {
    const { manifest, blobs } = signatureManifest([{ payload: Buffer.from('{"p":1}'), signature: 'c2ln' }]);
    const tampered = new Map(blobs.map((b) => [b.digest, Buffer.from('{"p":9}')]));
    await expect(readSigstoreAttachments(reads(manifest, tampered), D)).rejects.toThrow(/does not match the digest/);
  });

  it('refuses what is not an OCI image manifest, and more layers than the bound', async () => {
    const { manifest } = signatureManifest([]);
    await expect(
      readSigstoreAttachments(reads(manifest, new Map(), 'application/vnd.oci.image.index.v1+json'), D),
    ).rejects.toThrow(/is not an OCI image manifest/);
    const many = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI,
        layers: Array.from({ length: MAX_SIGSTORE_SIGNATURES + 1 }, () => ({ digest: D, size: 1, mediaType: 'x' })),
      }),
    );
    await expect(readSigstoreAttachments(reads(many, new Map()), D)).rejects.toThrow(/more than 128/);
  });

  it('other registry errors are not "no signatures"', async () => {
    const r = reads(undefined, new Map());
    r.manifest = async () => {
      throw new RegistryError('unauthorized', { reason: 'Unauthorized', status: 401 });
    };
    await expect(readSigstoreAttachments(r, D)).rejects.toThrow('unauthorized');
  });
});
