/**
 * Which signature policy an importing command enforces (import-image, tag, refresh, serve), read
 * once when the command starts so that a bad file fails the command before anything is fetched
 * or written:
 * - `--signature-policy FILE`, else `ISCTL_SIGNATURE_POLICY`: that file, which must exist;
 * - else, only with `--verify-signatures`: `~/.config/containers/policy.json` (XDG_CONFIG_HOME),
 *   else `/etc/containers/policy.json` (containers/image signature/policy_config.go
 *   defaultPolicyPath order); none of them existing is an error;
 * - else no policy: nothing is verified (a system policy.json is never applied unasked).
 *
 * `signedBy` (GPG simple signing) signatures are read from the lookaside storage that
 * registries.d names (`--registries-d DIR`, else ~/.config/containers/registries.d when it exists,
 * else /etc/containers/registries.d: src/registry/registries-d.ts) and verified by
 * src/domain/signature/gpg.ts, loaded (with OpenPGP.js) only when a signedBy requirement is met.
 * `sigstoreSigned` signatures (the `sha256-<hex>.sig` attachment) are read only where that
 * registries.d sets `use-sigstore-attachments: true` (containers/image docker/registries_d.go).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command, OptionValues } from '@commander-js/extra-typings';
import { CommandError } from '../domain/errors.js';
import { parsePolicy, PolicyFormatError } from '../domain/signature/policy.js';
import type { SignaturePolicyOptions } from '../registry/index.js';
import type { CliIO } from './io.js';

/** The signature flags of one command. */
export interface SignatureFlags {
  signaturePolicy?: string;
  verifySignatures?: boolean;
  registriesD?: string;
}

/** Declares --signature-policy and --verify-signatures on an importing command. */
export function addSignatureOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  cmd: Command<A, O, G>,
) {
  return cmd
    .option(
      '--signature-policy <file>',
      'Verify images against this containers-policy.json(5) before any tag moves (env ISCTL_SIGNATURE_POLICY)',
    )
    .option(
      '--verify-signatures',
      'Verify images against the signature policy: --signature-policy, ISCTL_SIGNATURE_POLICY, else ' +
        '~/.config/containers/policy.json, then /etc/containers/policy.json',
    )
    .option(
      '--registries-d <dir>',
      'registries.d folder naming the lookaside storage of GPG (signedBy) signatures and whether sigstore ' +
        'attachments are read (use-sigstore-attachments: true); default ~/.config/containers/registries.d ' +
        'when it exists, else /etc/containers/registries.d',
    );
}

/** The policy in force for these flags, or undefined when none was asked for. */
export function loadSignaturePolicy(flags: SignatureFlags, io: CliIO): SignaturePolicyOptions | undefined {
  const env = io.env;
  const explicit = flags.signaturePolicy
    ? { file: path.resolve(io.cwd, flags.signaturePolicy), what: '--signature-policy' }
    : env.ISCTL_SIGNATURE_POLICY
      ? { file: path.resolve(io.cwd, env.ISCTL_SIGNATURE_POLICY), what: 'ISCTL_SIGNATURE_POLICY' }
      : undefined;
  if (!explicit && !flags.verifySignatures) return undefined;
  const home = env.HOME || os.homedir();
  const candidates = explicit
    ? [explicit.file]
    : [
        path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'policy.json'),
        '/etc/containers/policy.json',
      ];
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) continue;
      throw new CommandError(
        `cannot read signature policy ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        explicit ? `check ${explicit.what}` : undefined,
      );
    }
    try {
      const policy = parsePolicy(text, file);
      const readKeyFile = (p: string) => readFile(path.resolve(io.cwd, p));
      let gpg: Promise<typeof import('../domain/signature/gpg.js')> | undefined;
      return {
        policy,
        readKeyFile,
        // Key files are read at each verification (a key replaced on disk is used at once).
        verifySimpleSigning: async (sig, req, image) =>
          (await (gpg ??= import('../domain/signature/gpg.js'))).verifySimpleSigning(sig, req, image, {
            readFile: readKeyFile,
          }),
        ...(flags.registriesD ? { registriesD: path.resolve(io.cwd, flags.registriesD) } : {}),
      };
    } catch (e) {
      if (e instanceof PolicyFormatError)
        throw new CommandError(e.message, 'fix the policy file (containers-policy.json(5)); nothing was imported');
      throw e;
    }
  }
  throw new CommandError(
    `--verify-signatures: no signature policy found (looked for ${candidates.join(' and ')})`,
    'name one with --signature-policy FILE or ISCTL_SIGNATURE_POLICY',
  );
}
