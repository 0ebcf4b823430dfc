/**
 * GPG simple signing: the `signedBy` requirement of containers-policy.json(5) with keyType
 * GPGKeys, as containers/image verifies it (signature/policy_eval_signedby.go
 * `isSignatureAuthorAccepted`, signature/simple.go `verifyAndExtractSignature`,
 * signature/mechanism_openpgp.go `Verify`). A signature is an OpenPGP signed message (binary,
 * usually compressed) whose literal data is the JSON payload of gpg-payload.ts; it is accepted
 * when it is one valid signature by a key of the requirement's keyring (the key's primary
 * fingerprint is the signer), its digest is the image's and its identity matches signedIdentity.
 *
 * OpenPGP.js does the cryptography (pure JavaScript: no gpg binary, no keyring on disk). The
 * message is read as a stream and its literal data capped, so a compressed message cannot expand
 * into memory. Reading key files is injected (`readFile`): this module does no I/O.
 */
import * as openpgp from 'openpgp';
import { checkSignedDigest, parseSimpleSigningPayload, type SimpleSigningPayload } from './gpg-payload.js';
import type { SignedByRequirement, SignedImage, VerifyResult } from './policy.js';
import { matchesSignedIdentity } from './reference.js';

/** The signedBy requirement as policy.ts parses it (keyType GPGKeys is the only one implemented upstream). */
export type GpgSignedByRequirement = SignedByRequirement;

/** The image the signature must be for (policy.ts), optionally with its manifest digested in another algorithm. */
export type GpgSignedImage = SignedImage & { digestOf?: (algorithm: string) => string | undefined };

export type GpgVerdict = { ok: true; signer: string; payload: SimpleSigningPayload } | { ok: false; reason: string };

export interface GpgDeps {
  /** Reads a keyPath / keyPaths file (policy.ts PolicyDeps.readKeyFile). */
  readFile: (path: string) => Promise<Uint8Array>;
  /** Verification time (default the real clock): key expiry and signature expiry are checked at it. */
  now?: () => Date;
}

/** Largest literal data read from a signature (containers/image iolimits MaxSignatureBodySize: 4 MiB). */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** A keyring read once, for verifying many signatures. */
export interface GpgKeyring {
  keys: openpgp.PublicKey[];
  /** Primary-key fingerprints, upper case (as gpgme prints them). */
  identities: string[];
}

/**
 * The keyring of a requirement: exactly one of keyPath, keyPaths and keyData
 * (policy_config.go `newPRSignedBy`, `loadBytesFromConfigSources`); each blob binary or armored.
 */
export async function loadGpgKeyring(
  req: Pick<SignedByRequirement, 'keyType' | 'keyPath' | 'keyPaths' | 'keyData'>,
  readFile: GpgDeps['readFile'],
): Promise<{ ok: true; keyring: GpgKeyring } | { ok: false; reason: string }> {
  if (req.keyType !== 'GPGKeys')
    return { ok: false, reason: `Unimplemented "keyType" value ${JSON.stringify(req.keyType)}` };
  const given = [req.keyPath !== undefined, req.keyPaths !== undefined, req.keyData !== undefined].filter(Boolean);
  if (given.length !== 1)
    return { ok: false, reason: 'exactly one of "keyPath", "keyPaths" and "keyData" must be specified' };
  const blobs: { what: string; bytes: Uint8Array }[] = [];
  try {
    if (req.keyPath !== undefined) blobs.push({ what: req.keyPath, bytes: await readFile(req.keyPath) });
    for (const p of req.keyPaths ?? []) blobs.push({ what: p, bytes: await readFile(p) });
  } catch (e) {
    return { ok: false, reason: `cannot read the signedBy key: ${(e as Error).message}` };
  }
  if (req.keyData !== undefined) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(req.keyData.replace(/\s/g, '')))
      return { ok: false, reason: 'keyData is not base64' };
    blobs.push({ what: 'keyData', bytes: Buffer.from(req.keyData, 'base64') });
  }
  const keys: openpgp.PublicKey[] = [];
  for (const blob of blobs) {
    const read = await readKeyBlob(blob.bytes);
    if (!read.ok) return { ok: false, reason: `cannot read the OpenPGP keys in ${blob.what}: ${read.reason}` };
    keys.push(...read.keys);
  }
  if (keys.length === 0) return { ok: false, reason: 'No public keys imported' };
  return { ok: true, keyring: { keys, identities: keys.map((k) => k.getFingerprint().toUpperCase()) } };
}

