/**
 * A throwaway GnuPG home for signing tests: keys made with `gpg --batch --passphrase ''
 * --quick-gen-key` in a private GNUPGHOME, exported for policies, and the gpg-agent that gpg (and
 * skopeo's gpgme) start there stopped by `gpgconf --kill` for that home only.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp.js';

const run = promisify(execFile);

export interface GpgHome {
  /** The GNUPGHOME folder. */
  home: string;
  /** Environment for gpg and skopeo: GNUPGHOME set, HOME the same private folder. */
  env: NodeJS.ProcessEnv;
  /** Makes a signing key without passphrase; returns its primary fingerprint (upper case). */
  generateKey(email: string, algo?: 'ed25519' | 'rsa3072'): Promise<string>;
  /** Writes the public key to a file (binary, or armored) and returns its path. */
  exportKey(fingerprint: string, armored?: boolean): Promise<string>;
  /** Stops the gpg-agent of this home (bounded) and removes nothing else. */
  stop(): Promise<void>;
}

export async function gpgHome(): Promise<GpgHome> {
  const root = tempDir('gpg');
  const home = path.join(root, 'gnupg');
  fs.mkdirSync(home, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: home, HOME: root };
  const gpg = (args: string[]) => run('gpg', ['--batch', '--no-tty', ...args], { env, timeout: 60_000 });
  return {
    home,
    env,
    async generateKey(email, algo = 'ed25519') {
      await gpg(['--passphrase', '', '--quick-gen-key', `isctl test <${email}>`, algo, 'sign', 'never']);
      const { stdout } = await gpg(['--list-keys', '--with-colons', email]);
      const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(stdout)?.[1];
      if (!fpr) throw new Error(`gpg made no key for ${email}: ${stdout}`);
      return fpr;
    },
    async exportKey(fingerprint, armored = false) {
      const file = path.join(root, `${fingerprint}${armored ? '.asc' : '.gpg'}`);
      await gpg([...(armored ? ['--armor'] : []), '--output', file, '--export', fingerprint]);
      return file;
    },
    async stop() {
      await run('gpgconf', ['--kill', 'all'], { env, timeout: 10_000 }).catch(() => undefined);
    },
  };
}
