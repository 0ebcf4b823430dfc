/**
 * A GPG signature whose key is revoked or has expired is not accepted, however valid the key was
 * when it signed: containers/image verifies through gpgme (signature/mechanism_gpgme.go `Verify`
 * rejects any signature with a status), and gpg reports such a signature as REVKEYSIG or
 * EXPKEYSIG — the key's state now, not at signing time. The same holds for the signing subkey
 * (signature/mechanism_test.go "Valid signature with a revoked subkey", fixture
 * subkey-revoked.signature). Every key here is made by the real gpg in a throwaway home; keys that
 * must be valid when they sign and expired now sign under `--faked-system-time` ten days back.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySimpleSigning } from '../../../src/domain/signature/gpg.js';
import { tempDir } from '../../helpers/index.js';

const run = promisify(execFile);
const REF = 'registry.example/team/app:1.0';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const PAYLOAD = JSON.stringify({
  critical: {
    identity: { 'docker-reference': REF },
    image: { 'docker-manifest-digest': DIGEST },
    type: 'atomic container signature',
  },
  optional: {},
});

let root: string;
let env: NodeJS.ProcessEnv;
// Ten days ago, frozen: keys made then with a one-day lifetime expired nine days ago.
const past = (() => {
  const d = new Date(Date.now() - 10 * 86_400_000);
  return `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}!`;
})();

async function gpg(args: string[], options: { faked?: boolean; input?: string } = {}): Promise<string> {
  const all = ['--batch', '--no-tty', '--yes', ...(options.faked ? ['--faked-system-time', past] : []), ...args];
  const child = execFile('gpg', all, { env, timeout: 60_000 });
  if (options.input !== undefined) child.stdin!.end(options.input);
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0 && !args.includes('--verify')) throw new Error(`gpg ${args.join(' ')} exited with ${code}`);
  return stdout;
}

/** Makes a key (a signing primary, or a certify-only primary with a signing subkey); returns its fingerprint. */
async function makeKey(email: string, o: { subkey?: boolean; expire?: string; faked?: boolean }): Promise<string> {
  const primaryExpire = o.subkey ? 'never' : (o.expire ?? 'never');
  await gpg(
    [
      '--passphrase',
      '',
      '--quick-gen-key',
      `isctl test <${email}>`,
      'ed25519',
      o.subkey ? 'cert' : 'sign',
      primaryExpire,
    ],
    {
      faked: Boolean(o.faked),
    },
  );
  const out = await gpg(['--list-keys', '--with-colons', email]);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(out)![1];
  if (o.subkey)
    await gpg(['--passphrase', '', '--quick-add-key', fpr, 'ed25519', 'sign', o.expire ?? 'never'], {
      faked: Boolean(o.faked),
    });
  return fpr;
}

/** Signs the payload with the key (gpg picks its signing subkey when it has one); returns the signature file. */
async function sign(fpr: string, faked = false): Promise<Uint8Array> {
  const payload = path.join(root, 'payload.json');
  fs.writeFileSync(payload, PAYLOAD);
  const out = path.join(root, `${fpr}.sig`);
  await gpg(['-u', fpr, '--sign', '-o', out, payload], { faked });
  return new Uint8Array(fs.readFileSync(out));
}

async function exportKey(fpr: string): Promise<string> {
  const file = path.join(root, `${fpr}.gpg`);
  await gpg(['--output', file, '--export', fpr]);
  return file;
}

/** gpg's own verdict on the signature with this home's keyring: its status keyword (GOODSIG, REVKEYSIG, EXPKEYSIG…). */
async function gpgStatus(sig: Uint8Array): Promise<string> {
  const file = path.join(root, 'check.sig');
  fs.writeFileSync(file, sig);
  const status = await gpg(['--status-fd', '1', '--verify', file]);
  return /^\[GNUPG:\] (GOODSIG|EXPSIG|EXPKEYSIG|REVKEYSIG|BADSIG|ERRSIG)\b/m.exec(status)?.[1] ?? status;
}

