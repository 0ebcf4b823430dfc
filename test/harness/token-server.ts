/**
 * A small Docker token server for Distribution's `auth: token` (distribution docs/spec/auth/
 * token.md, oauth.md), run inside the test process on 127.0.0.1. JWTs are RS256 with an `x5c`
 * header holding the signing certificate, `aud` = service, `iss` = issuer, as Distribution 2.8
 * checks them (see ../shared/reference/registry-lab/token-server.mjs for the behaviour).
 * Policy: the configured user gets pull+push everywhere; anonymous gets pull on `public/*` only.
 */
import { createServer, type Server } from 'node:http';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
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
  url: string;
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

/** Starts the token server; `ttl` is the token lifetime in seconds. */
export async function startTokenServer(o: { keyPem: string; certPem: string; username: string; password: string; ttl?: number }): Promise<TokenServer> {
  const issuer = 'isctl-test-issuer';
  const service = 'isctl-test-registry';
  const certDer = new X509Certificate(o.certPem).raw.toString('base64');
  const refreshTokens = new Map<string, string>();
  const refreshToken = randomBytes(16).toString('hex');
  refreshTokens.set(refreshToken, o.username);
  const requests: TokenRequest[] = [];
  let failures = { n: 0, status: 500 };

  const sign = (sub: string | null, aud: string | null, access: unknown[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] };
    const claims = { iss: issuer, sub: sub ?? '', aud, exp: now + (o.ttl ?? 300), nbf: now - 5, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(o.keyPem).toString('base64url')}`;
  };
  const grant = (user: string | null, scopes: string[]) =>
    scopes.flatMap((s) => {
      const i = s.indexOf(':');
      const j = s.lastIndexOf(':');
      if (i < 0 || j === i) return [];
      const type = s.slice(0, i);
      const name = s.slice(i + 1, j);
      const wanted = s.slice(j + 1).split(',');
      let allowed: string[] = [];
      if (type === 'repository') allowed = user ? ['pull', 'push', 'delete', '*'] : name.startsWith('public/') ? ['pull'] : [];
      return [{ type, name, actions: wanted.filter((a) => allowed.includes(a)) }];
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, obj: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname !== '/token') return reply(404, { error: 'not found' });
      const params = req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString()) : u.searchParams;
      const scopes = params.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
      const entry: TokenRequest = { method: req.method ?? '', user: null, service: params.get('service'), scopes, account: params.get('account') };
      requests.push(entry);
      if (failures.n > 0) {
        failures = { ...failures, n: failures.n - 1 };
        return reply(failures.status, { error: 'injected failure' });
      }
      const auth = req.headers.authorization ?? '';
      if (req.method === 'GET' && auth.startsWith('Basic ')) {
        const decoded = Buffer.from(auth.slice(6), 'base64').toString();
        const i = decoded.indexOf(':');
        if (decoded.slice(0, i) !== o.username || decoded.slice(i + 1) !== o.password) return reply(401, { details: 'incorrect username or password' });
        entry.user = o.username;
      } else if (req.method === 'POST') {
        entry.grantType = params.get('grant_type') ?? undefined;
        if (entry.grantType === 'refresh_token') {
          const user = refreshTokens.get(params.get('refresh_token') ?? '');
          if (!user) return reply(401, { error: 'invalid_grant' });
          entry.user = user;
        } else if (entry.grantType === 'password') {
          if (params.get('username') !== o.username || params.get('password') !== o.password) return reply(401, { error: 'invalid_grant' });
          entry.user = o.username;
        } else return reply(400, { error: 'unsupported_grant_type' });
      }
      const token = sign(entry.user, entry.service, grant(entry.user, scopes));
      reply(200, { token, access_token: token, expires_in: o.ttl ?? 300, issued_at: new Date().toISOString() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/token`,
    issuer,
    service,
    requests,
    refreshToken,
    failNext: (n, status) => {
      failures = { n, status };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
