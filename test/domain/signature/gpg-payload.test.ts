/**
 * The simple signing payload, read as containers/image signature/simple.go `strictUnmarshalJSON`
 * reads it (cases after signature/simple_test.go `TestUnmarshalJSON`), and its digest check
 * (policy_eval_signedby.go `validateSignedDockerManifestDigest`); the stored blob formats of
 * internal/signature/signature.go `FromBlob` (cases after signature_test.go `TestFromBlob`).
 */
import { describe, expect, it } from 'vitest';
import {
  checkSignedDigest,
  classifySignatureBlob,
  parseSimpleSigningPayload,
} from '../../../src/domain/signature/gpg-payload.js';

const D = `sha256:${'a'.repeat(64)}`;
const enc = (s: string) => new TextEncoder().encode(s);
const valid = {
  critical: {
    type: 'atomic container signature',
    image: { 'docker-manifest-digest': D },
    identity: { 'docker-reference': 'registry.example/team/app:1.0' },
  },
  optional: { creator: 'atomic 2.0.0', timestamp: 1_700_000_000 },
};
const parse = (v: unknown) => parseSimpleSigningPayload(enc(typeof v === 'string' ? v : JSON.stringify(v)));
const reason = (v: unknown) => {
  const r = parse(v);
  return r.ok ? 'accepted' : r.reason;
};