async function verify(sig: Uint8Array, keyPath: string) {
  return verifySimpleSigning(
    sig,
    { type: 'signedBy', keyType: 'GPGKeys', keyPath, signedIdentity: { type: 'matchRepoDigestOrExact' } },
    { digest: DIGEST, reference: REF },
    { readFile: async (p) => new Uint8Array(fs.readFileSync(p)), now: () => new Date() },
  );
}

beforeAll(() => {
  root = tempDir('gpg-validity');
  const home = path.join(root, 'gnupg');
  fs.mkdirSync(home, { mode: 0o700 });
  env = { PATH: process.env.PATH, GNUPGHOME: home, HOME: root };
});

afterAll(async () => {
  await run('gpgconf', ['--kill', 'all'], { env, timeout: 10_000 }).catch(() => undefined);
});

describe('signedBy: the key must be valid now, not only when it signed', () => {
  it('a valid key: accepted (gpg: GOODSIG)', async () => {
    const fpr = await makeKey('valid@example.invalid', {});
    const sig = await sign(fpr);
    expect(await gpgStatus(sig)).toBe('GOODSIG');
    expect(await verify(sig, await exportKey(fpr))).toEqual({ ok: true, signer: `GPG key ${fpr} (identity ${REF})` });
  });

  it('a key revoked after it signed: rejected, naming the key (gpg: REVKEYSIG)', async () => {
    const fpr = await makeKey('revoked@example.invalid', {});
    const sig = await sign(fpr);
    expect(await verify(sig, await exportKey(fpr))).toMatchObject({ ok: true });
    // gpg writes a revocation certificate for every new key; its armor line is disarmed with ':'.
    const cert = fs.readFileSync(path.join(env.GNUPGHOME!, 'openpgp-revocs.d', `${fpr}.rev`), 'utf8');
    await gpg(['--import'], { input: cert.replace(/^:-----BEGIN/m, '-----BEGIN') });
    expect(await gpgStatus(sig)).toBe('REVKEYSIG');
    expect(await verify(sig, await exportKey(fpr))).toEqual({
      ok: false,
      reason: `signature by key ${fpr} is not accepted: the key is revoked`,
    });
  });

  it('a key that expired after it signed: rejected, naming the key (gpg: EXPKEYSIG)', async () => {
    const fpr = await makeKey('expired@example.invalid', { expire: '1d', faked: true });
    const sig = await sign(fpr, true);
    expect(await gpgStatus(sig)).toBe('EXPKEYSIG');
    expect(await verify(sig, await exportKey(fpr))).toEqual({
      ok: false,
      reason: `signature by key ${fpr} is not accepted: the key has expired`,
    });
  });

  it('a signing subkey revoked after it signed: rejected (mechanism_test.go "Valid signature with a revoked subkey")', async () => {
    const fpr = await makeKey('revoked-subkey@example.invalid', { subkey: true });
    const sig = await sign(fpr);
    expect(await verify(sig, await exportKey(fpr))).toMatchObject({ ok: true });
    // --edit-key: select the subkey, revoke it (reason 0, no text), save.
    await gpg(['--command-fd', '0', '--edit-key', fpr], { input: 'key 1\nrevkey\ny\n0\n\ny\nsave\n' });
    expect(await gpgStatus(sig)).toBe('REVKEYSIG');
    const r = await verify(sig, await exportKey(fpr));
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.reason).toMatch(
      new RegExp(`^signature by key ${fpr} is not accepted: its signing subkey [0-9A-F]{16} is revoked$`),
    );
  });

  it('a signing subkey that expired after it signed: rejected (gpg: EXPKEYSIG)', async () => {
    const fpr = await makeKey('expired-subkey@example.invalid', { subkey: true, expire: '1d', faked: true });
    const sig = await sign(fpr, true);
    expect(await gpgStatus(sig)).toBe('EXPKEYSIG');
    const r = await verify(sig, await exportKey(fpr));
    expect(!r.ok && r.reason).toMatch(
      new RegExp(`^signature by key ${fpr} is not accepted: its signing subkey [0-9A-F]{16} has expired$`),
    );
  });
});
