/**
 * Signature policies in the containers-policy.json(5) format, parsed and evaluated as
 * containers/image does (signature/policy_config.go, policy_eval.go, policy_eval_sigstore.go).
 * Pure: every byte that comes from a file or a registry is handed in.
 *
 * The verifier seam (for the registry layer and for other signature kinds):
 * - `SignatureSource` is what the registry layer gives for one image: sigstore attachments and
 *   simple-signing blobs, each fetched lazily (only when a requirement asks for them) from the
 *   same repository the image came from (a mirror when a mirror answered).
 * - `signedBy` (GPG simple signing) is verified by the `verifySimpleSigning` function given to
 *   `evaluatePolicy` in `PolicyDeps`. It gets one signature blob, the requirement and the image,
 *   and answers `{ok: true, signer}` or `{ok: false, reason}`; `matchesSignedIdentity`
 *   (./reference.ts) checks the identity the signature claims against `req.signedIdentity`.
 *   Without one, a `signedBy` requirement rejects the image ("not supported yet").
 * - `sigstoreSigned` is verified here (./sigstore.ts): ECDSA/Ed25519/RSA public keys from
 *   `keyPath(s)`/`keyData(s)`, no Fulcio or Rekor.
 */
import path from 'node:path';
import { duplicateJsonKey, jsonSyntaxErrorAt } from '../json-syntax.js';
import {
  isNameOnly,
  matchesSignedIdentity,
  parseNormalizedNamed,
  policyScopes,
  referenceString,
  type SignedIdentity,
} from './reference.js';
import { loadPublicKey, verifySigstoreSignature, type PublicKeyInfo } from './sigstore.js';

export { matchesSignedIdentity, type SignedIdentity } from './reference.js';

/** One sigstore attachment layer: its media type, payload bytes (digest-verified) and annotations. */
export interface SigstoreSignature {
  mimeType: string;
  payload: Uint8Array;
  annotations: Record<string, string>;
}

/** The signatures of one image, fetched lazily by the registry layer. */
export interface SignatureSource {
  sigstore(): Promise<SigstoreSignature[]>;
  /**
   * Why sigstore attachments are not read for this image (registries.d `use-sigstore-attachments`
   * is not true for it), or undefined when they are; then `sigstore()` gives none.
   */
  sigstoreNotRead?(): Promise<string | undefined>;
  simpleSigning(): Promise<Uint8Array[]>;
}

/** The image being verified: its manifest digest and the reference the user named (tag or digest). */
export interface SignedImage {
  digest: string;
  /** `host/repo:tag` or `host/repo@digest` as named, before any mirror (policy_eval uses the source). */
  reference: string;
}

/** The answer of one signature verifier. */
export type VerifyResult = { ok: true; signer: string } | { ok: false; reason: string };

export interface SignedByRequirement {
  type: 'signedBy';
  keyType: string;
  keyPath?: string;
  keyPaths?: string[];
  keyData?: string;
  signedIdentity: SignedIdentity;
}

export interface SigstoreSignedRequirement {
  type: 'sigstoreSigned';
  keyPath?: string;
  keyPaths?: string[];
  keyData?: string;
  keyDatas?: string[];
  signedIdentity: SignedIdentity;
}

export type PolicyRequirement =
  | { type: 'insecureAcceptAnything' }
  | { type: 'reject' }
  | SignedByRequirement
  | SigstoreSignedRequirement;

/** A parsed policy.json. */
export interface SignaturePolicy {
  /** Where it was read from (named in every message). */
  file: string;
  default: PolicyRequirement[];
  /** transport name → scope → requirements (`""` is the transport's own default). */
  transports: Record<string, Record<string, PolicyRequirement[]>>;
}

