/**
 * One sigstore (cosign) signature checked offline against public keys, as containers/image
 * signature/internal/sigstore_payload.go VerifySigstorePayload does: the base64 signature of the
 * `dev.cosignproject.cosign/signature` annotation over the exact payload bytes (SHA-256), then
 * the payload, parsed strictly: `critical.type` "cosign container image signature",
 * `critical.image.docker-manifest-digest`, `critical.identity.docker-reference`.
 * Fulcio certificates, Rekor bundles and timestamps are not read.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { digestProblem } from '../reference.js';

/** A loaded public key and how it is shown to users (`sha256:` of its SubjectPublicKeyInfo). */
export interface PublicKeyInfo {
  key: KeyObject;
  fingerprint: string;
}

const SIGNATURE_TYPE = 'cosign container image signature';
const ANNOTATION = 'dev.cosignproject.cosign/signature';

/** Loads a PEM (or DER SubjectPublicKeyInfo) public key; throws an Error saying why it cannot be used. */
export function loadPublicKey(bytes: Uint8Array): PublicKeyInfo {
  const buf = Buffer.from(bytes);
  const text = buf.toString('utf8');
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey({ key: text, format: 'pem' })
      : createPublicKey({ key: buf, format: 'der', type: 'spki' });
  } catch {
    throw new Error('not a PEM or DER public key');
  }
  if (key.type !== 'public') throw new Error('not a public key');
  const spki = key.export({ format: 'der', type: 'spki' });
  return { key, fingerprint: `sha256:${createHash('sha256').update(spki).digest('hex')}` };
}

/** The payload's claims, once parsed. */
export interface SigstorePayloadClaims {
  dockerManifestDigest: string;
  dockerReference: string;
}

/** ParanoidUnmarshalJSONObjectExactFields: exactly these keys, no others, none missing. */
function exactFields(v: unknown, keys: string[], where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} is not a JSON object`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new Error(`Unknown key "${k}" in ${where}`);
  for (const k of keys) if (!(k in o)) throw new Error(`Key "${k}" missing in ${where}`);
  return o;
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} is not a string`);
  return v;
}

/** Parses a sigstore payload as strictly as UntrustedSigstorePayload.strictUnmarshalJSON. */
export function parseSigstorePayload(payload: Uint8Array): SigstorePayloadClaims {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new Error('the payload is not JSON');
  }
  const top = exactFields(doc, ['critical', 'optional'], 'the payload');
  if (top.optional !== null) {
    if (typeof top.optional !== 'object' || Array.isArray(top.optional))
      throw new Error('optional is not a JSON object');
    const ts = (top.optional as Record<string, unknown>).timestamp;
    if (ts !== undefined && (typeof ts !== 'number' || !Number.isInteger(ts)))
      throw new Error('Field optional.timestamp is not is not an integer');
  }
  const critical = exactFields(top.critical, ['type', 'image', 'identity'], 'critical');
  const type = str(critical.type, 'critical.type');
  if (type !== SIGNATURE_TYPE) throw new Error(`Unrecognized signature type ${type}`);
  const img = exactFields(critical.image, ['docker-manifest-digest'], 'critical.image');
  const digest = str(img['docker-manifest-digest'], 'critical.image.docker-manifest-digest');
  const problem = digestProblem(digest);
  if (problem) throw new Error(`invalid docker-manifest-digest value ${JSON.stringify(digest)}: ${problem}`);
  const identity = exactFields(critical.identity, ['docker-reference'], 'critical.identity');
  return {
    dockerManifestDigest: digest,
    dockerReference: str(identity['docker-reference'], 'critical.identity.docker-reference'),
  };
}

/**
 * Verifies one signature layer for the image `digest`: a key of `keys` made the signature, the
 * payload names `digest`, and `identityOk` accepts the reference it names. The signer is the
 * key's fingerprint and the identity signed.
 */
export function verifySigstoreSignature(
  keys: PublicKeyInfo[],
  sig: { payload: Uint8Array; annotations: Record<string, string> },
  digest: string,
  identityOk: (signedReference: string) => boolean,
): { ok: true; signer: string } | { ok: false; reason: string } {
  const b64 = sig.annotations[ANNOTATION];
  if (b64 === undefined) return { ok: false, reason: `missing ${ANNOTATION} annotation` };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)
    return { ok: false, reason: 'invalid signature: base64 decoding failed' };
  const signature = Buffer.from(b64, 'base64');
  const payload = Buffer.from(sig.payload);
  const key = keys.find((k) => {
    try {
      // ECDSA signatures are ASN.1 DER (cosign, sigstore/sigstore pkg/signature/ecdsa.go); Ed25519 hashes itself.
      return verify(k.key.asymmetricKeyType === 'ed25519' ? null : 'sha256', payload, k.key, signature);
    } catch {
      return false;
    }
  });
  if (!key) return { ok: false, reason: 'cryptographic signature verification failed: invalid signature' };
  let claims: SigstorePayloadClaims;
  try {
    claims = parseSigstorePayload(payload);
  } catch (e) {
    return { ok: false, reason: `invalid signature: ${(e as Error).message}` };
  }
  if (claims.dockerManifestDigest !== digest)
    return { ok: false, reason: `Signature for digest ${claims.dockerManifestDigest} does not match` };
  if (!identityOk(claims.dockerReference))
    return { ok: false, reason: `Signature for identity "${claims.dockerReference}" is not accepted` };
  return { ok: true, signer: `sigstore key ${key.fingerprint} (identity ${claims.dockerReference})` };
}