/** mechanism_openpgp.go `importKeysFromBytes`: a binary keyring, else an armored one (the binary error is kept). */
async function readKeyBlob(
  bytes: Uint8Array,
): Promise<{ ok: true; keys: openpgp.PublicKey[] } | { ok: false; reason: string }> {
  let binaryError: string;
  try {
    return { ok: true, keys: (await openpgp.readKeys({ binaryKeys: bytes })).map((k) => k.toPublic()) };
  } catch (e) {
    binaryError = (e as Error).message;
  }
  try {
    const text = new TextDecoder().decode(bytes);
    return { ok: true, keys: (await openpgp.readKeys({ armoredKeys: text })).map((k) => k.toPublic()) };
  } catch {
    return { ok: false, reason: binaryError };
  }
}

/**
 * Verifies one signature blob against a keyring: the OpenPGP signature, then the payload's digest
 * and identity. The reason of a rejection is the one containers/image gives where it has one.
 */
export async function verifyGpgSignature(
  blob: Uint8Array,
  keyring: GpgKeyring,
  identity: SignedByRequirement['signedIdentity'],
  image: GpgSignedImage,
  deps: Pick<GpgDeps, 'now'>,
): Promise<GpgVerdict> {
  const signed = await verifyMessage(blob, keyring, deps.now?.() ?? new Date());
  if (!signed.ok) return signed;
  const parsed = parseSimpleSigningPayload(signed.content);
  if (!parsed.ok) return parsed;
  const digest = checkSignedDigest(parsed.payload, image);
  if (!digest.ok) return digest;
  if (!matchesSignedIdentity(identity, image.reference, parsed.payload.dockerReference))
    return {
      ok: false,
      reason: `Signature for identity ${JSON.stringify(parsed.payload.dockerReference)} is not accepted`,
    };
  return { ok: true, signer: signed.signer, payload: parsed.payload };
}

/**
 * The requirement against one signature, keys read from the requirement (the seam the policy
 * evaluator calls for `signedBy`). The signer is `GPG key FINGERPRINT (identity REFERENCE)`.
 */
export async function verifySimpleSigning(
  sig: Uint8Array,
  req: GpgSignedByRequirement,
  image: GpgSignedImage,
  deps: GpgDeps,
): Promise<VerifyResult> {
  const loaded = await loadGpgKeyring(req, deps.readFile);
  if (!loaded.ok) return loaded;
  const v = await verifyGpgSignature(sig, loaded.keyring, req.signedIdentity, image, deps);
  // Named as describe shows it, beside sigstore's "sigstore key … (identity …)".
  return v.ok ? { ok: true, signer: `GPG key ${v.signer} (identity ${v.payload.dockerReference})` } : v;
}

/**
 * mechanism_openpgp.go `Verify` + simple.go's key check: a signed message, exactly one signature
 * (mechanism_gpgme.go: "Unexpected GPG signature count"), made by a key of the keyring that is
 * valid for signing at the verification time (neither it nor its signing subkey revoked or
 * expired then); returns the literal data and the primary key's fingerprint.
 */
async function verifyMessage(
  blob: Uint8Array,
  keyring: GpgKeyring,
  date: Date,
): Promise<{ ok: true; content: Uint8Array; signer: string } | { ok: false; reason: string }> {
  let message: openpgp.Message<ReadableStream<Uint8Array>>;
  try {
    message = await openpgp.readMessage({ binaryMessage: streamOf(blob) });
  } catch (e) {
    return { ok: false, reason: `invalid GPG signature: ${firstLine(e)}` };
  }
  const issuers = message.getSigningKeyIDs();
  if (issuers.length === 0) return { ok: false, reason: 'invalid GPG signature: not signed' };
  if (issuers.length !== 1)
    return { ok: false, reason: `invalid GPG signature: unexpected GPG signature count ${issuers.length}` };
  const keyID = issuers[0];
  const candidates = keyring.keys.filter((k) => k.getKeys(keyID).length > 0);
  if (candidates.length === 0) {
    const id = keyID.toHex().toUpperCase();
    return { ok: false, reason: `signature by key ${id} is not accepted: not in the policy's keyring` };
  }
  // A key ID can be shared by two keys (64 bits): the signature must verify with one of them.
  let last = '';
  for (const key of candidates) {
    const state = await revokedOrExpired(key, keyID, date);
    if (state) {
      last = `signature by key ${key.getFingerprint().toUpperCase()} is not accepted: ${state}`;
      continue;
    }
    const attempt = candidates.length === 1 ? message : await openpgp.readMessage({ binaryMessage: streamOf(blob) });
    const r = await verifyWith(attempt, key, date);
    if (r.ok) return { ok: true, content: r.content, signer: key.getFingerprint().toUpperCase() };
    last = r.reason;
  }
  return { ok: false, reason: last };
}

