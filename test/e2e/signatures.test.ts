/**
 * Sigstore signature policies end to end against a real Distribution registry. Signatures are
 * made as cosign makes them (test/helpers/sigstore.ts: sigstore/cosign pkg/cosign/payload, the
 * `sha256-<hex>.sig` attachment with the `dev.cosignproject.cosign/signature` annotation) and
 * checked independently with `openssl dgst -sha256 -verify`; skopeo reads the attachment where
 * containers tools put it. The policy is containers-policy.json(5) with `sigstoreSigned`
 * (containers/image signature/policy_eval_sigstore.go). Every rejection leaves the tag on its
 * previous image and rolls nothing out.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, pushImage, pushSignatures, startRegistry, type TestRegistry } from '../helpers/registry/index.js';
import {
  cosignKeyPair,
  cosignPayload,
  cosignSign,
  EXAMPLE_LAYOUT,
  runCli,
  signatureTag,
  spawnCli,
  tempDir,
} from '../helpers/index.js';
import { followingDeploymentConfig } from '../fixtures/workloads.js';

const run = promisify(execFile);
let reg: TestRegistry;

beforeAll(async () => {
  reg = await startRegistry({ mode: 'plain' });
}, 60_000);
afterAll(async () => {
  await reg?.stop();
});

const DC = followingDeploymentConfig('app:1.0');

const streamFile = (dir: string) => path.join(dir, 'imagestreams', 'default', 'app.yaml');
const tagStatus = (dir: string) => parse(fs.readFileSync(streamFile(dir), 'utf8')).status.tags[0];

/** Signs `digest` of `repo` with `key` as cosign does; returns the layer and checks it with openssl. */
async function cosignLayer(dir: string, key: ReturnType<typeof cosignKeyPair>, repository: string, digest: string) {
  const payload = cosignPayload(repository, digest);
  const signature = cosignSign(key.privateKey, payload);
  // Independent check: OpenSSL verifies the DER ECDSA signature over the exact payload bytes.
  const pub = path.join(dir, 'openssl-pub.pem');
  fs.writeFileSync(pub, key.publicPem);
  fs.writeFileSync(path.join(dir, 'payload'), payload);
  fs.writeFileSync(path.join(dir, 'sig.der'), Buffer.from(signature, 'base64'));
  const { stdout } = await run('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', 'sig.der', 'payload'], {
    cwd: dir,
  });
  expect(stdout.trim()).toBe('Verified OK');
  return { payload, signature };
}

/**
 * A registries.d folder under `dir` whose `default-docker` (or the given scopes) sets
 * `use-sigstore-attachments: true`: containers/image docker/docker_image_src.go
 * GetSignaturesWithFormat reads the `.sig` attachment only then (docker/registries_d.go
 * `useSigstoreAttachments`, default false).
 */
function registriesD(dir: string, scopes?: string[]): string {
  const folder = path.join(dir, 'registries.d');
  fs.mkdirSync(folder, { recursive: true });
  const on = '  use-sigstore-attachments: true\n';
  const text = scopes ? `docker:\n${scopes.map((s) => `  ${s}:\n  ${on}`).join('')}` : `default-docker:\n${on}`;
  fs.writeFileSync(path.join(folder, 'sigstore.yaml'), text);
  return folder;
}

async function fingerprint(dir: string, pem: string): Promise<string> {
  const file = path.join(dir, 'fp.pem');
  fs.writeFileSync(file, pem);
  const der = path.join(dir, 'fp.der');
  await run('openssl', ['pkey', '-pubin', '-in', file, '-outform', 'DER', '-out', der]);
  const { stdout } = await run('openssl', ['dgst', '-sha256', '-r', der]);
  return `sha256:${stdout.split(' ')[0]}`;
}

