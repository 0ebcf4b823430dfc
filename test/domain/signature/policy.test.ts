/**
 * policy.json parsing (containers/image signature/policy_config.go and its test's invalid
 * documents), scope selection (policy_eval.go requirementsForImageRef) and evaluation of
 * insecureAcceptAnything / reject / sigstoreSigned / signedBy (policy_eval_sigstore.go,
 * internal/sigstore_payload.go) over signatures made as cosign makes them (test/helpers/sigstore.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  evaluatePolicy,
  parsePolicy,
  PolicyFormatError,
  requirementsFor,
  type SignatureSource,
  type SigstoreSignature,
} from '../../../src/domain/signature/policy.js';
import {
  COSIGN_PAYLOAD_TYPE,
  COSIGN_SIGNATURE_ANNOTATION,
  cosignKeyPair,
  cosignPayload,
  cosignSign,
} from '../../helpers/index.js';

const D = `sha256:${'1'.repeat(64)}`;
const OTHER = `sha256:${'2'.repeat(64)}`;
const parse = (doc: unknown) => parsePolicy(JSON.stringify(doc), '/p/policy.json');
const accept = [{ type: 'insecureAcceptAnything' }];
const reject = [{ type: 'reject' }];

describe('parsePolicy', () => {
  it('reads default and docker scopes', () => {
    const p = parse({ default: reject, transports: { docker: { 'quay.io/ns': accept, '': reject } } });
    expect(p.default).toEqual([{ type: 'reject' }]);
    expect(p.transports.docker['quay.io/ns']).toEqual([{ type: 'insecureAcceptAnything' }]);
  });

  it.each<[string, unknown, string]>([
    ['not JSON', '{"default": [', 'invalid signature policy /p/policy.json:1:14: not valid JSON'],
    ['no default', { transports: {} }, 'Default policy is missing'],
    ['unknown top-level key', { default: accept, extra: 1 }, 'Unknown key "extra"'],
    ['empty requirements', { default: [] }, 'default: List of verification policy requirements must not be empty'],
    ['unknown type', { default: [{ type: 'signedByMagic' }] }, 'unknown policy requirement type "signedByMagic"'],
    ['extra key on reject', { default: [{ type: 'reject', keyPath: '/k' }] }, 'default[0]: Unknown key "keyPath"'],
    ['unknown transport', { default: accept, transports: { dockr: {} } }, 'unknown transport "dockr"'],
    [
      'bad wildcard',
      { default: accept, transports: { docker: { 'quay.*.io': accept } } },
      'a wildcard is allowed only',
    ],
    ['sigstore without key', { default: [{ type: 'sigstoreSigned' }] }, 'exactly one of "keyPath", "keyPaths"'],
    [
      'sigstore with two keys',
      { default: [{ type: 'sigstoreSigned', keyPath: '/a', keyData: 'eA==' }] },
      'exactly one of "keyPath", "keyPaths", "keyData" and "keyDatas" must be specified',
    ],
    [
      'fulcio',
      { default: [{ type: 'sigstoreSigned', fulcio: { caPath: '/ca' }, rekorPublicKeyPath: '/r' }] },
      '"fulcio", "rekorPublicKeyPath": isctl verifies sigstore signatures offline with public keys only',
    ],
    ['pki', { default: [{ type: 'sigstoreSigned', pki: {} }] }, '"pki": isctl verifies sigstore signatures offline'],
    ['signedBy without keyType', { default: [{ type: 'signedBy', keyPath: '/k' }] }, '"keyType" is required'],
    [
      'exactReference without tag',
      {
        default: [
          {
            type: 'sigstoreSigned',
            keyPath: '/k',
            signedIdentity: { type: 'exactReference', dockerReference: 'quay.io/a' },
          },
        ],
      },
      'dockerReference quay.io/a contains neither a tag nor digest',
    ],
    [
      'unknown identity',
      { default: [{ type: 'sigstoreSigned', keyPath: '/k', signedIdentity: { type: 'matchAnything' } }] },
      'unknown signedIdentity type "matchAnything"',
    ],
    [
      'remapIdentity with a tag',
      {
        default: [
          {
            type: 'sigstoreSigned',
            keyPath: '/k',
            signedIdentity: { type: 'remapIdentity', prefix: 'a.io/x:1', signedPrefix: 'b.io' },
          },
        ],
      },
      'prefix "a.io/x:1" is not a host, a namespace or a repository',
    ],
  ])('%s is refused naming the file and the place', (_name, doc, message) => {
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    let err: unknown;
    try {
      parsePolicy(text, '/p/policy.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyFormatError);
    expect((err as Error).message).toContain('/p/policy.json');
    expect((err as Error).message).toContain(message);
  });
});

describe('requirementsFor: the most specific scope wins', () => {
  const p = parse({
    default: [{ type: 'reject' }],
    transports: {
      docker: {
        '': accept,
        '*.example.com': [{ type: 'sigstoreSigned', keyData: 'd2lsZGNhcmQ=' }],
        'reg.example.com': [{ type: 'sigstoreSigned', keyData: 'aG9zdA==' }],
        'reg.example.com/team': [{ type: 'sigstoreSigned', keyData: 'bmFtZXNwYWNl' }],
        'reg.example.com/team/app': [{ type: 'sigstoreSigned', keyData: 'cmVwbw==' }],
        'reg.example.com/team/app:1.0': reject,
      },
    },
  });
  it.each([
    ['reg.example.com/team/app:1.0', 'docker reg.example.com/team/app:1.0'],
    ['reg.example.com/team/app:2.0', 'docker reg.example.com/team/app'],
    ['reg.example.com/team/other:1', 'docker reg.example.com/team'],
    ['reg.example.com/solo:1', 'docker reg.example.com'],
    ['other.example.com/x/y:1', 'docker *.example.com'],
    ['quay.io/x/y:1', 'docker ""'],
  ])('%s → %s', (ref, scope) => {
    expect(requirementsFor(p, 'docker', ref).scope).toBe(scope);
  });
  it('no docker transport section: default', () => {
    expect(requirementsFor(parse({ default: reject }), 'docker', 'quay.io/a:1').scope).toBe('default');
  });
});

function source(sigs: SigstoreSignature[]): SignatureSource & { asked: number } {
  const s = {
    asked: 0,
    async sigstore() {
      s.asked++;
      return sigs;
    },
    async simpleSigning() {
      return [];
    },
  };
  return s;
}

describe('evaluatePolicy', () => {
  const signer = cosignKeyPair();
  const stranger = cosignKeyPair();
  const keyFiles: Record<string, string> = {
    '/keys/signer.pub': signer.publicPem,
    '/keys/stranger.pub': stranger.publicPem,
  };
  const deps = {
    readKeyFile: async (p: string) => {
      if (!(p in keyFiles)) throw new Error(`ENOENT: ${p}`);
      return Buffer.from(keyFiles[p]);
    },
  };
  const sigFor = (key = signer, digest = D, repo = 'reg.example.com/team/app'): SigstoreSignature => {
    const payload = cosignPayload(repo, digest);
    return {
      mimeType: COSIGN_PAYLOAD_TYPE,
      payload,
      annotations: { [COSIGN_SIGNATURE_ANNOTATION]: cosignSign(key.privateKey, payload) },
    };
  };
  const sigstorePolicy = (extra: Record<string, unknown> = {}) =>
    parse({
      default: reject,
      transports: {
        docker: { 'reg.example.com/team': [{ type: 'sigstoreSigned', keyPath: '/keys/signer.pub', ...extra }] },
      },
    });
  const image = { digest: D, reference: 'reg.example.com/team/app:1.0' };
  const repoIdentity = { signedIdentity: { type: 'matchRepository' } };

  it('insecureAcceptAnything reads no signature', async () => {
    const src = source([]);
    const v = await evaluatePolicy(parse({ default: accept }), 'docker', image, src, deps);
    expect(v).toEqual({ allowed: true, scope: 'default', signers: [] });
    expect(src.asked).toBe(0);
  });

  it('reject names the image', async () => {
    const v = await evaluatePolicy(parse({ default: reject }), 'docker', image, source([]), deps);
    expect(v).toEqual({
      allowed: false,
      scope: 'default',
      reason: 'Running image docker://reg.example.com/team/app:1.0 is rejected by policy.',
    });
  });

  it('sigstoreSigned accepts a cosign signature by the key, naming the key and the identity', async () => {
    const v = await evaluatePolicy(sigstorePolicy(repoIdentity), 'docker', image, source([sigFor()]), deps);
    expect(v.allowed).toBe(true);
    if (v.allowed)
      expect(v.signers[0]).toMatch(/^sigstore key sha256:[0-9a-f]{64} \(identity reg.example.com\/team\/app\)$/);
  });

  // containers/image docker/docker_image_src.go GetSignaturesWithFormat: without
  // use-sigstore-attachments no attachment is read, so even a good signature is not seen.
  it('sigstoreSigned: attachments registries.d does not enable are not read, and the reason says so', async () => {
    const src = Object.assign(source([sigFor()]), {
      sigstoreNotRead: async () => 'set use-sigstore-attachments: true',
    });
    const v = await evaluatePolicy(sigstorePolicy(repoIdentity), 'docker', image, src, deps);
    expect(v).toEqual({
      allowed: false,
      scope: 'docker reg.example.com/team',
      reason: 'A signature was required, but no signature exists (set use-sigstore-attachments: true)',
    });
    expect(src.asked).toBe(0);
    const on = Object.assign(source([sigFor()]), { sigstoreNotRead: async () => undefined });
    expect((await evaluatePolicy(sigstorePolicy(repoIdentity), 'docker', image, on, deps)).allowed).toBe(true);
  });

  it('the default signedIdentity (matchRepoDigestOrExact) rejects cosign’s repository-only identity for a tag', async () => {
    // cosign signs `Image.Repository.Name()`, a name without tag; upstream refuses name-only identities here.
    const v = await evaluatePolicy(sigstorePolicy(), 'docker', image, source([sigFor()]), deps);
    expect(v).toMatchObject({
      allowed: false,
      reason: 'Signature for identity "reg.example.com/team/app" is not accepted',
    });
  });

  it.each<[string, () => SigstoreSignature[], string]>([
    ['no signature', () => [], 'A signature was required, but no signature exists'],
    ['another key', () => [sigFor(stranger)], 'cryptographic signature verification failed: invalid signature'],
    ['another digest', () => [sigFor(signer, OTHER)], `Signature for digest ${OTHER} does not match`],
    [
      'another repository',
      () => [sigFor(signer, D, 'reg.example.com/team/evil')],
      'Signature for identity "reg.example.com/team/evil" is not accepted',
    ],
    ['no annotation', () => [{ ...sigFor(), annotations: {} }], `missing ${COSIGN_SIGNATURE_ANNOTATION} annotation`],
    [
      'not a signature layer',
      () => [{ ...sigFor(), mimeType: 'application/json' }],
      '1 sigstore non-signature attachments',
    ],
    [
      'two bad ones',
      () => [sigFor(stranger), sigFor(signer, OTHER)],
      'None of the signatures were accepted, reasons: cryptographic signature verification failed: invalid signature; ' +
        `Signature for digest ${OTHER} does not match`,
    ],
  ])('sigstoreSigned rejects %s', async (_n, sigs, reason) => {
    const v = await evaluatePolicy(sigstorePolicy(repoIdentity), 'docker', image, source(sigs()), deps);
    expect(v.allowed).toBe(false);
    if (!v.allowed) {
      expect(v.reason).toContain(reason);
      expect(v.scope).toBe('docker reg.example.com/team');
    }
  });

  it('one good signature among bad ones is enough', async () => {
    const v = await evaluatePolicy(
      sigstorePolicy(repoIdentity),
      'docker',
      image,
      source([sigFor(stranger), sigFor()]),
      deps,
    );
    expect(v.allowed).toBe(true);
  });

  it('a payload whose critical part has an unknown key is refused even when signed', async () => {
    const doc = JSON.parse(cosignPayload('reg.example.com/team/app', D).toString());
    doc.critical.extra = 1;
    const payload = Buffer.from(JSON.stringify(doc));
    const sig = {
      mimeType: COSIGN_PAYLOAD_TYPE,
      payload,
      annotations: { [COSIGN_SIGNATURE_ANNOTATION]: cosignSign(signer.privateKey, payload) },
    };
    const v = await evaluatePolicy(sigstorePolicy(repoIdentity), 'docker', image, source([sig]), deps);
    expect(v).toMatchObject({ allowed: false, reason: 'invalid signature: Unknown key "extra" in critical' });
  });

  it('keyPaths: any key may have signed; keyData works the same', async () => {
    const many = sigstorePolicy({
      keyPath: undefined,
      keyPaths: ['/keys/stranger.pub', '/keys/signer.pub'],
      ...repoIdentity,
    });
    expect((await evaluatePolicy(many, 'docker', image, source([sigFor()]), deps)).allowed).toBe(true);
    const data = parse({
      default: [{ type: 'sigstoreSigned', keyData: Buffer.from(signer.publicPem).toString('base64'), ...repoIdentity }],
    });
    expect((await evaluatePolicy(data, 'docker', image, source([sigFor()]), deps)).allowed).toBe(true);
  });

  it('a key file that cannot be read or parsed rejects with the reason', async () => {
    keyFiles['/keys/garbage.pub'] = 'not a key';
    const missing = parse({ default: [{ type: 'sigstoreSigned', keyPath: '/keys/none.pub' }] });
    expect(await evaluatePolicy(missing, 'docker', image, source([sigFor()]), deps)).toMatchObject({
      allowed: false,
      reason: 'cannot use the public key of keyPath /keys/none.pub: ENOENT: /keys/none.pub',
    });
    const garbage = parse({ default: [{ type: 'sigstoreSigned', keyPath: '/keys/garbage.pub' }] });
    expect(await evaluatePolicy(garbage, 'docker', image, source([sigFor()]), deps)).toMatchObject({
      allowed: false,
      reason: 'cannot use the public key of keyPath /keys/garbage.pub: not a PEM or DER public key',
    });
  });

  it('by digest too: a repository-only identity is never "exact" (cosign signatures need matchRepository)', async () => {
    const byDigest = { digest: D, reference: `reg.example.com/team/app@${D}` };
    expect(await evaluatePolicy(sigstorePolicy(), 'docker', byDigest, source([sigFor()]), deps)).toMatchObject({
      allowed: false,
      reason: 'Signature for identity "reg.example.com/team/app" is not accepted',
    });
    expect(
      (await evaluatePolicy(sigstorePolicy(repoIdentity), 'docker', byDigest, source([sigFor()]), deps)).allowed,
    ).toBe(true);
  });

  it('signedBy without a simple-signing verifier rejects: not supported yet', async () => {
    const p = parse({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k.gpg' }] });
    expect(await evaluatePolicy(p, 'docker', image, source([]), deps)).toMatchObject({
      allowed: false,
      reason: 'signedBy (GPG simple signing) requirements are not supported yet',
    });
  });

  it('signedBy goes to the injected verifier with the requirement and the image', async () => {
    const p = parse({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k.gpg' }] });
    const seen: unknown[] = [];
    const src: SignatureSource = { sigstore: async () => [], simpleSigning: async () => [Buffer.from('sig1')] };
    const v = await evaluatePolicy(p, 'docker', { digest: D, reference: 'reg.example.com/team/app' }, src, {
      ...deps,
      verifySimpleSigning: async (sig, req, img) => {
        seen.push([Buffer.from(sig).toString(), req.keyPath, img]);
        return { ok: true, signer: 'gpg key ABCD' };
      },
    });
    expect(v).toEqual({ allowed: true, scope: 'default', signers: ['gpg key ABCD'] });
    // A reference without tag is the docker transport's `:latest`.
    expect(seen).toEqual([['sig1', '/k.gpg', { digest: D, reference: 'reg.example.com/team/app:latest' }]]);
  });
});
