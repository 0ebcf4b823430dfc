/**
 * A fault-injecting HTTP proxy of the tests' own (node:http on 127.0.0.1) that sits between isctl
 * and a real registry. Each request is matched against programmed rules, in order; the first rule
 * that matches (and has uses left) decides its fate — connection reset, an error status, 429 with
 * Retry-After, a slow or truncated body, bytes that no longer match the digest, a lying
 * Docker-Content-Digest header, an oversized
 * manifest, or a redirect to another loopback server. Everything else is forwarded unchanged.
 * Every request is recorded (method, path, whether an Authorization header came, the fault applied).
 *
 *   const proxy = await startFaultProxy(reg.url);
 *   proxy.program({ match: { method: 'GET', path: /\/manifests\// }, fault: { kind: 'status', status: 503 }, times: 2 });
 *   // pull spec: `${proxy.host}/team/app:1.0`
 *   await proxy.stop();
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** What to do with a matched request. */
export type Fault =
  | { kind: 'reset' }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'retry-after'; seconds: number; status?: 429 | 503 }
  | { kind: 'slow-body'; chunkBytes: number; delayMs: number }
  | { kind: 'truncate'; keepBytes?: number }
  | { kind: 'corrupt' }
  | { kind: 'digest-header'; digest: string }
  | { kind: 'oversize'; bytes: number; contentType?: string; declareLength?: boolean }
  | { kind: 'redirect'; to: string; status?: 301 | 302 | 303 | 307 | 308 };

/** Which requests a rule applies to. */
export interface Match {
  method?: string;
  /** Tested against the path and query. */
  path?: RegExp;
  /** Only requests that carry (true) or lack (false) an Authorization header. */
  authorized?: boolean;
}

/** One programmed fault. */
export interface Rule {
  match: Match;
  fault: Fault;
  /** How many matching requests it applies to (default: every one). */
  times?: number;
}

/** One request the proxy saw. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: boolean;
  /** The Authorization header itself (tests scan output for the credentials it carries). */
  authorizationHeader?: string;
  fault?: Fault['kind'];
  status?: number;
}

/** A running proxy. */
export interface FaultProxy {
  /** `127.0.0.1:PORT`, for pull specs. */
  host: string;
  url: string;
  requests: SeenRequest[];
  /** Adds rules (checked in the order added). */
  program(...rules: Rule[]): void;
  /** Drops every rule and the request log. */
  reset(): void;
  stop(): Promise<void>;
}

/** A loopback server that answers every request with `status` and records whether it got an Authorization header. */
export interface RecordingServer {
  url: string;
  requests: { method: string; path: string; authorization?: string }[];
  stop(): Promise<void>;
}

const hop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'host']);

