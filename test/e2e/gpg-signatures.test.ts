/**
 * GPG simple signing (`signedBy`) policies end to end: images in Debian's docker-registry signed
 * with `skopeo copy --sign-by FINGERPRINT` into a file:// lookaside that a registries.d folder
 * names (containers-registries.d(5)); isctl imports through `import-image` and `refresh` with
 * `--signature-policy` and `--registries-d`, and skopeo (`skopeo copy --policy`, containers/image
 * signature/policy_eval_signedby.go) is the oracle for every verdict. A rejection leaves the tag
 * on its previous image and rolls nothing out.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type GpgHome, gpgHome } from '../helpers/gpg.js';
import { ensureBuilt, runCli, spawnCli, tempDir } from '../helpers/index.js';
import { freePort, pushImage, skopeoRawDigest, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import { followingDeploymentConfig } from '../fixtures/workloads.js';

const run = promisify(execFile);
let reg: TestRegistry;
let gpg: GpgHome;
let work: string;
let registriesD: string;
let sigs: string;
let A: string;
let B: string;
let keyA: string;

beforeAll(async () => {
  [reg, gpg] = await Promise.all([startRegistry({ mode: 'plain' }), gpgHome()]);
  work = tempDir('gpg-e2e');
  sigs = path.join(work, 'sigs');
  registriesD = path.join(work, 'registries.d');
  fs.mkdirSync(registriesD);
  fs.writeFileSync(
    path.join(registriesD, 'lookaside.yaml'),
    `docker:\n  ${reg.host}/gpg:\n    lookaside: ${pathToFileURL(sigs).href}\n`,
  );
  A = await gpg.generateKey('a@example.invalid');
  B = await gpg.generateKey('b@example.invalid');
  keyA = await gpg.exportKey(A);
}, 120_000);
afterAll(async () => {
  await Promise.all([reg?.stop(), gpg?.stop()]);
});

const DC = followingDeploymentConfig('app:1.0');

const streamFile = (dir: string) => path.join(dir, 'imagestreams', 'default', 'app.yaml');
const tagStatus = (dir: string) => parse(fs.readFileSync(streamFile(dir), 'utf8')).status.tags[0];
const images = (dir: string) => tagStatus(dir).items.map((i: { image: string }) => i.image);

/** A new image for gpg/app:1.0 (built in Node), copied there by skopeo, signed by `signBy` if given. */
async function publish(seed: string, signBy?: string): Promise<string> {
  await pushImage(reg, 'gpg-src/app', '1.0', { seed });
  await run(
    'skopeo',
    [
      'copy',
      '--registries.d',
      registriesD,
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...(signBy ? ['--sign-by', signBy] : []),
      `docker://${reg.host}/gpg-src/app:1.0`,
      `docker://${reg.host}/gpg/app:1.0`,
    ],
    { env: gpg.env, timeout: 60_000 },
  );
  return skopeoRawDigest(reg, 'gpg/app:1.0');
}

/** skopeo's verdict on the same policy and registries.d. */
async function skopeoAccepts(policy: string): Promise<boolean> {
  const out = path.join(tempDir('gpg-e2e-out'), 'image');
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
        `docker://${reg.host}/gpg/app:1.0`,
        `dir:${out}`,
      ],
      { env: gpg.env, timeout: 60_000 },
    );
    return true;
  } catch {
    return false;
  }
}

