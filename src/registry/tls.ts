/**
 * TLS trust for one registry host, the way containers/image and docker read it: system roots plus
 * `*.crt` CAs (and an optional `*.cert`/`*.key` client pair) from `certs.d/<host[:port]>/` folders
 * (containers-certs.d(5)), plus NODE_EXTRA_CA_CERTS.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/** Connect options handed to undici for a host. */
export interface TlsConnectOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

/** The certs.d folders searched, in order (containers-certs.d(5), docker's /etc/docker/certs.d). */
export function defaultCertDirs(env: Record<string, string | undefined>): string[] {
  const home = env.HOME ?? '';
  const dirs = ['/etc/containers/certs.d', '/etc/docker/certs.d'];
  if (home) dirs.push(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'certs.d'));
  return dirs;
}

/** Reads the CA/client-cert material for `host` and builds undici connect options. */
export function tlsOptionsFor(
  host: string,
  opts: { certDirs: string[]; insecure: boolean; env: Record<string, string | undefined> },
): TlsConnectOptions {
  if (opts.insecure) return { rejectUnauthorized: false };
  const extra: string[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  for (const base of opts.certDirs) {
    const dir = join(base, host);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      const path = join(dir, file);
      if (file.endsWith('.crt')) extra.push(readFileSync(path, 'utf8'));
      else if (file.endsWith('.cert')) {
        const keyPath = join(dir, `${file.slice(0, -'.cert'.length)}.key`);
        if (existsSync(keyPath)) {
          cert = readFileSync(path, 'utf8');
          key = readFileSync(keyPath, 'utf8');
        }
      }
    }
  }
  const out: TlsConnectOptions = { rejectUnauthorized: true };
  if (cert && key) {
    out.cert = cert;
    out.key = key;
  }
  if (extra.length === 0) return out;
  // Passing `ca` replaces Node's default store, so keep the system roots and NODE_EXTRA_CA_CERTS.
  const ca = [...rootCertificates, ...extra];
  const nodeExtra = opts.env.NODE_EXTRA_CA_CERTS;
  if (nodeExtra && existsSync(nodeExtra)) ca.push(readFileSync(nodeExtra, 'utf8'));
  out.ca = ca;
  return out;
}
