// Starts Debian's docker-registry (CNCF Distribution 2.8) for a benchmark: plain HTTP (or, with
// `tls: true`, HTTPS with a certificate of its own CA, made with openssl) on 127.0.0.1, a free
// port, its own temporary storage. A shell watchdog kills the registry if the
// benchmark process dies (even by SIGKILL) and removes its storage; stop() kills exactly the
// recorded PID.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The registry's version string, e.g. "github.com/docker/distribution 2.8.2+ds1". */
export function registryVersion() {
  return execFileSync('docker-registry', ['--version'])
    .toString()
    .trim()
    .replace(/^docker-registry\s+/, '');
}

function configYaml(root, port, tls) {
  // Access logs off and log level warn: the registry's own logging would otherwise cost CPU on
  // the same 2 cores the clients use, for every client alike.
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    `  filesystem:`,
    `    rootdirectory: ${root}/data`,
    '  delete:',
    '    enabled: true',
    '  cache:',
    '    blobdescriptor: inmemory',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: bench-only-not-secret',
    // With a certificate Distribution serves HTTP/2 by ALPN (Go's net/http), HTTP/1.1 otherwise.
    ...(tls ? ['  tls:', `    certificate: ${tls.certFile}`, `    key: ${tls.keyFile}`] : []),
    '',
  ].join('\n');
}

/**
 * A CA and a server certificate for 127.0.0.1 (EC P-256, 2 days), as the test harness makes them
 * (test/helpers/registry/registry.ts makeTlsFiles). Returns the file paths.
 */
export function makeTlsFiles(dir) {
  mkdirSync(dir, { recursive: true });
  const ossl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ossl(
    ['req', '-x509', ...ec, '-sha256', '-days', '2', '-subj', '/CN=isctl bench CA', '-keyout', 'ca.key']
      .concat(['-out', 'ca.crt', '-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign']),
  );
  ossl(['req', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  ossl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2'].concat([
      '-sha256',
      '-extfile',
      'ext.cnf',
      '-out',
      'server.crt',
    ]),
  );
  return {
    caFile: path.join(dir, 'ca.crt'),
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
  };
}

async function waitReady(url, child, ms = 10_000, ca) {
  const deadline = Date.now() + ms;
  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await undiciFetch(`${url}/v2/`, dispatcher ? { dispatcher } : {});
      await res.arrayBuffer();
      if (res.status === 200) return void (await dispatcher?.close());
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within ${ms} ms`);
}

/**
 * Starts a registry; resolves to { url, host, port, pid, dir, gogc, stop() } (and `caFile`, `ca`
 * with `tls: true`). The watchdog (bash) is the registry's parent and exits when the benchmark's
 * PID is gone. `gogc` sets the registry's Go garbage collector target (GOGC; Go's default is 100):
 * on a machine where the registry shares the clients' cores its collector is CPU taken from them.
 */
export async function startRegistry({ tls: withTls = false, gogc } = {}) {
  // Storage on tmpfs when there is one: seeding is then CPU-bound, not fsync-bound (5 s vs 15 s).
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(path.join(base, 'isctl-bench-reg-'));
  const port = await freePort();
  const tls = withTls ? makeTlsFiles(path.join(dir, 'tls')) : undefined;
  writeFileSync(path.join(dir, 'config.yml'), configYaml(dir, port, tls));
  const script = [
    `docker-registry serve "${dir}/config.yml" >"${dir}/registry.log" 2>&1 &`,
    'R=$!',
    `echo $R >"${dir}/registry.pid"`,
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 $R 2>/dev/null; do sleep 0.5; done`,
    'kill $R 2>/dev/null; wait $R 2>/dev/null',
    `rm -rf "${dir}"`,
  ].join('\n');
  const env = { ...process.env };
  if (gogc !== undefined) env.GOGC = String(gogc);
  else delete env.GOGC;
  const watchdog = spawn('bash', ['-c', script], { stdio: 'ignore', detached: true, env });
  watchdog.unref();
  const host = `127.0.0.1:${port}`;
  const url = `${tls ? 'https' : 'http'}://${host}`;
  const ca = tls ? readFileSync(tls.caFile, 'utf8') : undefined;
  await waitReady(url, watchdog, 10_000, ca);
  const pid = Number(readFileSync(path.join(dir, 'registry.pid'), 'utf8'));
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  };
  process.on('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      stop();
      process.exit(130);
    });
  return { url, host, port, pid, dir, gogc: env.GOGC ?? '100', stop, ...(tls ? { caFile: tls.caFile, ca } : {}) };
}
