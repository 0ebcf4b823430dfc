/**
 * Real-registry test harness: starts Debian's `docker-registry` (CNCF Distribution 2.8) on
 * 127.0.0.1 with a free port, its own temp storage and config, in four modes — plain HTTP,
 * htpasswd (bcrypt cost 4), TLS with a self-signed CA (openssl), bearer tokens from an in-process
 * token server. Every process is stopped by PID in stop(), on process exit, and — if the test
 * runner dies — by the kernel (`setpriv --pdeathsig KILL`).
 *
 *   const reg = await startRegistry({ mode: 'plain' });
 *   const img = await pushImage(reg, 'team/app', '1.0', { multiArch: true });
 *   await reg.stop();
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { startTokenServer, type TokenServer } from './token-server.js';

/** How the registry authenticates and transports. */
export type RegistryMode = 'plain' | 'htpasswd' | 'tls' | 'token';

/** Options of startRegistry. */
export interface StartRegistryOptions {
  mode: RegistryMode;
  /** Distribution notifications endpoint (static headers; values become lists as 2.8 wants). */
  notifications?: { url: string; headers?: Record<string, string> };
  /** Token lifetime for mode 'token' (seconds, default 300). */
  tokenTtl?: number;
}

/** A running registry. */
export interface TestRegistry {
  mode: RegistryMode;
  /** `127.0.0.1:PORT` — what goes in pull specs. */
  host: string;
  /** `http://127.0.0.1:PORT` or `https://…`. */
  url: string;
  pid: number;
  /** Temp folder of this registry (config, storage, certs). */
  dir: string;
  /** TLS: the CA certificate file that signed the server certificate. */
  caFile?: string;
  /** TLS: a certs.d root holding `<host>/ca.crt` (for certDirs / skopeo --cert-dir). */
  certsDir?: string;
  /** htpasswd/token: a user allowed to pull and push. */
  username?: string;
  password?: string;
  /** token: the token server (its requests are recorded). */
  tokenServer?: TokenServer;
  /** Registry log so far. */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let exitHookInstalled = false;

// Whatever a failing test left running is killed (by PID) and its temp folder removed on exit.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) if (child.pid) tryKill(child.pid);
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });
}