/** A policy.json that cannot be used: the message names the file and the place in it. */
export class PolicyFormatError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: Json | undefined): v is { [k: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a policy.json text; throws PolicyFormatError naming `file` and the offending place. */
export function parsePolicy(text: string, file: string): SignaturePolicy {
  const fail = (where: string, msg: string): never => {
    throw new PolicyFormatError(`invalid signature policy ${file}: ${where ? `${where}: ` : ''}${msg}`);
  };
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    const at = jsonSyntaxErrorAt(text);
    throw new PolicyFormatError(
      `invalid signature policy ${file}${at ? `:${at.line}:${at.column}` : ''}: not valid JSON`,
    );
  }
  // JSON.parse keeps the last of two equal keys; containers/image refuses the file
  // (signature/internal/json.go ParanoidUnmarshalJSONObject), and so does isctl: the two would
  // otherwise read one policy.json two ways.
  const dup = duplicateJsonKey(text);
  if (dup) {
    const place = placeOf(dup.path);
    throw new PolicyFormatError(
      `invalid signature policy ${file}:${dup.line}:${dup.column}: ${place ? `${place}: ` : ''}` +
        `Duplicate key ${JSON.stringify(dup.key)}: give it once (podman and skopeo refuse this file too)`,
    );
  }
  if (!isObject(doc)) return fail('', 'the policy must be a JSON object');
  onlyKeys(doc, ['default', 'transports'], '', fail);
  if (!('default' in doc)) fail('', 'Default policy is missing ("default" is required)');
  const policy: SignaturePolicy = { file, default: requirements(doc.default, 'default', fail), transports: {} };
  if ('transports' in doc) {
    // Go hands null to policyTransportsMap.UnmarshalJSON, which wants an object: null is refused.
    if (!isObject(doc.transports)) fail('transports', 'must be an object of transport names');
    for (const [transport, scopes] of Object.entries(doc.transports as Record<string, Json>)) {
      const where = `transports.${transport}`;
      if (!KNOWN_TRANSPORTS.has(transport)) fail(where, `unknown transport "${transport}"`);
      if (!isObject(scopes)) return fail(where, 'must be an object of scopes');
      const out: Record<string, PolicyRequirement[]> = {};
      for (const [scope, reqs] of Object.entries(scopes)) {
        const w = `${where}[${JSON.stringify(scope)}]`;
        if (transport === 'docker' && scope !== '') validateDockerScope(scope, w, fail);
        if (transport === 'oci' && scope !== '') validateOciScope(scope, w, fail);
        out[scope] = requirements(reqs, w, fail);
      }
      policy.transports[transport] = out;
    }
  }
  return policy;
}

// Transports containers/image knows (transports/alltransports); scopes of others are refused.
const KNOWN_TRANSPORTS = new Set([
  'docker',
  'atomic',
  'containers-storage',
  'dir',
  'docker-archive',
  'docker-daemon',
  'oci',
  'oci-archive',
  'ostree',
  'sif',
  'tarball',
]);

type Fail = (where: string, msg: string) => never;

/** `transports.docker["quay.io"][0].signedIdentity`: a place as the other messages name it. */
function placeOf(path: (string | number)[]): string {
  let out = '';
  path.forEach((seg, depth) => {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (depth === 0) out = seg;
    else if (path[0] === 'transports' && depth === 2) out += `[${JSON.stringify(seg)}]`;
    else out += `.${seg}`;
  });
  return out;
}

// sbKeyType.IsValid (policy_config.go): the values a signedBy keyType may have; only GPGKeys is
// implemented (policy_eval_signedby.go), the others are refused when an image is checked.
const SIGNED_BY_KEY_TYPES = ['GPGKeys', 'signedByGPGKeys', 'X509Certificates', 'signedByX509CAs'];

// keyData and keyDatas are []byte in Go, which encoding/json reads as standard base64 (padded; it
// skips \r and \n) and refuses otherwise.
function base64Field(v: string | undefined, key: string, where: string, fail: Fail): void {
  if (v === undefined) return;
  const s = v.replace(/[\r\n]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) fail(where, `"${key}" is not base64`);
}

function onlyKeys(o: { [k: string]: Json }, keys: string[], where: string, fail: Fail): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(where, `Unknown key "${k}"`);
}

// A scope is a full reference, a repository or namespace, a host, or `*.domain` (policy_config.go
// dockerTransport scopes: wildcards only as the whole first component).
function validateDockerScope(scope: string, where: string, fail: Fail): void {
  if (scope.startsWith('*.')) {
    if (!/^\*\.[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/.test(scope))
      fail(where, 'a wildcard scope is "*." followed by a domain, e.g. "*.example.com"');
    return;
  }
  if (scope.includes('*')) fail(where, 'a wildcard is allowed only as "*." at the start of a host');
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._:\-/@[\]]*$/.test(scope)) fail(where, 'not a reference, repository, namespace or host');
}