/**
 * Whether the signing key is revoked or expired at the verification time. gpg judges a signature
 * by the key's state now (REVKEYSIG, EXPKEYSIG), and containers/image's gpgme mechanism rejects
 * any signature gpg does not call good (mechanism_gpgme.go `Verify`); OpenPGP.js checks the key
 * at the signature's creation time only, so a key that expired after signing would pass. The
 * primary key is checked, then the subkey that signed (mechanism_test.go "Valid signature with a
 * revoked subkey"). Other defects of the key are left to the signature check, which names them.
 */
async function revokedOrExpired(key: openpgp.PublicKey, keyID: openpgp.KeyID, date: Date): Promise<string | undefined> {
  const state = (e: unknown): 'is revoked' | 'has expired' | undefined => {
    const m = firstLine(e);
    return /\brevoked\b/i.test(m) ? 'is revoked' : /\bexpired\b/i.test(m) ? 'has expired' : undefined;
  };
  // Before the key existed it is neither: the signature check says the time is wrong.
  if (key.getCreationTime() > date) return undefined;
  try {
    await key.verifyPrimaryKey(date);
  } catch (e) {
    const s = state(e);
    return s && `the key ${s}`;
  }
  if (key.getKeyID().equals(keyID)) return undefined;
  const subkey = key.getSubkeys().find((k) => k.getKeyID().equals(keyID));
  if (!subkey || subkey.getCreationTime() > date) return undefined;
  try {
    await subkey.verify(date);
  } catch (e) {
    const s = state(e);
    return s && `its signing subkey ${keyID.toHex().toUpperCase()} ${s}`;
  }
  return undefined;
}

async function verifyWith(
  message: openpgp.Message<ReadableStream<Uint8Array>>,
  key: openpgp.PublicKey,
  date: Date,
): Promise<{ ok: true; content: Uint8Array } | { ok: false; reason: string }> {
  let result: openpgp.VerifyMessageResult<ReadableStream<Uint8Array>>;
  try {
    result = await openpgp.verify({ message, verificationKeys: [key], format: 'binary', date });
  } catch (e) {
    return { ok: false, reason: `invalid GPG signature: ${firstLine(e)}` };
  }
  // Every promise below is awaited or given a handler, so a failure is never unhandled.
  const verified = Promise.all(result.signatures.map((s) => s.verified)).then(
    () => undefined,
    (e: unknown) => firstLine(e),
  );
  const content = await readCapped(result.data, MAX_PAYLOAD_BYTES);
  const failure = await verified;
  if (!content.ok) return content;
  if (result.signatures.length !== 1)
    return { ok: false, reason: `invalid GPG signature: unexpected GPG signature count ${result.signatures.length}` };
  if (failure !== undefined) return { ok: false, reason: `invalid GPG signature: ${failure}` };
  return content;
}

async function readCapped(
  stream: ReadableStream<Uint8Array>,
  cap: number,
): Promise<{ ok: true; content: Uint8Array } | { ok: false; reason: string }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > cap) {
        await reader.cancel('too large').catch(() => undefined);
        return {
          ok: false,
          reason: `invalid GPG signature: the signed payload is larger than ${cap / 1024 / 1024} MiB`,
        };
      }
      chunks.push(value);
    }
  } catch (e) {
    return { ok: false, reason: `invalid GPG signature: ${firstLine(e)}` };
  }
  return { ok: true, content: Buffer.concat(chunks) };
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(new Uint8Array(bytes));
      c.close();
    },
  });
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e)
    .split('\n')[0]
    .trim();
}
