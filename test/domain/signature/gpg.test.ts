/**
 * GPG simple signing verification over signatures made by the real tools
 * (test/fixtures/signatures/make.sh: gpg keys, `skopeo standalone-sign`, `gpg --sign`): the
 * `signedBy` rules of containers/image signature/policy_eval_signedby.go
 * `isSignatureAuthorAccepted` and signature/simple.go `verifyAndExtractSignature`, the key
 * handling of signature/mechanism_openpgp.go (binary or armored keyrings, the primary key's
 * fingerprint as the signer identity) and mechanism_gpgme.go `Verify` (exactly one signature).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type GpgSignedByRequirement,
  type GpgSignedImage as SignedImage,
  loadGpgKeyring,
  verifyGpgSignature,
  verifySimpleSigning,
} from '../../../src/domain/signature/gpg.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/signatures');
const F = JSON.parse(fs.readFileSync(path.join(DIR, 'fixtures.json'), 'utf8')) as {
  reference: string;
  digest: string;
  otherDigest: string;
  fingerprints: { A: string; B: string; C: string; Csubkey: string };
};
const file = (name: string) => new Uint8Array(fs.readFileSync(path.join(DIR, name)));
const readFile = async (p: string) => file(p);
const signer = (fpr: string, ref = F.reference) => `GPG key ${fpr} (identity ${ref})`;
const image: SignedImage = { digest: F.digest, reference: F.reference };
// After every fixture was made; none of their keys expires.
const later = () => new Date('2030-01-01T00:00:00Z');
const deps = { readFile, now: later };
/** A signedBy requirement as policy.ts parses it: signedIdentity defaults to matchRepoDigestOrExact. */
const signedBy = (keys: Partial<GpgSignedByRequirement>): GpgSignedByRequirement => ({
  type: 'signedBy',
  keyType: 'GPGKeys',
  signedIdentity: { type: 'matchRepoDigestOrExact' },
  ...keys,
});
const byKey = (keyPath: string) => signedBy({ keyPath });