function tryKill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** A free TCP port on 127.0.0.1 (bound and released; the registry binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a CA and a server certificate for 127.0.0.1 / localhost; returns file paths. */
export function makeTlsFiles(dir: string): { caFile: string; certFile: string; keyFile: string } {
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=isctl test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(['req', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  writeFileSync(
    join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-sha256',
      '-extfile',
      'ext.cnf',
      '-out',
      'server.crt',
    ],
    dir,
  );
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

function configYaml(o: {
  port: number;
  dir: string;
  mode: RegistryMode;
  tls?: { certFile: string; keyFile: string };
  htpasswd?: string;
  token?: { realm: string; service: string; issuer: string; bundle: string };
  notifications?: StartRegistryOptions['notifications'];
}): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(o.dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${o.port}`,
    '  secret: isctl-test-only',
  ];
  if (o.tls) lines.push('  tls:', `    certificate: ${o.tls.certFile}`, `    key: ${o.tls.keyFile}`);
  if (o.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: isctl-test', `    path: ${o.htpasswd}`);
  if (o.token)
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${o.token.realm}`,
      `    service: ${o.token.service}`,
      `    issuer: ${o.token.issuer}`,
      `    rootcertbundle: ${o.token.bundle}`,
    );
  if (o.notifications) {
    lines.push(
      'notifications:',
      '  events:',
      '    includereferences: true',
      '  endpoints:',
      '    - name: isctl-test',
      `      url: ${o.notifications.url}`,
      '      timeout: 2s',
      '      threshold: 3',
      '      backoff: 1s',
    );
    const headers = Object.entries(o.notifications.headers ?? {});
    if (headers.length) {
      lines.push('      headers:');
      for (const [k, v] of headers) lines.push(`        ${k}: [${JSON.stringify(v)}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Starts a registry in the given mode and waits until `/v2/` answers. */
export async function startRegistry(options: StartRegistryOptions): Promise<TestRegistry> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), `isctl-reg-${options.mode}-`));
  tempDirs.add(dir);
  const extras: Partial<TestRegistry> = {};
  let tls: ReturnType<typeof makeTlsFiles> | undefined;
  let htpasswd: string | undefined;
  let token: Parameters<typeof configYaml>[0]['token'];
  if (options.mode === 'tls') {
    tls = makeTlsFiles(join(dir, 'tls'));
    extras.caFile = tls.caFile;
  }
  if (options.mode === 'htpasswd' || options.mode === 'token') {
    extras.username = 'isctl';
    extras.password = `pw-${randomBytes(8).toString('hex')}`;
  }
  if (options.mode === 'htpasswd') {
    htpasswd = join(dir, 'htpasswd');
    // bcrypt cost 4: the registry hashes on every request (cost 10 = ~60 ms each,
    // measured against docker-registry 2.8).
    const line = execFileSync('htpasswd', ['-Bbn', '-C', '4', extras.username!, extras.password!]).toString().trim();
    writeFileSync(htpasswd, `${line}\n`);
  }
  if (options.mode === 'token') {
    const tdir = join(dir, 'token');
    mkdirSync(tdir);
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '2',
        '-subj',
        '/CN=isctl token signer',
        '-keyout',
        'token.key',
        '-out',
        'token.crt',
      ],
      tdir,
    );
    const server = await startTokenServer({
      keyPem: readFileSync(join(tdir, 'token.key'), 'utf8'),
      certPem: readFileSync(join(tdir, 'token.crt'), 'utf8'),
      username: extras.username!,
      password: extras.password!,
      ttl: options.tokenTtl,
      tls: makeTlsFiles(join(tdir, 'tls')),
    });
    extras.tokenServer = server;
    token = { realm: server.url, service: server.service, issuer: server.issuer, bundle: join(tdir, 'token.crt') };
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch({ ...options, dir, port, tls, htpasswd, token, extras });
    } catch (err) {
      lastError = err;
    }
  }
  await extras.tokenServer?.stop();
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

/** Spawns `docker-registry serve CONFIG`; the kernel kills it if this process dies (--pdeathsig). */
function spawnRegistry(cfg: string): {
  child: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
  exited: Promise<number | null>;
} {
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', 'docker-registry', 'serve', cfg], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let log = '';
  const append = (d: Buffer) => {
    if (log.length < 1 << 20) log += d.toString();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    running.delete(child);
    if (child.exitCode === null && child.pid) {
      tryKill(child.pid, 'SIGTERM');
      const t = setTimeout(() => child.pid && tryKill(child.pid), 2000);
      await exited;
      clearTimeout(t);
    }
  };
  return { child, log: () => log, stop, exited };
}

type LaunchOptions = StartRegistryOptions & {
  dir: string;
  port: number;
  tls?: ReturnType<typeof makeTlsFiles>;
  htpasswd?: string;
  token?: Parameters<typeof configYaml>[0]['token'];
  extras: Partial<TestRegistry>;
};

async function launch(o: LaunchOptions): Promise<TestRegistry> {
  const cfg = join(o.dir, `config-${o.port}.yml`);
  writeFileSync(
    cfg,
    configYaml({
      port: o.port,
      dir: o.dir,
      mode: o.mode,
      tls: o.tls,
      htpasswd: o.htpasswd,
      token: o.token,
      notifications: o.notifications,
    }),
  );
  const proc = spawnRegistry(cfg);
  const host = `127.0.0.1:${o.port}`;
  const url = `${o.tls ? 'https' : 'http'}://${host}`;
  try {
    await waitReady(url, o.tls?.caFile, proc.exited);
  } catch (err) {
    await proc.stop();
    throw new Error(`docker-registry did not start on ${host}: ${(err as Error).message}\n${proc.log().slice(-2000)}`);
  }
  let certsDir: string | undefined;
  if (o.tls) {
    certsDir = join(o.dir, 'certs.d');
    mkdirSync(join(certsDir, host), { recursive: true });
    writeFileSync(join(certsDir, host, 'ca.crt'), readFileSync(o.tls.caFile));
  }
  return {
    mode: o.mode,
    host,
    url,
    pid: proc.child.pid!,
    dir: o.dir,
    ...o.extras,
    certsDir,
    log: proc.log,
    stop: async () => {
      await proc.stop();
      await o.extras.tokenServer?.stop();
      rmSync(o.dir, { recursive: true, force: true });
      tempDirs.delete(o.dir);
    },
  };
}

async function waitReady(url: string, caFile: string | undefined, exited: Promise<number | null>): Promise<void> {
  const agent = new Agent({ connect: caFile ? { ca: readFileSync(caFile, 'utf8') } : {} });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  try {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (done) throw new Error('the process exited');
      try {
        const res = await request(`${url}/v2/`, { dispatcher: agent });
        await res.body.dump();
        if (res.statusCode === 200 || res.statusCode === 401) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('timed out waiting for /v2/');
  } finally {
    await agent.close();
  }
}
