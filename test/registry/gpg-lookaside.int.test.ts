/**
 * GPG simple signing against skopeo as the oracle. Images are pushed to Debian's docker-registry,
 * signed with `skopeo copy --sign-by FINGERPRINT` into a file:// lookaside named by a registries.d
 * folder (containers-registries.d(5)), and every (policy, image) pair is decided twice: by
 * `skopeo copy --policy policy.json docker://… dir:…` (containers/image
 * signature/policy_eval_signedby.go) and by isctl's registries.d lookup, lookaside reader and
 * signedBy verification. The two must agree, and each case also states the expected answer.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySignatureBlob } from '../../src/domain/signature/gpg-payload.js';
import { type GpgSignedByRequirement, verifySimpleSigning } from '../../src/domain/signature/gpg.js';
import { HttpTransport } from '../../src/registry/http.js';
import { readLookasideSignatures } from '../../src/registry/lookaside.js';
import { loadRegistriesD, lookasideBase } from '../../src/registry/registries-d.js';
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

type Req = Omit<GpgSignedByRequirement, 'type' | 'keyType'>;

/** skopeo's verdict: `skopeo copy --policy` to a dir: destination succeeds or fails. */
async function skopeoAccepts(req: Req, image: string): Promise<{ ok: boolean; message: string }> {
  const policy = path.join(tempDir('gpg-policy'), 'policy.json');
  const out = path.join(path.dirname(policy), 'out');
  const requirement = { type: 'signedBy', keyType: 'GPGKeys', ...req };
  fs.writeFileSync(
    policy,
    JSON.stringify({ default: [{ type: 'reject' }], transports: { docker: { [reg.host]: [requirement] } } }),
  );
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

/**
 * isctl's verdict, as the signedBy requirement is evaluated (policy_eval_signedby.go
 * `isRunningImageAllowed`): one accepted signature is enough; none at all is a rejection.
 */
async function isctlAccepts(req: Req, image: string): Promise<{ ok: boolean; reasons: string[]; signer?: string }> {
  const [repo, tag] = image.split(':');
  const digest = await skopeoRawDigest(reg, image);
  const ref = { name: `${reg.host}/${repo}`, tag };
  const config = await loadRegistriesD(registriesD, true);
  const base = lookasideBase(config, ref, { euid: process.geteuid?.() ?? 0, home: work }).url;
  const blobs = await readLookasideSignatures(base, digest, {
    send: (r) => http.send(r),
    tlsFor: () => ({ rejectUnauthorized: true }),
  });
  const reasons: string[] = [];
  const requirement: GpgSignedByRequirement = { type: 'signedBy', keyType: 'GPGKeys', ...req };
  const signed = { digest, reference: `${reg.host}/${image}` };
  for (const blob of blobs) {
    const c = classifySignatureBlob(blob);
    if (c.format !== 'simple-signing') {
      reasons.push(c.format === 'invalid' ? c.reason : 'not a simple signing signature');
      continue;
    }
    const v = await verifySimpleSigning(c.bytes, requirement, signed, {
      readFile: async (p) => new Uint8Array(fs.readFileSync(p)),
      // matchRepoDigestOrExact for a tagged image: the signed reference is the image's, exactly.
      identityMatches: (s, img) => s === img.reference,
    });
    if (v.ok) return { ok: true, reasons, signer: v.signer };
    reasons.push(v.reason);
  }
  if (blobs.length === 0) reasons.push('A signature was required, but no signature exists');
  return { ok: false, reasons };
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
  ];
  it.each(cases)('%s', async (_what, req, image, expected, reason) => {
    const [mine, theirs] = await Promise.all([isctlAccepts(req(), image), skopeoAccepts(req(), image)]);
    expect(theirs.ok, theirs.message).toBe(expected);
    expect(mine.ok, mine.reasons.join('; ')).toBe(expected);
    if (expected) expect(mine.signer).toBe(image === 'signed/a:1.0' ? key.A.fpr : key.B.fpr);
    if (reason) expect(mine.reasons.join('; ')).toMatch(reason);
  });

  it('the lookaside skopeo wrote is where isctl looks: signature-1, signature-2 under repo@sha256=HEX', async () => {
    const digest = await skopeoRawDigest(reg, 'signed/two:1.0');
    const folder = path.join(sigs, `signed/two@${digest.replace(':', '=')}`);
    expect(fs.readdirSync(folder).sort()).toEqual(['signature-1', 'signature-2']);
  });
});
