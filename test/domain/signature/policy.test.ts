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

/** The message parsePolicy refuses `text` with (it must refuse it). */
function refusal(text: string): string {
  try {
    parsePolicy(text, '/p/policy.json');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyFormatError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${text}`);
}

/**
 * What containers/image refuses and JSON.parse would let through: a key given twice (the last one
 * would win silently), as signature/policy_config_test.go checks with `duplicateFields` (via
 * addExtraJSONMember, which appends a second member of the same name) for every object of a policy.
 */
describe('parsePolicy: duplicate keys (containers/image ParanoidUnmarshalJSONObject "Duplicate key")', () => {
  const gpg = { type: 'signedBy', keyType: 'GPGKeys', keyData: 'YWJj', signedIdentity: { type: 'matchRepository' } };
  const valid = {
    default: [gpg],
    transports: { docker: { 'docker.io/library/busybox': [gpg], '': [{ type: 'insecureAcceptAnything' }] } },
  };
  /** addExtraJSONMember: `encoded` with `"name": value` appended as its last member. */
  const addExtraJSONMember = (encoded: string, name: string, value: unknown) =>
    `${encoded.slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(value)}}`;

  it('the document without duplicates is accepted', () => {
    expect(() => parsePolicy(JSON.stringify(valid), '/p/policy.json')).not.toThrow();
  });

  // TestPolicyUnmarshalJSON duplicateFields: "default", "transports".
  it.each(['default', 'transports'] as const)('top level: "%s" twice', (key) => {
    const text = addExtraJSONMember(JSON.stringify(valid), key, valid[key]);
    const column = text.lastIndexOf(`"${key}"`) + 1;
    expect(refusal(text)).toBe(
      `invalid signature policy /p/policy.json:1:${column}: Duplicate key "${key}": give it once (podman and skopeo refuse this file too)`,
    );
  });

  // TestPolicyTransportScopesWithTransportUnmarshalJSON "Duplicated fields": a scope, and the "" scope.
  it.each(['docker.io/library/busybox', ''])('a scope of transports.docker twice: "%s"', (scope) => {
    const scopes = JSON.stringify(valid.transports.docker);
    const twice = addExtraJSONMember(scopes, scope, [{ type: 'reject' }]);
    const text = JSON.stringify({ ...valid, transports: { docker: '@' } }).replace('"@"', twice);
    expect(refusal(text)).toContain(`: transports.docker: Duplicate key ${JSON.stringify(scope)}`);
  });

  it('a transport twice', () => {
    const text = `{"default":[{"type":"reject"}],"transports":{"docker":{},"docker":{"":[{"type":"reject"}]}}}`;
    expect(refusal(text)).toContain('/p/policy.json:1:58: transports: Duplicate key "docker"');
  });

  // TestPRSignedByUnmarshalJSON duplicateFields: type, keyType, keyData / keyPath / keyPaths, signedIdentity.
  it.each<[string, Record<string, unknown>]>([
    ['type', gpg],
    ['keyType', gpg],
    ['keyData', gpg],
    ['signedIdentity', gpg],
    ['keyPath', { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/foo/bar' }],
    ['keyPaths', { type: 'signedBy', keyType: 'GPGKeys', keyPaths: ['/1', '/2'] }],
  ])('signedBy: "%s" twice, named with its place in a scope', (key, req) => {
    const twice = addExtraJSONMember(JSON.stringify(req), key, req[key]);
    const text = `{"default":[{"type":"reject"}],"transports":{"docker":{"quay.io/ns":[{"type":"reject"},${twice}]}}}`;
    expect(refusal(text)).toContain(`: transports.docker["quay.io/ns"][1]: Duplicate key "${key}"`);
  });

  // TestPRInsecureAcceptAnythingUnmarshalJSON, TestPRRejectUnmarshalJSON, TestPRMMatchRepositoryUnmarshalJSON
  // and TestPRMExactReferenceUnmarshalJSON duplicateFields.
  it('insecureAcceptAnything, reject and signedIdentity objects: a key twice', () => {
    expect(refusal('{"default":[{"type":"insecureAcceptAnything","type":"insecureAcceptAnything"}]}')).toContain(
      '/p/policy.json:1:46: default[0]: Duplicate key "type"',
    );
    expect(refusal('{"default":[{"type":"reject","type":"reject"}]}')).toContain('default[0]: Duplicate key "type"');
    const identity = '{"type":"exactReference","dockerReference":"quay.io/a:1","dockerReference":"quay.io/a:2"}';
    expect(refusal(`{"default":[{"type":"sigstoreSigned","keyPath":"/k","signedIdentity":${identity}}]}`)).toContain(
      'default[0].signedIdentity: Duplicate key "dockerReference"',
    );
  });

  it('keys are compared as JSON reads them: an escaped spelling of the same key is the same key', () => {
    expect(refusal('{"default":[{"type":"reject"}],"def\\u0061ult":[{"type":"insecureAcceptAnything"}]}')).toContain(
      'Duplicate key "default"',
    );
  });

  it('the same key in two different objects is no duplicate; nor is a string value equal to a key', () => {
    const text =
      '{"default":[{"type":"reject"}],"transports":{"docker":{"":[{"type":"reject"}]},"oci":{"":[{"type":"reject"}]}}}';
    expect(() => parsePolicy(text, '/p/policy.json')).not.toThrow();
  });

  it('the line and column of the second key, on a file written over several lines', () => {
    const text = '{\n  "default": [{ "type": "reject" }],\n  "transports": {},\n  "default": []\n}\n';
    expect(refusal(text)).toMatch(/^invalid signature policy \/p\/policy\.json:4:3: Duplicate key "default"/);
  });
});

describe('parsePolicy: other documents containers/image refuses', () => {
  it.each<[string, string, string]>([
    // TestPRSignedByUnmarshalJSON breakFns: Invalid "keyType" field.
    [
      'signedBy keyType that is not one of sbKeyType',
      '{"default":[{"type":"signedBy","keyType":"this is invalid","keyPath":"/k"}]}',
      'default[0]: Unrecognized keyType value "this is invalid" (known: GPGKeys, signedByGPGKeys, X509Certificates, signedByX509CAs)',
    ],
    // TestPRSignedByUnmarshalJSON breakFns: Invalid "keyData" field ("this is invalid base64").
    [
      'signedBy keyData that is not base64',
      '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"this is invalid base64"}]}',
      'default[0]: "keyData" is not base64',
    ],
    [
      'signedBy keyData whose padding is missing (Go reads padded standard base64)',
      '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"YWJjZA"}]}',
      'default[0]: "keyData" is not base64',
    ],
    // policy_config_sigstore.go: keyData and keyDatas are []byte too.
    [
      'sigstoreSigned keyDatas entry that is not base64',
      '{"default":[{"type":"sigstoreSigned","keyDatas":["YWJj","not base64!"]}]}',
      'default[0]: "keyDatas[1]" is not base64',
    ],
    // Policy.UnmarshalJSON decodes "transports" through policyTransportsMap.UnmarshalJSON, which
    // ParanoidUnmarshalJSONObject refuses for anything but an object: null too ("JSON object expected").
    [
      '"transports": null',
      '{"default":[{"type":"reject"}],"transports":null}',
      'transports: must be an object of transport names',
    ],
  ])('%s', (_name, text, message) => {
    expect(refusal(text)).toBe(`invalid signature policy /p/policy.json: ${message}`);
  });

  // oci/layout/oci_transport_test.go TestTransportValidatePolicyConfigurationScope (oci/internal/oci_util.go ValidateScope).
  it.each<[string, string]>([
    ['relative/path', 'Invalid scope relative/path: must be an absolute path'],
    ['/', 'Invalid scope "/": Use the generic default scope ""'],
    [
      '/double//slashes',
      'Invalid scope /double//slashes: Uses non-canonical path format, perhaps try with path /double/slashes',
    ],
    ['/has/./dot', 'Invalid scope /has/./dot: Uses non-canonical path format, perhaps try with path /has/dot'],
    [
      '/has/dot/../dot',
      'Invalid scope /has/dot/../dot: Uses non-canonical path format, perhaps try with path /has/dot',
    ],
    [
      '/trailing/slash/',
      'Invalid scope /trailing/slash/: Uses non-canonical path format, perhaps try with path /trailing/slash',
    ],
  ])('an oci scope that is not an absolute canonical path: %s', (scope, message) => {
    const text = JSON.stringify({ default: reject, transports: { oci: { [scope]: accept } } });
    expect(refusal(text)).toBe(
      `invalid signature policy /p/policy.json: transports.oci[${JSON.stringify(scope)}]: ${message}`,
    );
  });

  it('oci scopes that are absolute canonical paths are accepted: /etc, /this/does/not/exist', () => {
    expect(() =>
      parse({ default: reject, transports: { oci: { '/etc': accept, '/this/does/not/exist': accept } } }),
    ).not.toThrow();
  });

  it('base64 keyData as Go reads it is accepted: padded, with line breaks', () => {
    const p = parsePolicy(
      '{"default":[{"type":"signedBy","keyType":"GPGKeys","keyData":"YWJj\\nZGVm\\r\\nZw=="}]}',
      '/p/policy.json',
    );
    expect(p.default[0]).toMatchObject({ type: 'signedBy', keyData: 'YWJj\nZGVm\r\nZw==' });
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
  // oci/layout ociReference.PolicyConfigurationNamespaces (oci_transport_test.go TestReferencePolicyConfigurationNamespaces:
  // the layout folder first, then its parent).
  it('oci: the layout folder, then each parent folder, then "", then default', () => {
    const p = parse({
      default: accept,
      transports: { oci: { '/srv/images': reject, '/srv/images/app': accept, '/opt': reject, '': accept } },
    });
    expect(requirementsFor(p, 'oci', '/srv/images/app').scope).toBe('oci /srv/images/app');
    expect(requirementsFor(p, 'oci', '/srv/images/other').scope).toBe('oci /srv/images');
    expect(requirementsFor(p, 'oci', '/srv/images/team/deep/layout').scope).toBe('oci /srv/images');
    expect(requirementsFor(p, 'oci', '/opt/x/').scope).toBe('oci /opt');
    expect(requirementsFor(p, 'oci', '/srv/images2').scope).toBe('oci ""');
    expect(requirementsFor(parse({ default: reject }), 'oci', '/srv/images').scope).toBe('default');
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