function matches(m: Match, req: IncomingMessage): boolean {
  const authorized = req.headers.authorization !== undefined;
  return (
    (!m.method || m.method === req.method) &&
    (!m.path || m.path.test(req.url ?? '')) &&
    (m.authorized === undefined || m.authorized === authorized)
  );
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

/** Forwards to upstream and returns status, headers and the whole body. */
async function forward(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !hop.has(k)) headers[k] = v;
  headers.host = upstream.host;
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const out = send(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        rejectUnauthorized: false,
      },
      async (res) => {
        try {
          const h: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !hop.has(k)) h[k] = v;
          resolve({ status: res.statusCode ?? 502, headers: h, body: await readAll(res) });
        } catch (e) {
          reject(e);
        }
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function apply(
  fault: Fault,
  upstream: URL,
  req: IncomingMessage,
  reqBody: Buffer,
  res: ServerResponse,
): Promise<number | undefined> {
  switch (fault.kind) {
    case 'reset':
      req.socket.destroy();
      return undefined;
    case 'status':
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected ${fault.status}` }] }));
      return fault.status;
    case 'retry-after': {
      const status = fault.status ?? 429;
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': String(fault.seconds) });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'injected' }] }));
      return status;
    }
    case 'redirect':
      res.writeHead(fault.status ?? 307, { location: `${fault.to}${req.url}` });
      res.end();
      return fault.status ?? 307;
    case 'oversize': {
      const headers: Record<string, string> = {
        'content-type': fault.contentType ?? 'application/vnd.oci.image.manifest.v1+json',
      };
      if (fault.declareLength !== false) headers['content-length'] = String(fault.bytes);
      res.writeHead(200, headers);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let sent = 0; sent < fault.bytes && !res.destroyed; sent += chunk.length) {
        if (!res.write(chunk.subarray(0, Math.min(chunk.length, fault.bytes - sent))))
          await new Promise((r) => res.once('drain', r).once('close', r));
      }
      res.end();
      return 200;
    }
    default:
      break;
  }
  const up = await forward(upstream, req, reqBody);
  const body = up.body;
  if (fault.kind === 'corrupt') {
    const bad = Buffer.from(body);
    // Same length, one hex digit changed inside the JSON: still parses as the same kind of
    // document, but its sha256 no longer matches the digest the registry announced.
    const d = bad.lastIndexOf('sha256:');
    if (d >= 0)
      bad[d + 7] = bad[d + 7] === 0x30 ? 0x31 : 0x30; // a digest inside: JSON stays valid
    else if (bad.length) bad[Math.floor(bad.length / 2)] ^= 0x01;
    res.writeHead(up.status, { ...up.headers, 'content-length': String(bad.length) });
    res.end(req.method === 'HEAD' ? undefined : bad);
    return up.status;
  }
  if (fault.kind === 'digest-header') {
    // The body is intact; only the digest the registry claims for it is a lie.
    res.writeHead(up.status, {
      ...up.headers,
      'docker-content-digest': fault.digest,
      'content-length': String(body.length),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return up.status;
  }
  if (fault.kind === 'truncate') {
    res.writeHead(up.status, { ...up.headers, 'content-length': String(body.length) });
    res.write(body.subarray(0, fault.keepBytes ?? Math.floor(body.length / 2)));
    await sleep(20);
    req.socket.destroy();
    return up.status;
  }
  // slow-body
  res.writeHead(up.status, { ...up.headers, 'content-length': String(body.length) });
  for (let i = 0; i < body.length && !res.destroyed; i += fault.chunkBytes) {
    res.write(body.subarray(i, i + fault.chunkBytes));
    await sleep(fault.delayMs);
  }
  res.end();
  return up.status;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Starts the proxy in front of `upstreamUrl` (http or https; upstream TLS is not verified). */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  let rules: (Rule & { used: number })[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (req, res) => {
    const seen: SeenRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization !== undefined,
    };
    if (req.headers.authorization !== undefined) seen.authorizationHeader = req.headers.authorization;
    requests.push(seen);
    try {
      const body = await readAll(req);
      const rule = rules.find((r) => (r.times === undefined || r.used < r.times) && matches(r.match, req));
      if (rule) {
        rule.used++;
        seen.fault = rule.fault.kind;
        seen.status = await apply(rule.fault, upstream, req, body, res);
        return;
      }
      const up = await forward(upstream, req, body);
      seen.status = up.status;
      res.writeHead(up.status, up.headers);
      res.end(req.method === 'HEAD' ? undefined : up.body);
    } catch {
      req.socket.destroy();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    program: (...r) => {
      rules.push(...r.map((x) => ({ ...x, used: 0 })));
    },
    reset: () => {
      rules = [];
      requests.length = 0;
    },
    stop: closer(server, sockets),
  };
}

/** Starts a loopback "other host" that records every request (and its Authorization header) and answers `status`. */
export async function startRecordingServer(status = 404, body = ''): Promise<RecordingServer> {
  const requests: RecordingServer['requests'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
    });
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  // Another port is another origin: to the client this is a different host (RFC 6454), still loopback only.
  return { url: `http://127.0.0.1:${port}`, requests, stop: closer(server, sockets) };
}
