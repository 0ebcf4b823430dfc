/**
 * TLS trust for one registry host, the way containers/image and docker read it: system roots plus
 * `*.crt` CAs (and an optional `*.cert`/`*.key` client pair) from `certs.d/<host[:port]>/` folders
 * (containers-certs.d(5)), plus NODE_EXTRA_CA_CERTS.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

/** The NODE_EXTRA_CA_CERTS this process started with: Node put it in its default store then. */
const STARTUP_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;

/** Connect options handed to undici for a host. */
export interface TlsConnectOptions {
  /** Every CA trusted: the system roots, the certs.d CAs and NODE_EXTRA_CA_CERTS. */
  ca?: string[];
  /**
   * The CAs of `ca` beyond Node's default store (what `secureContextFor` adds to it): the certs.d
   * CAs, and NODE_EXTRA_CA_CERTS unless it is the file the process started with.
   */
  extraCa?: string[];
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
  const nodeExtra = opts.env.NODE_EXTRA_CA_CERTS;
  const nodeExtraPem = nodeExtra && existsSync(nodeExtra) ? readFileSync(nodeExtra, 'utf8') : undefined;
  // Node's own store already holds the file it was started with: adding it again to a context
  // built on that store would parse the whole file once more (a system bundle is ~150 CAs).
  out.extraCa = nodeExtraPem && nodeExtra !== STARTUP_EXTRA_CA_CERTS ? [...extra, nodeExtraPem] : extra;
  out.ca = [...rootCertificates, ...extra, ...(nodeExtraPem ? [nodeExtraPem] : [])];
  return out;
}

/**
 * One secure context for every connection to a host with its own CAs or a client pair. Node's
 * store of system roots (already holding NODE_EXTRA_CA_CERTS) is parsed once per process and
 * shared; handing the whole `ca` list to createSecureContext instead parses the ~150 system roots
 * again from their PEM text, ~25 ms a run. So the context starts from the shared roots and gets
 * only the extra CAs (the native context copies the shared store before its first addition, so
 * other contexts never see them); a Node without that method gets the whole list.
 */
export function secureContextFor(tls: TlsConnectOptions): SecureContext | undefined {
  if (!tls.ca && !tls.cert) return undefined;
  const pair = tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {};
  if (tls.extraCa) {
    const context = createSecureContext(pair);
    const native = (context as unknown as { context?: { addCACert?: (pem: string) => void } }).context;
    if (typeof native?.addCACert === 'function') {
      for (const pem of tls.extraCa) native.addCACert(pem);
      return context;
    }
  }
  return createSecureContext({ ...(tls.ca ? { ca: tls.ca } : {}), ...pair });
}
