/**
 * GPG simple signing against skopeo as the oracle. Images are pushed to Debian's docker-registry,
 * signed with `skopeo copy --sign-by FINGERPRINT` into a file:// lookaside named by a registries.d
 * folder (containers-registries.d(5)), and every (policy, image) pair is decided twice: by
 * `skopeo copy --policy policy.json docker://… dir:…` (containers/image
 * signature/policy_eval_signedby.go) and, on the same policy file, by isctl's policy evaluator,
 * registries.d lookup, lookaside reader and GPG verification. The two must agree, and each case
 * also states the expected answer.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySimpleSigning } from '../../src/domain/signature/gpg.js';
import { evaluatePolicy, parsePolicy } from '../../src/domain/signature/policy.js';
import { HttpTransport } from '../../src/registry/http.js';
import { createLookasideSource } from '../../src/registry/lookaside.js';
import { type GpgHome, gpgHome } from '../helpers/gpg.js';
import { tempDir } from '../helpers/index.js';
import { pushImage, skopeoRawDigest, startRegistry, type TestRegistry } from '../helpers/registry/index.js';

const run = promisify(execFile);
let reg: TestRegistry;
let gpg: GpgHome;
let work: string;
let registriesD: string;
let sigs: string;
const key: Record<'A' | 'B', { fpr: string; binary: string; armored: string }> = {} as never;
let keyringAB: string;

beforeAll(async () => {
  [reg, gpg] = await Promise.all([startRegistry({ mode: 'plain' }), gpgHome()]);
  work = tempDir('gpg-lookaside');
  sigs = path.join(work, 'sigs');
  registriesD = path.join(work, 'registries.d');
  fs.mkdirSync(registriesD);
  fs.writeFileSync(
    path.join(registriesD, 'lookaside.yaml'),
    `docker:\n  ${reg.host}:\n    lookaside: ${pathToFileURL(sigs).href}\n`,
  );
  for (const [name, algo] of [
    ['A', 'rsa3072'],
    ['B', 'ed25519'],
  ] as const) {
    const fpr = await gpg.generateKey(`${name.toLowerCase()}@example.invalid`, algo);
    key[name] = { fpr, binary: await gpg.exportKey(fpr), armored: await gpg.exportKey(fpr, true) };
  }
  keyringAB = path.join(work, 'ab.gpg');
  await run('gpg', ['--batch', '--output', keyringAB, '--export', key.A.fpr, key.B.fpr], { env: gpg.env });
  await pushImage(reg, 'team/app', '1.0', { seed: 'gpg-app' });
  await pushImage(reg, 'team/other', '1.0', { seed: 'gpg-other' });
  // signed/a: by A. signed/b: by B. signed/none: not signed. signed/two: A's signature of
  // signed/a carried along, then B's. signed/wrong-digest: A's signature for another image's
  // digest, stored under this image's digest.
  await copy('team/app:1.0', 'signed/a:1.0', key.A.fpr);
  await copy('team/app:1.0', 'signed/b:1.0', key.B.fpr);
  await copy('team/app:1.0', 'signed/none:1.0');
  await copy('signed/a:1.0', 'signed/two:1.0', key.B.fpr);
  await copy('team/other:1.0', 'signed/wrong-digest:1.0', key.A.fpr);
  const otherDigest = await skopeoRawDigest(reg, 'signed/wrong-digest:1.0');
  await copy('team/app:1.0', 'signed/wrong-digest:1.0');
  const appDigest = await skopeoRawDigest(reg, 'signed/wrong-digest:1.0');
  const folder = (d: string) => path.join(sigs, `signed/wrong-digest@${d.replace(':', '=')}`);
  fs.mkdirSync(folder(appDigest), { recursive: true });
  fs.copyFileSync(path.join(folder(otherDigest), 'signature-1'), path.join(folder(appDigest), 'signature-1'));
}, 180_000);

afterAll(async () => {
  await Promise.all([reg?.stop(), gpg?.stop()]);
});

async function copy(from: string, to: string, signBy?: string): Promise<void> {
  await run(
    'skopeo',
    [
      'copy',
      '--registries.d',
      registriesD,
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...(signBy ? ['--sign-by', signBy] : []),
      `docker://${reg.host}/${from}`,
      `docker://${reg.host}/${to}`,
    ],
    { env: gpg.env, timeout: 60_000 },
  );
}

type Req = Record<string, unknown>;

/** A policy.json whose only scope is the test registry, holding one signedBy requirement. */
function writePolicy(req: Req): string {
  const policy = path.join(tempDir('gpg-policy'), 'policy.json');
  const requirement = { type: 'signedBy', keyType: 'GPGKeys', ...req };
  fs.writeFileSync(
    policy,
    JSON.stringify({ default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [requirement] } } }),
  );
  return policy;
}

/** skopeo's verdict: `skopeo copy --policy` to a dir: destination succeeds or fails. */
async function skopeoAccepts(policy: string, image: string): Promise<{ ok: boolean; message: string }> {
  const out = path.join(path.dirname(policy), 'out');
  try {
    await run(
      'skopeo',
      [
        'copy',
        '--policy',
        policy,
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        `docker://${reg.host}/${image}`,
        `dir:${out}`,
      ],
      { env: gpg.env, timeout: 60_000 },
    );
    return { ok: true, message: '' };
  } catch (e) {
    return { ok: false, message: String((e as { stderr?: string }).stderr ?? e) };
  }
}