/** filepath.Clean for a POSIX path: `.`, `..` and repeated slashes resolved, no trailing slash. */
function cleanPath(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

// oci/internal/oci_util.go ValidateScope (oci/layout ociTransport.ValidatePolicyConfigurationScope):
// an absolute, canonical path, and not "/" (which would shadow the "" default).
function validateOciScope(scope: string, where: string, fail: Fail): void {
  if (!scope.startsWith('/')) fail(where, `Invalid scope ${scope}: must be an absolute path`);
  if (scope === '/') fail(where, 'Invalid scope "/": Use the generic default scope ""');
  const cleaned = cleanPath(scope);
  if (cleaned !== scope)
    fail(where, `Invalid scope ${scope}: Uses non-canonical path format, perhaps try with path ${cleaned}`);
}

function requirements(v: Json | undefined, where: string, fail: Fail): PolicyRequirement[] {
  if (!Array.isArray(v)) return fail(where, 'must be a list of requirements');
  if (v.length === 0) fail(where, 'List of verification policy requirements must not be empty');
  return v.map((r, i) => requirement(r, `${where}[${i}]`, fail));
}

function stringField(o: { [k: string]: Json }, key: string, where: string, fail: Fail): string | undefined {
  if (!(key in o)) return undefined;
  const v = o[key];
  if (typeof v !== 'string' || v === '') return fail(where, `"${key}" must be a non-empty string`);
  return v;
}

function stringList(o: { [k: string]: Json }, key: string, where: string, fail: Fail): string[] | undefined {
  if (!(key in o)) return undefined;
  const v = o[key];
  if (!Array.isArray(v) || v.length === 0 || v.some((s) => typeof s !== 'string' || s === ''))
    return fail(where, `"${key}" must be a non-empty list of non-empty strings`);
  return v as string[];
}

function requirement(r: Json, where: string, fail: Fail): PolicyRequirement {
  if (!isObject(r)) return fail(where, 'a requirement is an object with a "type"');
  const type = r.type;
  switch (type) {
    case 'insecureAcceptAnything':
    case 'reject':
      onlyKeys(r, ['type'], where, fail);
      return { type };
    case 'signedBy': {
      onlyKeys(r, ['type', 'keyType', 'keyPath', 'keyPaths', 'keyData', 'signedIdentity'], where, fail);
      const keyType = stringField(r, 'keyType', where, fail);
      if (!keyType) return fail(where, '"keyType" is required (e.g. "GPGKeys")');
      if (!SIGNED_BY_KEY_TYPES.includes(keyType))
        fail(where, `Unrecognized keyType value ${JSON.stringify(keyType)} (known: ${SIGNED_BY_KEY_TYPES.join(', ')})`);
      const req: SignedByRequirement = { type, keyType, signedIdentity: signedIdentity(r.signedIdentity, where, fail) };
      const keyPath = stringField(r, 'keyPath', where, fail);
      const keyPaths = stringList(r, 'keyPaths', where, fail);
      const keyData = stringField(r, 'keyData', where, fail);
      const n = [keyPath, keyPaths, keyData].filter((x) => x !== undefined).length;
      if (n !== 1) fail(where, 'exactly one of "keyPath", "keyPaths" and "keyData" must be specified');
      base64Field(keyData, 'keyData', where, fail);
      if (keyPath) req.keyPath = keyPath;
      if (keyPaths) req.keyPaths = keyPaths;
      if (keyData) req.keyData = keyData;
      return req;
    }
    case 'sigstoreSigned': {
      const keyless = [
        'fulcio',
        'rekorPublicKeyPath',
        'rekorPublicKeyPaths',
        'rekorPublicKeyData',
        'rekorPublicKeyDatas',
      ];
      const used = [...keyless, 'pki'].filter((k) => k in r);
      if (used.length > 0)
        fail(
          where,
          `${used.map((k) => `"${k}"`).join(', ')}: isctl verifies sigstore signatures offline with public keys only ` +
            '(keyPath, keyPaths, keyData, keyDatas); Fulcio certificates, Rekor and PKI are not checked, so this ' +
            'requirement cannot be met: use a public key, or verify these images with podman or cosign',
        );
      onlyKeys(r, ['type', 'keyPath', 'keyPaths', 'keyData', 'keyDatas', 'signedIdentity'], where, fail);
      const req: SigstoreSignedRequirement = { type, signedIdentity: signedIdentity(r.signedIdentity, where, fail) };
      const keyPath = stringField(r, 'keyPath', where, fail);
      const keyPaths = stringList(r, 'keyPaths', where, fail);
      const keyData = stringField(r, 'keyData', where, fail);
      const keyDatas = stringList(r, 'keyDatas', where, fail);
      const n = [keyPath, keyPaths, keyData, keyDatas].filter((x) => x !== undefined).length;
      if (n !== 1) fail(where, 'exactly one of "keyPath", "keyPaths", "keyData" and "keyDatas" must be specified');
      base64Field(keyData, 'keyData', where, fail);
      keyDatas?.forEach((d, i) => base64Field(d, `keyDatas[${i}]`, where, fail));
      if (keyPath) req.keyPath = keyPath;
      if (keyPaths) req.keyPaths = keyPaths;
      if (keyData) req.keyData = keyData;
      if (keyDatas) req.keyDatas = keyDatas;
      return req;
    }
    default:
      return fail(
        where,
        typeof type === 'string'
          ? `unknown policy requirement type "${type}" (known: insecureAcceptAnything, reject, signedBy, sigstoreSigned)`
          : 'a requirement needs a "type"',
      );
  }
}

/** The default signedIdentity of signedBy and sigstoreSigned (policy_config.go). */
const DEFAULT_IDENTITY: SignedIdentity = { type: 'matchRepoDigestOrExact' };

function signedIdentity(v: Json | undefined, where: string, fail: Fail): SignedIdentity {
  if (v === undefined) return DEFAULT_IDENTITY;
  const w = `${where}.signedIdentity`;
  if (!isObject(v)) return fail(w, 'must be an object with a "type"');
  switch (v.type) {
    case 'matchExact':
    case 'matchRepoDigestOrExact':
    case 'matchRepository':
      onlyKeys(v, ['type'], w, fail);
      return { type: v.type };
    case 'exactReference': {
      onlyKeys(v, ['type', 'dockerReference'], w, fail);
      const ref = stringField(v, 'dockerReference', w, fail);
      if (!ref) return fail(w, '"dockerReference" is required');
      const parsed = parseOr(ref, w, fail);
      if (!parsed.tag && !parsed.digest) fail(w, `dockerReference ${ref} contains neither a tag nor digest`);
      return { type: 'exactReference', dockerReference: ref };
    }
    case 'exactRepository': {
      onlyKeys(v, ['type', 'dockerRepository'], w, fail);
      const repo = stringField(v, 'dockerRepository', w, fail);
      if (!repo) return fail(w, '"dockerRepository" is required');
      parseOr(repo, w, fail);
      return { type: 'exactRepository', dockerRepository: repo };
    }
    case 'remapIdentity': {
      onlyKeys(v, ['type', 'prefix', 'signedPrefix'], w, fail);
      const prefix = stringField(v, 'prefix', w, fail);
      const signedPrefix = stringField(v, 'signedPrefix', w, fail);
      if (!prefix || !signedPrefix) return fail(w, '"prefix" and "signedPrefix" are required');
      validateRemapPrefix(prefix, `${w}.prefix`, fail);
      validateRemapPrefix(signedPrefix, `${w}.signedPrefix`, fail);
      return { type: 'remapIdentity', prefix, signedPrefix };
    }
    default:
      return fail(
        w,
        typeof v.type === 'string'
          ? `unknown signedIdentity type "${v.type}" (known: matchExact, matchRepoDigestOrExact, matchRepository, ` +
              'exactReference, exactRepository, remapIdentity)'
          : 'a signedIdentity needs a "type"',
      );
  }
}

function parseOr(s: string, where: string, fail: Fail) {
  try {
    return parseNormalizedNamed(s);
  } catch (e) {
    return fail(where, (e as Error).message);
  }
}

// validateIdentityRemappingPrefix (policy_config.go): a host, a host/namespace, or a repository,
// already in normalised form (no tag, no digest).
function validateRemapPrefix(s: string, where: string, fail: Fail): void {
  if (/^[a-z0-9.-]+(:[0-9]+)?$/i.test(s) && s.includes('.')) return;
  let parsed: ReturnType<typeof parseNormalizedNamed> | undefined;
  try {
    parsed = parseNormalizedNamed(s);
  } catch {
    parsed = undefined;
  }
  if (!parsed || parsed.tag || parsed.digest || parsed.name !== s)
    fail(where, `prefix "${s}" is not a host, a namespace or a repository in normalised form`);
}

/** The requirements that apply to one image, and the scope that chose them (for messages). */
export interface AppliedRequirements {
  scope: string;
  requirements: PolicyRequirement[];
}

/**
 * policy_eval.go requirementsForImageRef: the most specific `transports.docker` scope that names
 * the reference (the reference, its repository, namespaces, host, `*.` wildcards) — for `oci`
 * the layout folder and then its parents — then the transport's `""` scope, then `default`.
 * The folder is taken as given, made canonical; links in it are not resolved as containers/image
 * resolves them (explicitfilepath.ResolvePathToFullyExplicit).
 */
export function requirementsFor(policy: SignaturePolicy, transport: string, reference: string): AppliedRequirements {
  const scopes = policy.transports[transport];
  if (scopes) {
    if (transport === 'docker') {
      const named = parseNormalizedNamed(reference);
      for (const s of policyScopes(named))
        if (s in scopes) return { scope: `${transport} ${s}`, requirements: scopes[s] };
    } else if (transport === 'oci') {
      // oci/layout ociReference.PolicyConfigurationNamespaces: the layout folder, then each parent
      // folder up to (not including) "/".
      for (let dir = cleanPath(reference); dir.lastIndexOf('/') !== -1 && dir !== '/'; ) {
        if (dir in scopes) return { scope: `${transport} ${dir}`, requirements: scopes[dir] };
        dir = dir.slice(0, dir.lastIndexOf('/'));
      }
    } else if (reference in scopes) return { scope: `${transport} ${reference}`, requirements: scopes[reference] };
    if ('' in scopes) return { scope: `${transport} ""`, requirements: scopes[''] };
  }
  return { scope: 'default', requirements: policy.default };
}

/** What evaluating a policy needs from outside. */
export interface PolicyDeps {
  /** Reads a key file named by keyPath/keyPaths (relative paths as the user's working directory sees them). */
  readKeyFile(path: string): Promise<Uint8Array>;
  /** Verifies one GPG simple-signing signature for a signedBy requirement (see the header). */
  verifySimpleSigning?: (sig: Uint8Array, req: SignedByRequirement, image: SignedImage) => Promise<VerifyResult>;
}

/** The outcome: accepted (with who signed, when a signature was required) or rejected with the reason. */
export type PolicyVerdict =
  | { allowed: true; scope: string; signers: string[] }
  | { allowed: false; scope: string; reason: string };

/**
 * policy_eval.go IsRunningImageAllowed: every requirement of the applicable scope must accept the
 * image; the first one that does not gives the reason.
 */
export async function evaluatePolicy(
  policy: SignaturePolicy,
  transport: string,
  image: SignedImage,
  signatures: SignatureSource,
  deps: PolicyDeps,
): Promise<PolicyVerdict> {
  let applied: AppliedRequirements;
  try {
    if (transport === 'docker') {
      // The docker transport always names a tag or digest (docker/docker_transport.go newReference: TagNameOnly).
      const named = parseNormalizedNamed(image.reference);
      if (isNameOnly(named)) named.tag = 'latest';
      image = { ...image, reference: referenceString(named) };
    }
    applied = requirementsFor(policy, transport, image.reference);
  } catch (e) {
    return { allowed: false, scope: 'default', reason: `invalid image reference: ${(e as Error).message}` };
  }
  const signers: string[] = [];
  for (const req of applied.requirements) {
    const r = await evaluateRequirement(req, transport, image, signatures, deps);
    if (!r.ok) return { allowed: false, scope: applied.scope, reason: r.reason };
    if (r.signer) signers.push(r.signer);
  }
  return { allowed: true, scope: applied.scope, signers };
}

async function evaluateRequirement(
  req: PolicyRequirement,
  transport: string,
  image: SignedImage,
  signatures: SignatureSource,
  deps: PolicyDeps,
): Promise<{ ok: true; signer?: string } | { ok: false; reason: string }> {
  switch (req.type) {
    case 'insecureAcceptAnything':
      return { ok: true };
    case 'reject':
      return { ok: false, reason: `Running image ${transport}://${image.reference} is rejected by policy.` };
    case 'signedBy':
      return evaluateSignedBy(req, image, signatures, deps);
    case 'sigstoreSigned':
      return evaluateSigstore(req, image, signatures, deps);
  }
}

async function evaluateSignedBy(
  req: SignedByRequirement,
  image: SignedImage,
  signatures: SignatureSource,
  deps: PolicyDeps,
): Promise<{ ok: true; signer: string } | { ok: false; reason: string }> {
  if (!deps.verifySimpleSigning)
    return { ok: false, reason: 'signedBy (GPG simple signing) requirements are not supported yet' };
  const sigs = await signatures.simpleSigning();
  if (sigs.length === 0) return { ok: false, reason: 'A signature was required, but no signature exists' };
  const reasons: string[] = [];
  for (const s of sigs) {
    const r = await deps.verifySimpleSigning(s, req, image);
    if (r.ok) return r;
    reasons.push(r.reason);
  }
  return { ok: false, reason: summary(reasons) };
}

function summary(reasons: string[]): string {
  return reasons.length === 1 ? reasons[0] : `None of the signatures were accepted, reasons: ${reasons.join('; ')}`;
}

/** The media type of sigstore signature layers (containers/image signature.SigstoreSignatureMIMEType). */
export const SIGSTORE_SIGNATURE_MIME_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The layer annotation holding the base64 signature (cosign's SigAnnotationKey). */
export const SIGSTORE_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';

async function evaluateSigstore(
  req: SigstoreSignedRequirement,
  image: SignedImage,
  signatures: SignatureSource,
  deps: PolicyDeps,
): Promise<{ ok: true; signer: string } | { ok: false; reason: string }> {
  // Every key is loaded before any signature is tried (sigstore_payload.go VerifySigstorePayload):
  // a broken fallback key fails now, not on the day it is needed.
  const keys: PublicKeyInfo[] = [];
  const sources: { what: string; bytes: () => Promise<Uint8Array> }[] = [
    ...(req.keyPath ? [req.keyPath] : []).concat(req.keyPaths ?? []).map((p) => ({
      what: `keyPath ${p}`,
      bytes: () => deps.readKeyFile(p),
    })),
    ...(req.keyData ? [req.keyData] : []).concat(req.keyDatas ?? []).map((d, i) => ({
      what: `keyData${req.keyDatas ? `s[${i}]` : ''}`,
      bytes: async () => Buffer.from(d, 'base64'),
    })),
  ];
  for (const s of sources) {
    try {
      keys.push(loadPublicKey(await s.bytes()));
    } catch (e) {
      return { ok: false, reason: `cannot use the public key of ${s.what}: ${(e as Error).message}` };
    }
  }
  // docker_image_src.go GetSignaturesWithFormat: no attachments read means no signatures; the
  // reason says which setting would read them.
  const notRead = await signatures.sigstoreNotRead?.();
  if (notRead !== undefined)
    return { ok: false, reason: `A signature was required, but no signature exists (${notRead})` };
  const sigs = await signatures.sigstore();
  const reasons: string[] = [];
  let nonSignatures = 0;
  for (const s of sigs) {
    if (s.mimeType !== SIGSTORE_SIGNATURE_MIME_TYPE) {
      nonSignatures++;
      continue;
    }
    const r = verifySigstoreSignature(keys, s, image.digest, (signed) =>
      matchesSignedIdentity(req.signedIdentity, image.reference, signed),
    );
    if (r.ok) return r;
    reasons.push(r.reason);
  }
  if (reasons.length === 0)
    return {
      ok: false,
      reason:
        nonSignatures === 0
          ? 'A signature was required, but no signature exists'
          : `A signature was required, but no signature exists (0 non-sigstore signatures, ${nonSignatures} sigstore non-signature attachments)`,
    };
  return { ok: false, reason: summary(reasons) };
}