describe('signedBy with GPG keys', () => {
  it('accepts a skopeo signature by the policy key, naming the primary key fingerprint', async () => {
    expect(await verifySimpleSigning(file('sigA'), byKey('keyA.gpg'), image, deps)).toEqual({
      ok: true,
      signer: signer(F.fingerprints.A),
    });
    expect(await verifySimpleSigning(file('sigB'), byKey('keyB.asc'), image, deps)).toEqual({
      ok: true,
      signer: signer(F.fingerprints.B),
    });
  });

  it('reads keyPath binary or armored, keyPaths and keyData alike', async () => {
    const armored = await verifySimpleSigning(file('sigA'), byKey('keyA.asc'), image, deps);
    expect(armored).toEqual({ ok: true, signer: signer(F.fingerprints.A) });
    const paths = signedBy({ keyPaths: ['keyB.asc', 'keyA.gpg'] });
    expect(await verifySimpleSigning(file('sigA'), paths, image, deps)).toEqual({
      ok: true,
      signer: signer(F.fingerprints.A),
    });
    expect(await verifySimpleSigning(file('sigB'), paths, image, deps)).toEqual({
      ok: true,
      signer: signer(F.fingerprints.B),
    });
    const data = signedBy({ keyData: Buffer.from(file('keyA.asc')).toString('base64') });
    expect(await verifySimpleSigning(file('sigA'), data, image, deps)).toEqual({
      ok: true,
      signer: signer(F.fingerprints.A),
    });
  });

  it('a signature made by a signing subkey is accepted as its primary key (mechanism_gpgme.go keyIdentityForVerificationKeyIdentity)', async () => {
    expect(await verifySimpleSigning(file('sigC'), byKey('keyC.gpg'), image, deps)).toEqual({
      ok: true,
      signer: signer(F.fingerprints.C),
    });
  });

  it('rejects a signature by a key that is not in the policy keyring', async () => {
    const r = await verifySimpleSigning(file('sigB'), byKey('keyA.gpg'), image, deps);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/^signature by key [0-9A-F]{16} is not accepted: not in the policy's keyring$/);
    expect(!r.ok && r.reason).toContain(F.fingerprints.B.slice(-16));
  });

  it('rejects a signature for another digest, another identity, another payload type', async () => {
    expect(await verifySimpleSigning(file('sigA-other-digest'), byKey('keyA.gpg'), image, deps)).toEqual({
      ok: false,
      reason: `Signature for digest ${F.otherDigest} does not match`,
    });
    expect(await verifySimpleSigning(file('sigA-other-repo'), byKey('keyA.gpg'), image, deps)).toEqual({
      ok: false,
      reason: 'Signature for identity "registry.example/team/other:1.0" is not accepted',
    });
    expect(await verifySimpleSigning(file('sigA-wrong-type'), byKey('keyA.gpg'), image, deps)).toEqual({
      ok: false,
      reason: 'invalid signature payload: Unrecognized signature type cosign container image signature',
    });
    expect(await verifySimpleSigning(file('sigA-duplicate-key'), byKey('keyA.gpg'), image, deps)).toEqual({
      ok: false,
      reason: 'invalid signature payload: Duplicate key "type"',
    });
  });

  it('the same signature is accepted for the image it names and rejected for another image', async () => {
    const other = { ...image, digest: F.otherDigest };
    expect((await verifySimpleSigning(file('sigA-other-digest'), byKey('keyA.gpg'), other, deps)).ok).toBe(true);
    expect((await verifySimpleSigning(file('sigA'), byKey('keyA.gpg'), other, deps)).ok).toBe(false);
  });

  it('rejects a payload changed after signing', async () => {
    const sig = file('sigA-uncompressed');
    expect((await verifySimpleSigning(sig, byKey('keyA.gpg'), image, deps)).ok).toBe(true);
    const at = Buffer.from(sig).indexOf('atomic container signature');
    expect(at).toBeGreaterThan(0);
    const tampered = new Uint8Array(sig);
    tampered[at] ^= 0x20; // "Atomic container signature"
    const r = await verifySimpleSigning(tampered, byKey('keyA.gpg'), image, deps);
    expect(r).toEqual({ ok: false, reason: 'invalid GPG signature: Signed digest did not match' });
  });

  it('rejects two signatures in one message, a clear-signed text, a detached signature and garbage', async () => {
    const both = signedBy({ keyPaths: ['keyA.gpg', 'keyB.asc'] });
    expect(await verifySimpleSigning(file('sigAB'), both, image, deps)).toEqual({
      ok: false,
      reason: 'invalid GPG signature: unexpected GPG signature count 2',
    });
    for (const name of ['sigA-clearsigned', 'sigA-detached', 'manifest.json']) {
      const r = await verifySimpleSigning(file(name), byKey('keyA.gpg'), image, deps);
      expect(r.ok, name).toBe(false);
      expect(!r.ok && r.reason, name).toMatch(/^invalid GPG signature: /);
    }
  });

  it('an expired signature is rejected after its expiry only', async () => {
    const sig = file('sigA-expires-2026-01-02');
    const at = (iso: string) => ({ ...deps, now: () => new Date(iso) });
    expect((await verifySimpleSigning(sig, byKey('keyA.gpg'), image, at('2026-01-01T12:00:00Z'))).ok).toBe(true);
    const r = await verifySimpleSigning(sig, byKey('keyA.gpg'), image, at('2026-01-03T00:00:00Z'));
    expect(r.ok).toBe(false);
    expect(r).toEqual({ ok: false, reason: 'invalid GPG signature: Signature is expired' });
  });

  it('a signature dated after the verification time is not accepted', async () => {
    const r = await verifySimpleSigning(file('sigA'), byKey('keyA.gpg'), image, {
      ...deps,
      now: () => new Date('2025-06-01T00:00:00Z'),
    });
    expect(r).toEqual({ ok: false, reason: 'invalid GPG signature: Signature creation time is in the future' });
  });

  it('the keyring: one source exactly, keyType GPGKeys only, readable, not empty', async () => {
    const load = (req: Partial<GpgSignedByRequirement>) => loadGpgKeyring(signedBy(req), readFile);
    expect(await load({})).toEqual({
      ok: false,
      reason: 'exactly one of "keyPath", "keyPaths" and "keyData" must be specified',
    });
    expect((await load({ keyPath: 'keyA.gpg', keyData: 'AA==' })).ok).toBe(false);
    expect(await load({ keyType: 'X509Certificates', keyPath: 'keyA.gpg' })).toEqual({
      ok: false,
      reason: 'Unimplemented "keyType" value "X509Certificates"',
    });
    const missing = await load({ keyPath: 'no-such-key.gpg' });
    expect(!missing.ok && missing.reason).toMatch(/^cannot read the signedBy key: ENOENT/);
    const notKeys = await load({ keyPath: 'manifest.json' });
    expect(!notKeys.ok && notKeys.reason).toMatch(/^cannot read the OpenPGP keys in manifest.json: /);
    expect(await load({ keyPaths: [] })).toEqual({ ok: false, reason: 'No public keys imported' });
    expect(await load({ keyData: 'not base64!' })).toEqual({ ok: false, reason: 'keyData is not base64' });
    const ok = await load({ keyPaths: ['keyA.gpg', 'keyC.gpg'] });
    expect(ok.ok && ok.keyring.identities).toEqual([F.fingerprints.A, F.fingerprints.C]);
  });

  it("the signed identity is checked with the requirement's signedIdentity (policy_reference_match.go)", async () => {
    const other = file('sigA-other-repo'); // signed for registry.example/team/other:1.0
    const withIdentity = (signedIdentity: GpgSignedByRequirement['signedIdentity']) =>
      verifySimpleSigning(other, signedBy({ keyPath: 'keyA.gpg', signedIdentity }), image, deps);
    expect((await withIdentity({ type: 'matchRepoDigestOrExact' })).ok).toBe(false);
    expect((await withIdentity({ type: 'matchRepository' })).ok).toBe(false);
    expect(await withIdentity({ type: 'exactReference', dockerReference: 'registry.example/team/other:1.0' })).toEqual({
      ok: true,
      signer: signer(F.fingerprints.A, 'registry.example/team/other:1.0'),
    });
    expect(
      await withIdentity({
        type: 'remapIdentity',
        prefix: 'registry.example/team/app',
        signedPrefix: 'registry.example/team/other',
      }),
    ).toEqual({ ok: true, signer: signer(F.fingerprints.A, 'registry.example/team/other:1.0') });
    // By digest, matchRepoDigestOrExact asks only for the repository.
    const byDigest = { digest: F.digest, reference: `registry.example/team/app@${F.digest}` };
    expect(await verifySimpleSigning(file('sigA'), byKey('keyA.gpg'), byDigest, deps)).toEqual({
      ok: true,
      signer: signer(F.fingerprints.A),
    });
    expect(
      (
        await verifySimpleSigning(
          file('sigA'),
          byKey('keyA.gpg'),
          { ...image, reference: 'registry.example/team/app:2.0' },
          deps,
        )
      ).ok,
    ).toBe(false);
    const loaded = await loadGpgKeyring(byKey('keyA.gpg'), readFile);
    if (!loaded.ok) throw new Error(loaded.reason);
    const r = await verifyGpgSignature(file('sigA'), loaded.keyring, { type: 'matchExact' }, image, { now: later });
    expect(r.ok && r.payload.dockerReference).toBe(F.reference);
  });
});