const http = new HttpTransport({
  maxConnectionsPerRegistry: 2,
  http2: false,
  timeoutMs: 10_000,
  retries: 0,
  maxRetryAfterMs: 0,
  sleep: async () => undefined,
});
const lookaside = () =>
  createLookasideSource({
    send: (r) => http.send(r),
    tlsFor: () => ({ rejectUnauthorized: true }),
    registriesD,
    env: { HOME: work },
  });

/**
 * isctl's verdict on the same policy file: parsed and evaluated by src/domain/signature/policy.ts,
 * the signatures read from the lookaside registries.d names, each verified by gpg.ts.
 */
async function isctlAccepts(
  policyFile: string,
  image: string,
): Promise<{ ok: boolean; reason: string; signers: string[] }> {
  const [repo, tag] = image.split(':');
  const digest = await skopeoRawDigest(reg, image);
  const policy = parsePolicy(fs.readFileSync(policyFile, 'utf8'), policyFile);
  const readFile = async (p: string) => new Uint8Array(fs.readFileSync(p));
  const source = lookaside();
  const verdict = await evaluatePolicy(
    policy,
    'docker',
    { digest, reference: `${reg.host}/${image}` },
    {
      sigstore: async () => [],
      simpleSigning: () => source.simpleSigning({ host: reg.host, repository: repo, tag, digest }),
    },
    { readKeyFile: readFile, verifySimpleSigning: (sig, req, img) => verifySimpleSigning(sig, req, img, { readFile }) },
  );
  return verdict.allowed
    ? { ok: true, reason: '', signers: verdict.signers }
    : { ok: false, reason: verdict.reason, signers: [] };
}

describe('signedBy: isctl decides as skopeo does', () => {
  const cases: [string, () => Req, string, boolean, RegExp?][] = [
    ['signed by the policy key (binary keyPath)', () => ({ keyPath: key.A.binary }), 'signed/a:1.0', true],
    ['signed by the policy key (armored keyPath)', () => ({ keyPath: key.A.armored }), 'signed/a:1.0', true],
    [
      'signed by the policy key (keyData)',
      () => ({ keyData: fs.readFileSync(key.A.armored).toString('base64') }),
      'signed/a:1.0',
      true,
    ],
    ['signed by one key of a two-key keyring', () => ({ keyPath: keyringAB }), 'signed/b:1.0', true],
    ['not signed', () => ({ keyPath: key.A.binary }), 'signed/none:1.0', false, /no signature exists/],
    ['signed by another key', () => ({ keyPath: key.A.binary }), 'signed/b:1.0', false, /not accepted/],
    [
      'a signature for another digest',
      () => ({ keyPath: key.A.binary }),
      'signed/wrong-digest:1.0',
      false,
      /Signature for digest sha256:[0-9a-f]+ does not match/,
    ],
    ['two signatures, the second by the policy key', () => ({ keyPath: key.B.binary }), 'signed/two:1.0', true],
    [
      "two signatures, the policy key's for another identity",
      () => ({ keyPath: key.A.binary }),
      'signed/two:1.0',
      false,
      /Signature for identity ".*signed\/a:1.0" is not accepted/,
    ],
    [
      'two signatures, signedIdentity exactReference naming what the policy key signed',
      () => ({
        keyPath: key.A.binary,
        signedIdentity: { type: 'exactReference', dockerReference: `${reg.host}/signed/a:1.0` },
      }),
      'signed/two:1.0',
      true,
    ],
    [
      'signedIdentity matchRepository: a signature for another repository',
      () => ({ keyPath: key.A.binary, signedIdentity: { type: 'matchRepository' } }),
      'signed/two:1.0',
      false,
    ],
    ['keyPaths naming both keys', () => ({ keyPaths: [key.A.binary, key.B.armored] }), 'signed/b:1.0', true],
  ];
  it.each(cases)('%s', async (_what, req, image, expected, reason) => {
    const policy = writePolicy(req());
    const [mine, theirs] = await Promise.all([isctlAccepts(policy, image), skopeoAccepts(policy, image)]);
    expect(theirs.ok, theirs.message).toBe(expected);
    expect(mine.ok, mine.reason).toBe(expected);
    if (expected) {
      const fpr = image === 'signed/b:1.0' || /second/.test(_what) ? key.B.fpr : key.A.fpr;
      expect(mine.signers).toHaveLength(1);
      expect(mine.signers[0]).toMatch(new RegExp(`^GPG key ${fpr} \\(identity ${reg.host}/signed/[a-z]+:1\\.0\\)$`));
    }
    if (reason) expect(mine.reason).toMatch(reason);
  });

  it('the lookaside skopeo wrote is where isctl looks: signature-1, signature-2 under repo@sha256=HEX', async () => {
    const digest = await skopeoRawDigest(reg, 'signed/two:1.0');
    const folder = path.join(sigs, `signed/two@${digest.replace(':', '=')}`);
    expect(fs.readdirSync(folder).sort()).toEqual(['signature-1', 'signature-2']);
  });
});
