/**
 * Reading sigstore attachments (containers/image docker/docker_image_src.go
 * appendSignaturesFromSigstoreAttachments): the `sha256-<hex>.sig` tag, one signature per layer,
 * payloads digest-checked, no tag = no signatures, bounded; and only where registries.d says
 * `use-sigstore-attachments: true` (GetSignaturesWithFormat `if src.c.useSigstoreAttachments`,
 * docker/registries_d.go `useSigstoreAttachments`).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/domain/errors.js';
import {
  MAX_SIGSTORE_SIGNATURES,
  readSigstoreAttachments,
  sigstoreAttachmentTag,
  type AttachmentReads,
} from '../../src/registry/sigstore-attachments.js';
import { createLookasideSource, type LookasideImage } from '../../src/registry/lookaside.js';
import { COSIGN_SIGNATURE_ANNOTATION, signatureManifest, signatureTag, tempDir } from '../helpers/index.js';

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

describe('use-sigstore-attachments decides whether attachments are read', () => {
  const image: LookasideImage = { host: 'reg.example', repository: 'team/app', tag: '1', digest: D };
  const source = (env: Record<string, string>, registriesD?: string) =>
    createLookasideSource({
      send: async () => {
        throw new Error('no request is made');
      },
      tlsFor: () => ({ rejectUnauthorized: true }),
      env,
      ...(registriesD ? { registriesD } : {}),
    });
  const folder = (text: string) => {
    const dir = path.join(tempDir('sig-att'), 'registries.d');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'a.yaml'), text);
    return dir;
  };

  it('read when the repository scope, a namespace or default-docker says true', async () => {
    for (const text of [
      'default-docker:\n  use-sigstore-attachments: true\n',
      'docker:\n  reg.example/team:\n    use-sigstore-attachments: true\n',
      'docker:\n  reg.example/team/app:1:\n    use-sigstore-attachments: true\n',
    ])
      expect(await source({ HOME: tempDir('home') }, folder(text)).sigstoreAttachmentsOff(image), text).toBeUndefined();
  });

  it('not read by default: the reason names use-sigstore-attachments and where isctl looked', async () => {
    const home = tempDir('home');
    // No registries.d at all (default folders): upstream reads no attachment either.
    const none = await source({ HOME: home }).sigstoreAttachmentsOff(image);
    if (!existsSync('/etc/containers/registries.d'))
      expect(none).toBe(
        'sigstore attachments of reg.example/team/app are not read: set use-sigstore-attachments: true for it ' +
          '(or for default-docker) in registries.d; no registries.d folder was found (neither ' +
          `${path.join(home, '.config/containers/registries.d')} nor /etc/containers/registries.d exists; --registries-d DIR names one)`,
      );
    const silent = folder('docker:\n  reg.example:\n    lookaside: file:///srv/sigs\n');
    expect(await source({ HOME: home }, silent).sigstoreAttachmentsOff(image)).toMatch(
      new RegExp(`; the registries.d folder ${silent} does not set it for reg.example/team/app$`),
    );
    // The most specific scope that sets it wins (registries_d.go useSigstoreAttachments).
    const no = folder(
      'default-docker:\n  use-sigstore-attachments: true\ndocker:\n  reg.example/team:\n    use-sigstore-attachments: false\n',
    );
    expect(await source({ HOME: home }, no).sigstoreAttachmentsOff(image)).toMatch(
      new RegExp(`; ${path.join(no, 'a.yaml')} sets use-sigstore-attachments: false for reg.example/team$`),
    );
  });
});