describe('simple signing payload (simple.go strictUnmarshalJSON)', () => {
  it('reads digest, reference, creator and timestamp', () => {
    expect(parse(valid)).toEqual({
      ok: true,
      payload: {
        manifestDigest: D,
        dockerReference: 'registry.example/team/app:1.0',
        creator: 'atomic 2.0.0',
        timestamp: 1_700_000_000,
      },
    });
  });

  it('accepts unknown optional keys and an empty optional object', () => {
    expect(parse({ ...valid, optional: { anything: [1, { a: 2 }] } }).ok).toBe(true);
    expect(parse({ ...valid, optional: {} }).ok).toBe(true);
  });

  it.each([
    ['not JSON', 'nope', /invalid JSON value/],
    ['an array', [], /JSON object expected, got an array/],
    ['critical missing', { optional: {} }, /Key "critical" missing/],
    ['optional missing', { critical: valid.critical }, /Key "optional" missing/],
    ['an unknown top-level key', { ...valid, extra: 1 }, /Unknown key "extra"/],
    ['an unknown critical key', { ...valid, critical: { ...valid.critical, extra: 1 } }, /Unknown key "extra"/],
    [
      'another type',
      { ...valid, critical: { ...valid.critical, type: 'cosign container image signature' } },
      /Unrecognized signature type cosign/,
    ],
    [
      'a type that is not a string',
      { ...valid, critical: { ...valid.critical, type: 1 } },
      /critical.type is not a string/,
    ],
    [
      'image not an object',
      { ...valid, critical: { ...valid.critical, image: 'x' } },
      /JSON object expected, got string/,
    ],
    [
      'an unknown image key',
      { ...valid, critical: { ...valid.critical, image: { 'docker-manifest-digest': D, size: 1 } } },
      /Unknown key "size"/,
    ],
    [
      'an invalid digest',
      { ...valid, critical: { ...valid.critical, image: { 'docker-manifest-digest': 'sha256:AB' } } },
      /invalid docker-manifest-digest value "sha256:AB"/,
    ],
    [
      'a reference that is not a string',
      { ...valid, critical: { ...valid.critical, identity: { 'docker-reference': null } } },
      /docker-reference is not a string \(got null\)/,
    ],
    ['a fractional timestamp', { ...valid, optional: { timestamp: 1.5 } }, /optional.timestamp is not an integer/],
    ['a creator that is not a string', { ...valid, optional: { creator: 7 } }, /optional.creator is not a string/],
    ['data after the object', `${JSON.stringify(valid)} {}`, /Unexpected data after JSON object/],
  ])('rejects %s', (_what, input, expected) => {
    expect(reason(input)).toMatch(expected);
  });

  it('rejects a repeated key, which JSON.parse would silently resolve to the last value', () => {
    const text = JSON.stringify(valid).replace(
      '"type":"atomic container signature"',
      '"type":"atomic container signature","type":"atomic container signature"',
    );
    expect(reason(text)).toMatch(/Duplicate key "type"/);
    const twoDigests = JSON.stringify(valid).replace(
      `"docker-manifest-digest":"${D}"`,
      `"docker-manifest-digest":"${D}","docker-manifest-digest":"sha256:${'b'.repeat(64)}"`,
    );
    expect(reason(twoDigests)).toMatch(/Duplicate key "docker-manifest-digest"/);
  });

  it('rejects bytes that are not UTF-8 and bounds nesting', () => {
    expect(parseSimpleSigningPayload(new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual({
      ok: false,
      reason: 'invalid signature payload: not UTF-8',
    });
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    const shallow = `${'['.repeat(60)}${']'.repeat(60)}`;
    expect(reason(`{"critical":${JSON.stringify(valid.critical)},"optional":{"d":${shallow}}}`)).toBe('accepted');
    expect(reason(`{"critical":${JSON.stringify(valid.critical)},"optional":{"d":${deep}}}`)).toMatch(
      /nested too deeply/,
    );
  });
});

describe('the signed digest (policy_eval_signedby.go validateSignedDockerManifestDigest)', () => {
  const payload = { manifestDigest: D, dockerReference: 'registry.example/team/app:1.0' };
  it('matches the image digest only', () => {
    expect(checkSignedDigest(payload, { digest: D })).toEqual({ ok: true });
    expect(checkSignedDigest(payload, { digest: `sha256:${'b'.repeat(64)}` })).toEqual({
      ok: false,
      reason: `Signature for digest ${D} does not match`,
    });
  });
  it('a digest in another algorithm is compared with the manifest hashed in it', () => {
    const d512 = `sha512:${'c'.repeat(128)}`;
    const p = { ...payload, manifestDigest: d512 };
    expect(checkSignedDigest(p, { digest: D, digestOf: (a) => (a === 'sha512' ? d512 : undefined) }).ok).toBe(true);
    expect(checkSignedDigest(p, { digest: D, digestOf: () => `sha512:${'d'.repeat(128)}` }).ok).toBe(false);
    expect(checkSignedDigest(p, { digest: D }).ok).toBe(false);
  });
});

describe('stored signature blobs (signature.go FromBlob)', () => {
  it('an OpenPGP message is simple signing as it stands', () => {
    for (const first of [0xa3, 0xc8, 0x90, 0xc4, 0x89, 0xc2]) {
      const blob = new Uint8Array([first, 1, 2]);
      expect(classifySignatureBlob(blob)).toEqual({ format: 'simple-signing', bytes: blob });
    }
  });
  it('the prefixed format names simple-signing or sigstore-json', () => {
    const prefixed = (name: string) => new Uint8Array([0, ...enc(`${name}\n`), 0xa3, 9]);
    expect(classifySignatureBlob(prefixed('simple-signing'))).toEqual({
      format: 'simple-signing',
      bytes: new Uint8Array([0xa3, 9]),
    });
    expect(classifySignatureBlob(prefixed('sigstore-json')).format).toBe('sigstore-json');
    expect(classifySignatureBlob(prefixed('other'))).toEqual({
      format: 'invalid',
      reason: 'unrecognized signature format "other"',
    });
  });
  it('rejects empty, unknown and malformed blobs', () => {
    expect(classifySignatureBlob(new Uint8Array())).toEqual({ format: 'invalid', reason: 'empty signature blob' });
    expect(classifySignatureBlob(enc('<html>'))).toEqual({
      format: 'invalid',
      reason: 'unrecognized signature format, starting with binary 0x3c',
    });
    expect(classifySignatureBlob(new Uint8Array([0, 0x61]))).toEqual({
      format: 'invalid',
      reason: 'invalid signature format, missing newline',
    });
    expect(classifySignatureBlob(new Uint8Array([0, 0x01, 0x0a]))).toEqual({
      format: 'invalid',
      reason: 'invalid signature format, non-ASCII byte 0x1',
    });
  });
});
