/**
 * A small Docker token server for Distribution's `auth: token` (distribution docs/spec/auth/
 * token.md, oauth.md), run inside the test process on 127.0.0.1. JWTs are RS256 with an `x5c`
 * header holding the signing certificate, `aud` = service, `iss` = issuer, as Distribution 2.8
 * checks them (distribution registry/auth/token/token.go Verify).
 * Policy: the configured user gets pull+push everywhere; anonymous gets pull on `public/*` only.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

/** One token request as the server saw it (for assertions). */
export interface TokenRequest {
  method: string;
  user: string | null;
  grantType?: string;
  service: string | null;
  scopes: string[];
  account?: string | null;
}

/** A running token server. */
export interface TokenServer {
  /** `https://127.0.0.1:PORT/token`: an HTTPS realm (isctl sends credentials only over HTTPS to another server). */
  url: string;
  /** The CA (PEM) that signed the server's certificate, for clients that verify it. */
  caPem: string;
  issuer: string;
  service: string;
  requests: TokenRequest[];
  /** A refresh token (identity token) that maps to the configured user. */
  refreshToken: string;
  /** Answer the next N token requests with HTTP `status` (fault injection). */
  failNext(n: number, status: number): void;
  stop(): Promise<void>;
}

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');

interface ServerState {
  o: { keyPem: string; username: string; password: string; ttl?: number };
  issuer: string;
  certDer: string;
  refreshTokens: Map<string, string>;
  requests: TokenRequest[];
  failures: { n: number; status: number };
}

function sign(st: ServerState, sub: string | null, aud: string | null, access: unknown[]): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [st.certDer] };
  const claims = {
    iss: st.issuer,
    sub: sub ?? '',
    aud,
    exp: now + (st.o.ttl ?? 300),
    nbf: now - 5,
    iat: now,
    jti: randomBytes(8).toString('hex'),
    access,
  };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(st.o.keyPem).toString('base64url')}`;
}

// The policy: the configured user may do anything; anonymous users may pull public/* only.
function grant(user: string | null, scopes: string[]) {
  return scopes.flatMap((s) => {
    const i = s.indexOf(':');
    const j = s.lastIndexOf(':');
    if (i < 0 || j === i) return [];
    const type = s.slice(0, i);
    const name = s.slice(i + 1, j);
    const wanted = s.slice(j + 1).split(',');
    let allowed: string[] = [];
    if (type === 'repository')
      allowed = user ? ['pull', 'push', 'delete', '*'] : name.startsWith('public/') ? ['pull'] : [];
    return [{ type, name, actions: wanted.filter((a) => allowed.includes(a)) }];
  });
}

/** Who is asking: null for anonymous, the user for good credentials, an HTTP status for bad ones. */
function authenticate(
  st: ServerState,
  req: IncomingMessage,
  params: URLSearchParams,
  entry: TokenRequest,
): string | null | number {
  const auth = req.headers.authorization ?? '';
  if (req.method === 'GET' && auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString();
    const i = decoded.indexOf(':');
    return decoded.slice(0, i) === st.o.username && decoded.slice(i + 1) === st.o.password ? st.o.username : 401;
  }
  if (req.method !== 'POST') return null;
  entry.grantType = params.get('grant_type') ?? undefined;
  if (entry.grantType === 'refresh_token') return st.refreshTokens.get(params.get('refresh_token') ?? '') ?? 401;
  if (entry.grantType === 'password')
    return params.get('username') === st.o.username && params.get('password') === st.o.password ? st.o.username : 401;
  return 400;
}

function handle(st: ServerState, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const reply = (status: number, obj: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  const u = new URL(req.url ?? '/', 'http://x');
  if (u.pathname !== '/token') return reply(404, { error: 'not found' });
  const params = req.method === 'POST' ? new URLSearchParams(body.toString()) : u.searchParams;
  const scopes = params
    .getAll('scope')
    .flatMap((s) => s.split(' '))
    .filter(Boolean);
  const entry: TokenRequest = {
    method: req.method ?? '',
    user: null,
    service: params.get('service'),
    scopes,
    account: params.get('account'),
  };
  st.requests.push(entry);
  if (st.failures.n > 0) {
    st.failures.n--;
    return reply(st.failures.status, { error: 'injected failure' });
  }
  const who = authenticate(st, req, params, entry);
  if (typeof who === 'number')
    return reply(who, {
      error: who === 400 ? 'unsupported_grant_type' : 'invalid_grant',
      details: 'incorrect username or password',
    });
  entry.user = who;
  const token = sign(st, who, entry.service, grant(who, scopes));
  reply(200, { token, access_token: token, expires_in: st.o.ttl ?? 300, issued_at: new Date().toISOString() });
}

/** Starts the token server; `ttl` is the token lifetime in seconds. */
export async function startTokenServer(o: {
  keyPem: string;
  certPem: string;
  username: string;
  password: string;
  ttl?: number;
  /** TLS files for 127.0.0.1 (test/harness/registry.ts makeTlsFiles). */
  tls: { caFile: string; certFile: string; keyFile: string };
}): Promise<TokenServer> {
  const refreshToken = randomBytes(16).toString('hex');
  const st: ServerState = {
    o,
    issuer: 'isctl-test-issuer',
    certDer: new X509Certificate(o.certPem).raw.toString('base64'),
    refreshTokens: new Map([[refreshToken, o.username]]),
    requests: [],
    failures: { n: 0, status: 500 },
  };
  const service = 'isctl-test-registry';
  const server: Server = createServer(
    { key: readFileSync(o.tls.keyFile), cert: readFileSync(o.tls.certFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(st, req, Buffer.concat(chunks), res));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/token`,
    caPem: readFileSync(o.tls.caFile, 'utf8'),
    issuer: st.issuer,
    service,
    requests: st.requests,
    refreshToken,
    failNext: (n, status) => {
      st.failures = { n, status };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