describe('signedBy policies at import', () => {
  it('accepts what skopeo accepts and rejects what it rejects, without moving the tag or rolling out', async () => {
    const dir = tempDir();
    const repo = `${reg.host}/gpg/app`;
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: { docker: { [`${reg.host}/gpg`]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: keyA }] } },
      }),
    );
    fs.writeFileSync(path.join(dir, 'web-dc.yaml'), DC);
    const flags = ['--signature-policy', policyFile, '--registries-d', registriesD];

    // 1. Signed by the policy key: accepted by skopeo and isctl; the tag moves, the DC rolls out.
    const first = await publish('gpg-first', A);
    expect(await skopeoAccepts(policyFile)).toBe(true);
    const ok = await runCli(['import-image', 'app:1.0', '--from', `${repo}:1.0`, '--confirm', '--insecure', ...flags], {
      dir,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(images(dir)).toEqual([first]);
    const dcText = fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8');
    expect(parse(dcText).spec.template.spec.containers[0].image).toBe(`${repo}@${first}`);
    const described = await runCli(['describe', 'istag', 'app:1.0'], { dir });
    const lines = described.stdout.split('\n').map((l) => l.replace(/\t+/g, ' '));
    expect(lines).toContain(`Signed By: GPG key ${A} (identity ${repo}:1.0)`);
    expect(lines).toContain(`Signature Policy: ${policyFile} (docker ${reg.host}/gpg)`);
    const firstSignature = path.join(sigs, `gpg/app@${first.replace(':', '=')}`, 'signature-1');

    // 2–4. New images the policy rejects: unsigned, signed by another key, a signature for another digest.
    const cases: [string, () => Promise<string>, RegExp][] = [
      ['unsigned', () => publish('gpg-unsigned'), /A signature was required, but no signature exists/],
      ['another key', () => publish('gpg-other-key', B), /signature by key [0-9A-F]{16} is not accepted/],
      [
        'another digest',
        async () => {
          const d = await publish('gpg-other-digest');
          const folder = path.join(sigs, `gpg/app@${d.replace(':', '=')}`);
          fs.mkdirSync(folder, { recursive: true });
          fs.copyFileSync(firstSignature, path.join(folder, 'signature-1'));
          return d;
        },
        new RegExp(`Signature for digest ${first} does not match`),
      ],
    ];
    for (const [name, make, reason] of cases) {
      const next = await make();
      expect(await skopeoAccepts(policyFile), name).toBe(false);
      const r = await runCli(['refresh', '-o', 'json', '--exit-code', ...flags], { dir });
      expect(r.code, `${name}: ${r.stderr}`).not.toBe(0);
      const outcome = JSON.parse(r.stdout).outcomes[0];
      expect(outcome, name).toMatchObject({ status: 'failed', reason: 'SignatureRejected' });
      expect(outcome.error.message, name).toContain(`image ${repo}:1.0@${next} rejected by signature policy`);
      expect(outcome.error.message, name).toMatch(reason);
      expect(images(dir), name).toEqual([first]);
      expect(tagStatus(dir).conditions[0], name).toMatchObject({
        type: 'ImportSuccess',
        status: 'False',
        reason: 'SignatureRejected',
      });
      expect(fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8'), name).toBe(dcText);
    }

    // 5. Signed by the policy key again: accepted, the tag moves and the DC follows.
    const last = await publish('gpg-last', A);
    expect(await skopeoAccepts(policyFile)).toBe(true);
    const moved = await runCli(['refresh', '--exit-code', ...flags], { dir });
    expect(moved.code, moved.stderr).toBe(1);
    expect(images(dir)).toEqual([last, first]);
    const dc = parse(fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8'));
    expect(dc.spec.template.spec.containers[0].image).toBe(`${repo}@${last}`);
  }, 180_000);

  it('through a mirror: the lookaside of the mirror repository is read, the identity is the source (as skopeo does)', async () => {
    const dir = tempDir();
    // The source is down (nothing listens there); the mirror serves it.
    const src = `127.0.0.1:${await freePort()}`;
    const conf = path.join(dir, 'registries.conf');
    fs.writeFileSync(
      conf,
      [
        '[[registry]]',
        `prefix = "${src}/team"`,
        `location = "${src}/team"`,
        'insecure = true',
        '[[registry.mirror]]',
        `location = "${reg.host}/gpg/mirror/team"`,
        'insecure = true',
        '',
      ].join('\n'),
    );
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: { docker: { [`${src}/team`]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: keyA }] } },
      }),
    );
    await pushImage(reg, 'gpg-src/app', '1.0', { seed: 'gpg-mirrored' });
    // Signed by skopeo while copying to the mirror: the signature names the mirror's repository.
    await run(
      'skopeo',
      [
        'copy',
        '--registries.d',
        registriesD,
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--sign-by',
        A,
        `docker://${reg.host}/gpg-src/app:1.0`,
        `docker://${reg.host}/gpg/mirror/team/app:1.0`,
      ],
      { env: gpg.env, timeout: 60_000 },
    );
    const digest = await skopeoRawDigest(reg, 'gpg/mirror/team/app:1.0');
    const skopeoVerdict = async () => {
      try {
        await run(
          'skopeo',
          [
            'copy',
            '--policy',
            policyFile,
            '--registries.d',
            registriesD,
            '--registries-conf',
            conf,
            `docker://${src}/team/app:1.0`,
            `dir:${path.join(tempDir('gpg-e2e-out'), 'image')}`,
          ],
          { env: gpg.env, timeout: 60_000 },
        );
        return true;
      } catch {
        return false;
      }
    };
    const args = ['--registries-conf', conf, 'import-image', 'app:1.0', '--from', `${src}/team/app:1.0`, '--confirm'];
    const flags = ['--signature-policy', policyFile, '--registries-d', registriesD];

    // The mirror's own name in the signature: the policy checks the source as named, so both refuse.
    expect(await skopeoVerdict()).toBe(false);
    const refused = await runCli([...args, ...flags], { dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Signature for identity ".*gpg\/mirror\/team\/app:1.0" is not accepted/);

    // A signature for the source's name replaces it in the mirror repository's lookaside: both accept.
    const manifest = path.join(dir, 'manifest.json');
    const { stdout } = await run(
      'skopeo',
      ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/gpg/mirror/team/app:1.0`],
      {
        encoding: 'buffer',
      },
    );
    fs.writeFileSync(manifest, stdout);
    const folder = path.join(sigs, `gpg/mirror/team/app@${digest.replace(':', '=')}`);
    await run(
      'skopeo',
      ['standalone-sign', manifest, `${src}/team/app:1.0`, A, '-o', path.join(folder, 'signature-1')],
      {
        env: gpg.env,
        timeout: 60_000,
      },
    );
    expect(await skopeoVerdict()).toBe(true);
    const ok = await runCli([...args, ...flags], { dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(images(dir)).toEqual([digest]);
    const described = await runCli(['describe', 'istag', 'app:1.0'], { dir });
    expect(described.stdout.replace(/\t+/g, ' ')).toContain(`Signed By: GPG key ${A} (identity ${src}/team/app:1.0)`);
  }, 120_000);

  it('the built CLI (spawned: OpenPGP.js loaded from dist/openpgp.cjs) accepts the signed image', async () => {
    await ensureBuilt();
    const dir = tempDir();
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: keyA }] }),
    );
    const digest = await publish('gpg-spawned', A);
    const args = ['import-image', 'app:1.0', '--from', `${reg.host}/gpg/app:1.0`, '--confirm', '--insecure'];
    const r = await spawnCli([...args, '--signature-policy', policyFile, '--registries-d', registriesD], { dir }).done;
    expect(r.code, r.stderr).toBe(0);
    expect(images(dir)).toEqual([digest]);
  }, 120_000);

  it('a --registries-d folder that does not exist fails the import with a clear error; no image is recorded', async () => {
    const dir = tempDir();
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({ default: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: keyA }] }),
    );
    const missing = path.join(dir, 'no-such-registries.d');
    const r = await runCli(
      [
        'import-image',
        'app:1.0',
        '--from',
        `${reg.host}/gpg/app:1.0`,
        '--confirm',
        '--insecure',
        '--signature-policy',
        policyFile,
        '--registries-d',
        missing,
      ],
      { dir },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read the registries.d folder ${missing}: no such folder`);
    const status = tagStatus(dir);
    expect(status.items ?? []).toEqual([]);
    expect(status.conditions[0]).toMatchObject({ type: 'ImportSuccess', status: 'False' });
    expect(status.conditions[0].message).toContain('cannot read the registries.d folder');
  }, 60_000);
});