describe('sigstoreSigned policies at import', () => {
  it('accepts the signed image, rejects unsigned, foreign-key and wrong-digest signatures without moving the tag', async () => {
    const dir = tempDir();
    const signer = cosignKeyPair();
    const stranger = cosignKeyPair();
    const keyFile = path.join(dir, 'cosign.pub');
    fs.writeFileSync(keyFile, signer.publicPem);
    const repo = `${reg.host}/sig/app`;
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: {
          docker: {
            // cosign signs the repository name: matchRepository (containers-policy.json(5)).
            [`${reg.host}/sig`]: [
              { type: 'sigstoreSigned', keyPath: keyFile, signedIdentity: { type: 'matchRepository' } },
            ],
          },
        },
      }),
    );
    fs.writeFileSync(path.join(dir, 'web-dc.yaml'), DC);
    const policy = ['--signature-policy', policyFile, '--registries-d', registriesD(dir)];

    // 1. Signed with the policy's key: accepted, the tag moves, the DeploymentConfig rolls out.
    const first = await pushImage(reg, 'sig/app', '1.0', { seed: 'sig-first' });
    await pushSignatures(reg, 'sig/app', first.digest, [await cosignLayer(dir, signer, repo, first.digest)]);
    // skopeo finds the attachment at the tag containers tools use.
    const { stdout: raw } = await run('skopeo', [
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${repo}:${signatureTag(first.digest)}`,
    ]);
    expect(JSON.parse(raw).layers[0].annotations).toHaveProperty(['dev.cosignproject.cosign/signature']);

    // No registries.d (HOME is the state folder, which has none): containers/image reads no
    // attachment (docker_image_src.go GetSignaturesWithFormat `if src.c.useSigstoreAttachments`), so
    // the signed image is rejected, the message says what to set, and the `.sig` tag is never requested.
    const importArgs = ['import-image', 'app:1.0', '--from', `${repo}:1.0`, '--confirm', '--insecure'];
    const off = await runCli([...importArgs, '--signature-policy', policyFile, '-v=6'], { dir });
    expect(off.code).toBe(1);
    expect(off.stderr).toContain(
      `rejected by signature policy ${policyFile} (docker ${reg.host}/sig): A signature was required, but no signature exists ` +
        `(sigstore attachments of ${repo} are not read: set use-sigstore-attachments: true for it (or for default-docker) in registries.d; ` +
        'no registries.d folder was found',
    );
    expect(off.stderr).toMatch(/ GET http:\/\/\S+\/manifests\/1\.0/);
    expect(off.stderr).not.toContain(signatureTag(first.digest));
    expect(tagStatus(dir).items).toBeNull();

    const ok = await runCli(
      ['import-image', 'app:1.0', '--from', `${repo}:1.0`, '--confirm', '--insecure', ...policy],
      {
        dir,
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(tagStatus(dir).items.map((i: { image: string }) => i.image)).toEqual([first.digest]);
    const dcText = fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8');
    expect(parse(dcText).spec.template.spec.containers[0].image).toBe(`${repo}@${first.digest}`);
    const streamText = fs.readFileSync(streamFile(dir), 'utf8');

    // describe istag names the key (its SubjectPublicKeyInfo fingerprint, as openssl computes it) and the identity.
    const described = await runCli(['describe', 'istag', 'app:1.0'], { dir });
    expect(described.code, described.stderr).toBe(0);
    const fp = await fingerprint(dir, signer.publicPem);
    const lines = described.stdout.split('\n').map((l) => l.replace(/\t+/g, ' '));
    expect(lines).toContain(`Signed By: sigstore key ${fp} (identity ${repo})`);
    expect(lines).toContain(`Signature Policy: ${policyFile} (docker ${reg.host}/sig)`);

    // 2–4. New images for 1.0 that the policy rejects: unsigned, signed by another key, a payload for another digest.
    const cases: [string, (digest: string) => Promise<void>, string][] = [
      ['unsigned', async () => undefined, 'A signature was required, but no signature exists'],
      [
        'another key',
        async (d) =>
          pushSignatures(reg, 'sig/app', d, [await cosignLayer(dir, stranger, repo, d)]).then(() => undefined),
        'cryptographic signature verification failed',
      ],
      [
        'another digest',
        async (d) =>
          pushSignatures(reg, 'sig/app', d, [await cosignLayer(dir, signer, repo, first.digest)]).then(() => undefined),
        `Signature for digest ${first.digest} does not match`,
      ],
    ];
    for (const [name, sign, reason] of cases) {
      const next = await pushImage(reg, 'sig/app', '1.0', { seed: `sig-${name}` });
      await sign(next.digest);
      const r = await runCli(['refresh', '-o', 'json', '--exit-code', ...policy], { dir });
      expect(r.code, `${name}: ${r.stderr}`).not.toBe(0);
      const outcome = JSON.parse(r.stdout).outcomes[0];
      expect(outcome, name).toMatchObject({
        status: 'failed',
        reason: 'SignatureRejected',
        error: { reason: 'SignatureRejected' },
      });
      expect(outcome.error.message, name).toContain(`image ${repo}:1.0@${next.digest} rejected by signature policy`);
      expect(outcome.error.message, name).toContain(reason);
      // The tag keeps its image and history; the condition says why; nothing rolled out.
      const status = tagStatus(dir);
      expect(
        status.items.map((i: { image: string }) => i.image),
        name,
      ).toEqual([first.digest]);
      expect(status.conditions[0], name).toMatchObject({
        type: 'ImportSuccess',
        status: 'False',
        reason: 'SignatureRejected',
      });
      expect(fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8'), name).toBe(dcText);
    }
    // As for any failed import, only the condition and the generation of the attempt changed:
    // the spec tag's source and the history are as they were.
    const after = parse(fs.readFileSync(streamFile(dir), 'utf8'));
    const before = parse(streamText);
    expect({ ...after.spec.tags[0], generation: 0 }).toEqual({ ...before.spec.tags[0], generation: 0 });
    expect(after.status.tags[0].items).toEqual(before.status.tags[0].items);
    const is = await runCli(['describe', 'is', 'app'], { dir });
    expect(is.stdout).toContain('! error: Import failed (SignatureRejected): image ');
    expect(is.stdout).toContain(`      signed by sigstore key ${fp} (identity ${repo})\n`);

    // 5. The same image signed properly: accepted, the tag moves and the DeploymentConfig follows.
    const last = await pushImage(reg, 'sig/app', '1.0', { seed: 'sig-another digest' });
    await pushSignatures(reg, 'sig/app', last.digest, [await cosignLayer(dir, signer, repo, last.digest)]);
    const moved = await runCli(['refresh', '--exit-code', ...policy], { dir });
    expect(moved.code, moved.stderr).toBe(1);
    expect(tagStatus(dir).items.map((i: { image: string }) => i.image)).toEqual([last.digest, first.digest]);
    expect(tagStatus(dir).conditions ?? []).toEqual([]);
    const dc = parse(fs.readFileSync(path.join(dir, 'web-dc.yaml'), 'utf8'));
    expect(dc.spec.template.spec.containers[0].image).toBe(`${repo}@${last.digest}`);
  }, 120_000);

  it('through a mirror: the mirror attachment is read, the policy and the identity are those of the source', async () => {
    const dir = tempDir();
    const signer = cosignKeyPair();
    const keyFile = path.join(dir, 'cosign.pub');
    fs.writeFileSync(keyFile, signer.publicPem);
    // The source is down (nothing listens there); its content, signatures included, is mirrored.
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
        `location = "${reg.host}/mirrored-sig/team"`,
        'insecure = true',
        '',
      ].join('\n'),
    );
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        default: [{ type: 'reject' }],
        transports: {
          docker: {
            [`${src}/team`]: [
              { type: 'sigstoreSigned', keyPath: keyFile, signedIdentity: { type: 'matchRepository' } },
            ],
          },
        },
      }),
    );
    // The registries.d scope is the repository contacted, the mirror's (docker_image_src.go builds
    // its client, and useSigstoreAttachments, from the physical reference).
    const args = [
      '--registries-conf',
      conf,
      'import-image',
      'app:1.0',
      '--from',
      `${src}/team/app:1.0`,
      '--confirm',
      '--registries-d',
      registriesD(dir, [`${reg.host}/mirrored-sig`]),
    ];

    // Signed for the mirror's own name: the identity is checked against the source as named, so it is refused.
    const wrong = await pushImage(reg, 'mirrored-sig/team/app', '1.0', { seed: 'mirror-wrong' });
    const mirrorRepo = `${reg.host}/mirrored-sig/team/app`;
    await pushSignatures(reg, 'mirrored-sig/team/app', wrong.digest, [
      await cosignLayer(dir, signer, mirrorRepo, wrong.digest),
    ]);
    const refused = await runCli([...args, '--signature-policy', policyFile], { dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Signature for identity "${mirrorRepo}" is not accepted`);
    expect(tagStatus(dir).items).toBeNull();
    expect(tagStatus(dir).conditions[0]).toMatchObject({ reason: 'SignatureRejected' });

    // Signed as the source: accepted from the mirror; describe names the mirror and the signer.
    const good = await pushImage(reg, 'mirrored-sig/team/app', '1.0', { seed: 'mirror-good' });
    await pushSignatures(reg, 'mirrored-sig/team/app', good.digest, [
      await cosignLayer(dir, signer, `${src}/team/app`, good.digest),
    ]);
    const ok = await runCli([...args, '--signature-policy', policyFile], { dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(tagStatus(dir).items[0]).toMatchObject({
      image: good.digest,
      dockerImageReference: `${src}/team/app@${good.digest}`,
    });
    const d = await runCli(['describe', 'istag', 'app:1.0'], { dir });
    const lines = d.stdout.split('\n').map((l) => l.replace(/\t+/g, ' '));
    expect(lines).toContain(`Pulled From Mirror: ${mirrorRepo}`);
    expect(lines).toContain(
      `Signed By: sigstore key ${await fingerprint(dir, signer.publicPem)} (identity ${src}/team/app)`,
    );
  });

  it('tag and serve --once enforce the policy too: a rejected image is recorded as a failure and sets no image', async () => {
    const dir = tempDir();
    const signer = cosignKeyPair();
    const keyFile = path.join(dir, 'cosign.pub');
    fs.writeFileSync(keyFile, signer.publicPem);
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        default: [{ type: 'sigstoreSigned', keyPath: keyFile, signedIdentity: { type: 'matchRepository' } }],
      }),
    );
    await pushImage(reg, 'sig/other', '1.0', { seed: 'tag-unsigned' });
    const env = { ISCTL_SIGNATURE_POLICY: policyFile };
    const rd = ['--registries-d', registriesD(dir)];
    const tagged = await runCli(['tag', `${reg.host}/sig/other:1.0`, 'other:1.0', '--insecure', ...rd], { dir, env });
    // As tag does for any import failure (oc tag sets the spec; the import result is the status):
    // the spec tag is set, the status has no image and the condition says why, in the printed diff.
    expect(tagged.code, tagged.stderr).toBe(0);
    expect(tagged.stdout).toContain('+      reason: SignatureRejected\n');
    const other = () => parse(fs.readFileSync(path.join(dir, 'imagestreams', 'default', 'other.yaml'), 'utf8'));
    expect(other().status.tags[0].items).toBeNull();
    expect(other().status.tags[0].conditions[0]).toMatchObject({ reason: 'SignatureRejected' });

    // serve --once re-imports scheduled tags with the same policy: still rejected, exit 2 (something failed).
    const sched = await runCli(['tag', `${reg.host}/sig/other:1.0`, 'other:1.0', '--insecure', '--scheduled', ...rd], {
      dir,
      env,
    });
    expect(sched.code, sched.stderr).toBe(0);
    const once = await runCli(['serve', '--once', '--log-format', 'text', ...rd], { dir, env });
    expect(once.code, once.stderr).toBe(2);
    expect(once.stderr).toContain('SignatureRejected');
    expect(other().status.tags[0].items).toBeNull();
  });

  it('the built CLI with --verify-signatures reads ~/.config/containers/policy.json and relative key paths from its working directory', async () => {
    const dir = tempDir();
    const home = tempDir();
    const signer = cosignKeyPair();
    fs.writeFileSync(path.join(dir, 'cosign.pub'), signer.publicPem);
    fs.mkdirSync(path.join(home, '.config', 'containers'), { recursive: true });
    fs.writeFileSync(
      path.join(home, '.config', 'containers', 'policy.json'),
      JSON.stringify({
        default: [{ type: 'sigstoreSigned', keyPath: 'cosign.pub', signedIdentity: { type: 'matchRepository' } }],
      }),
    );
    // registries.d in its default place, ~/.config/containers/registries.d.
    registriesD(path.join(home, '.config', 'containers'));
    const img = await pushImage(reg, 'sig/built', '1.0', { seed: 'built' });
    const args = ['import-image', 'built:1.0', '--from', `${reg.host}/sig/built:1.0`, '--confirm', '--insecure'];
    // Without --verify-signatures the home policy is not applied (it would reject: nothing is signed yet).
    const plain = await spawnCli(args, { dir: tempDir(), env: { HOME: home } }).done;
    expect(plain.code, plain.stderr).toBe(0);

    const unsigned = await spawnCli([...args, '--verify-signatures'], { dir, env: { HOME: home } }).done;
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain(
      `rejected by signature policy ${path.join(home, '.config', 'containers', 'policy.json')} (default): ` +
        'A signature was required, but no signature exists',
    );
    await pushSignatures(reg, 'sig/built', img.digest, [
      await cosignLayer(dir, signer, `${reg.host}/sig/built`, img.digest),
    ]);
    const signed = await spawnCli([...args, '--verify-signatures'], { dir, env: { HOME: home } }).done;
    expect(signed.code, signed.stderr).toBe(0);
    const status = parse(fs.readFileSync(path.join(dir, 'imagestreams', 'default', 'built.yaml'), 'utf8')).status;
    expect(status.tags[0].items[0].image).toBe(img.digest);
  });

  it('an oci: layout is judged by the scope of its folder or of a parent folder, as skopeo judges it', async () => {
    // oci/layout ociReference.PolicyConfigurationNamespaces: the layout folder, then its parents.
    const dir = tempDir();
    const policyFile = path.join(dir, 'policy.json');
    const parent = path.dirname(EXAMPLE_LAYOUT);
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        default: [{ type: 'insecureAcceptAnything' }],
        transports: { oci: { [parent]: [{ type: 'reject' }] } },
      }),
    );
    const skopeo = await run(
      'skopeo',
      ['--policy', policyFile, 'copy', `oci:${EXAMPLE_LAYOUT}:1.0`, `dir:${path.join(dir, 'copy')}`],
      {
        timeout: 60_000,
      },
    ).then(
      () => 'accepted',
      (e: { stderr?: string }) => e.stderr ?? '',
    );
    expect(skopeo).toContain(`Running image oci:${EXAMPLE_LAYOUT}:1.0 is rejected by policy.`);
    const r = await runCli(
      [
        'import-image',
        'hello:1.0',
        '--from',
        `oci:${EXAMPLE_LAYOUT}:1.0`,
        '--confirm',
        '--signature-policy',
        policyFile,
      ],
      {
        dir,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `rejected by signature policy ${policyFile} (oci ${parent}): Running image oci://${EXAMPLE_LAYOUT} is rejected by policy.`,
    );
    expect(fs.readFileSync(path.join(dir, 'imagestreams', 'default', 'hello.yaml'), 'utf8')).toContain(
      'reason: SignatureRejected',
    );
  });

  it('a policy.json giving `default` twice is refused as podman refuses it, not read as its last one', async () => {
    // JSON.parse keeps the last "default" (accept anything); containers/image refuses the file
    // (signature/internal/json.go ParanoidUnmarshalJSONObject: Duplicate key).
    const dir = tempDir();
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      '{\n  "default": [{ "type": "reject" }],\n  "default": [{ "type": "insecureAcceptAnything" }]\n}\n',
    );
    const args = ['import-image', 'app:1.0', '--from', `${reg.host}/sig/app:1.0`, '--confirm', '--insecure', '-v=6'];
    const r = await runCli([...args, '--signature-policy', policyFile], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: invalid signature policy ${policyFile}:3:3: Duplicate key "default": give it once (podman and skopeo refuse this file too)\n`,
    );
    expect(r.stderr).not.toMatch(/ (GET|HEAD) http/);
    expect(fs.existsSync(streamFile(dir))).toBe(false);
  });

  it('a policy isctl cannot honour (Fulcio, Rekor) or a missing policy file fails before anything is fetched or written', async () => {
    const dir = tempDir();
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        default: [{ type: 'sigstoreSigned', fulcio: { caPath: '/ca.pem' }, rekorPublicKeyPath: '/rekor.pub' }],
      }),
    );
    const args = ['import-image', 'app:1.0', '--from', `${reg.host}/sig/app:1.0`, '--confirm', '--insecure', '-v=6'];
    const r = await runCli([...args, '--signature-policy', policyFile], { dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: invalid signature policy ${policyFile}: default[0]: "fulcio", "rekorPublicKeyPath"`,
    );
    expect(r.stderr).not.toMatch(/ (GET|HEAD) http/);
    expect(fs.existsSync(streamFile(dir))).toBe(false);

    const missing = await runCli(args, { dir, env: { ISCTL_SIGNATURE_POLICY: path.join(dir, 'none.json') } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      `error: cannot read signature policy ${path.join(dir, 'none.json')}: no such file`,
    );
    expect(fs.existsSync(streamFile(dir))).toBe(false);

    // --verify-signatures with no policy file in the home folder (nor /etc/containers) says where it looked.
    const home = tempDir();
    const none = await runCli([...args, '--verify-signatures'], { dir, env: { HOME: home } });
    if (!fs.existsSync('/etc/containers/policy.json')) {
      expect(none.code).toBe(1);
      expect(none.stderr).toContain('error: --verify-signatures: no signature policy found');
    }
  });
});
