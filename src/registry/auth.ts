/**
 * Registry authentication as a transport concern (go-containerregistry's transport layering):
 * remembers each host's challenge, sends Basic or a Bearer token pre-emptively once it is known,
 * fetches tokens from the realm (distribution docs/spec/auth/token.md: GET with service+scope,
 * Basic credentials when there are some; oauth.md: POST refresh_token grant for identity tokens)
 * and caches them per registry/realm/service/scope until `issued_at + expires_in` (at least 60 s)
 * minus a margin.
 *
 * Whose secrets go where (go-containerregistry transport/bearer.go, basic.go): the credentials of
 * registry R go only to R and to the token realm R's own challenge named (https, or R's own origin
 * over plain HTTP: the same host name on another port is another server); R's tokens go only to
 * R. A challenge that a redirect target answers is not R's: it is met with an anonymous token for
 * that one request (bearer.go `handleCrossHostChallenge`), never with R's secrets.
 */
import { AuthError, RegistryError } from '../domain/errors.js';
import { type Challenge, normalizeScope, parseWwwAuthenticate } from './challenge.js';
import { findCredential, type Credential, type CredentialOptions } from './credentials.js';
import type { HttpTransport } from './http.js';
import { authHint, redactUrl } from './errors.js';
import type { TlsConnectOptions } from './tls.js';

const TOKEN_BODY_CAP = 1 << 20;
const MIN_TTL_S = 60;
const MARGIN_MS = 10_000;
const CLIENT_ID = 'isctl';

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Per-host auth state shared by all requests of an ImageSource. */
export class Authenticator {
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly credentials = new Map<string, Promise<{ credential?: Credential; searched: string[] }>>();
  /** Why credentials found for a host were not sent (for the message of the 401 that follows). */
  private readonly withheld = new Map<string, string>();

  constructor(
    private readonly http: HttpTransport,
    private readonly credOptions: CredentialOptions,
    private readonly now: () => Date,
  ) {}

  /** The challenge last seen from `host`, if any. */
  challengeFor(host: string): Challenge | undefined {
    return this.challenges.get(host);
  }

  /** Records the challenge a 401 carried. */
  remember(host: string, challenge: Challenge): void {
    this.challenges.set(host, challenge);
  }

  /** Where credentials for `host` were found, for error hints: `in /path`, `from docker-credential-x` or the login advice. */
  async credentialHint(host: string, repository: string): Promise<string> {
    const { credential } = await this.lookup(host, repository);
    const withheld = this.withheld.get(host);
    if (credential && withheld) return `${credential.source} (${withheld})`;
    return credential ? credential.source : '(no credentials found; log in with podman login or docker login)';
  }

  /**
   * The Authorization header for a request to `host` needing `scope`, from the remembered
   * challenge; undefined when the host never asked for auth. `fresh` skips the token cache.
   */
  async authorization(
    ctx: {
      host: string;
      repository: string;
      scope: string;
      /** The origin R is spoken to on (`https://host:port`): a plain-HTTP realm must be exactly this. */
      origin: string;
      tls: TlsConnectOptions;
      agentKey: string;
      signal?: AbortSignal;
    },
    fresh = false,
  ): Promise<string | undefined> {
    const challenge = this.challenges.get(ctx.host);
    if (!challenge) return undefined;
    const { credential } = await this.lookup(ctx.host, ctx.repository);
    if (challenge.scheme === 'basic') {
      if (credential?.kind !== 'basic') return undefined;
      return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
    }
    const key = tokenKey(ctx.host, challenge, ctx.scope);
    // Parallel requests for one scope share one token request.
    let pending = fresh ? undefined : this.pending.get(key);
    if (!pending) {
      pending = this.bearer(challenge, credential, ctx, fresh);
      this.pending.set(key, pending);
      void pending.catch(() => undefined).finally(() => this.pending.get(key) === pending && this.pending.delete(key));
    }
    return `Bearer ${await pending}`;
  }

  /** Forgets cached tokens for a scope (after the registry rejected one). */
  dropToken(host: string, challenge: Challenge, scope: string): void {
    this.tokens.delete(tokenKey(host, challenge, scope));
  }

  /**
   * The Authorization for one request that a redirect took to another host, which answered 401:
   * an anonymous token from the realm that host named (https, or that host's own origin), or
   * undefined. Nothing of any registry's credentials or tokens is used, and nothing is cached.
   */
  async foreignToken(
    hop: URL,
    wwwAuthenticate: string,
    ctx: { host?: string; tls: TlsConnectOptions; agentKey: string; signal?: AbortSignal },
  ): Promise<string | undefined> {
    const challenge = parseWwwAuthenticate(wwwAuthenticate).find((c) => c.scheme === 'bearer' && c.params.realm);
    if (!challenge) return undefined;
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch {
      return undefined;
    }
    if (realm.protocol !== 'https:' && realm.origin !== hop.origin) return undefined;
    try {
      const res = await this.tokenGet(realm, challenge, challenge.params.scope ?? '', undefined, ctx);
      if (res.status < 200 || res.status >= 300) return undefined;
      return `Bearer ${parseTokenResponse(res.body, this.now().getTime()).token}`;
    } catch {
      return undefined;
    }
  }

  private lookup(host: string, repository: string) {
    const key = `${host}/${repository}`;
    let p = this.credentials.get(key);
    if (!p) {
      p = findCredential(host, repository, this.credOptions);
      this.credentials.set(key, p);
    }
    return p;
  }

  private async bearer(
    challenge: Challenge,
    credential: Credential | undefined,
    ctx: {
      host: string;
      scope: string;
      origin: string;
      tls: TlsConnectOptions;
      agentKey: string;
      signal?: AbortSignal;
    },
    fresh: boolean,
  ): Promise<string> {
    const scope = ctx.scope;
    const key = tokenKey(ctx.host, challenge, scope);
    const cached = this.tokens.get(key);
    const now = this.now().getTime();
    if (cached && !fresh && cached.expiresAt > now) return cached.token;
    const realm = challenge.params.realm;
    if (!realm) throw new AuthError(`unauthorized: ${ctx.host} asked for a bearer token without a realm`, {});
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new AuthError(`unauthorized: ${ctx.host} named an invalid token realm`, {});
    }
    const send = credential && mayReceiveCredentials(realmUrl, ctx.origin) ? credential : undefined;
    if (credential && !send)
      this.withheld.set(
        ctx.host,
        `the credentials for ${ctx.host} were not sent to its token realm ${realmUrl.origin}: isctl sends them only over HTTPS or to ${ctx.origin} itself`,
      );
    const res =
      send?.kind === 'identityToken'
        ? await this.refreshGrant(realmUrl, challenge, scope, send, ctx)
        : await this.tokenGet(realmUrl, challenge, scope, send, ctx);
    if (res.status >= 300 && res.status < 400) {
      // Only the refresh-token POST gets here (the transport never redirects a request with a body).
      throw new AuthError(
        `the token server ${realmUrl.host} answered the token request for ${ctx.host} with a ` +
          `redirect (${res.status}); isctl does not send the identity token on to another address`,
        {
          status: res.status,
          method: 'POST',
          url: redactUrl(realmUrl),
          hint: 'check the token realm the registry names',
        },
      );
    }
    if (res.status === 401 || res.status === 403) {
      const hint = credential
        ? `${credential.source}${send ? '' : ` (${this.withheld.get(ctx.host)})`}`
        : '(no credentials found; log in with podman login or docker login)';
      throw new AuthError(
        `unauthorized: check the credentials for ${ctx.host} ${hint} (the token server ${realmUrl.host} refused ${send ? 'them' : 'an anonymous token'})`,
        { status: res.status, method: 'GET', url: redactUrl(realmUrl), hint: authHint(hint) },
      );
    }
    if (res.status < 200 || res.status >= 300) {
      throw new RegistryError(`token server ${realmUrl.host} answered ${res.status} for ${ctx.host}`, {
        status: res.status,
        url: redactUrl(realmUrl),
        transient: res.status >= 500,
      });
    }
    const parsed = parseTokenResponse(res.body, now);
    this.tokens.set(key, parsed);
    return parsed.token;
  }

  private tokenGet(
    realm: URL,
    c: Challenge,
    scope: string,
    cred: Credential | undefined,
    ctx: { host?: string; tls: TlsConnectOptions; agentKey: string; signal?: AbortSignal },
  ) {
    const url = new URL(realm);
    if (c.params.service) url.searchParams.set('service', c.params.service);
    for (const s of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'user-agent': 'isctl' };
    if (cred?.kind === 'basic') {
      if (cred.username) url.searchParams.set('account', cred.username);
      headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    return this.http.send({
      method: 'GET',
      url,
      headers,
      maxBody: TOKEN_BODY_CAP,
      agentKey: ctx.agentKey,
      tls: ctx.tls,
      signal: ctx.signal,
      ...(ctx.host ? { account: { registry: ctx.host, kind: 'token' as const } } : {}),
    });
  }

  // oauth.md: identity tokens are refresh tokens, exchanged with grant_type=refresh_token.
  private refreshGrant(
    realm: URL,
    c: Challenge,
    scope: string,
    cred: Extract<Credential, { kind: 'identityToken' }>,
    ctx: { host?: string; tls: TlsConnectOptions; agentKey: string; signal?: AbortSignal },
  ) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.token, client_id: CLIENT_ID });
    if (c.params.service) form.set('service', c.params.service);
    if (scope) form.set('scope', scope);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'isctl' };
    return this.http.send({
      method: 'POST',
      url: realm,
      headers,
      body: form.toString(),
      maxBody: TOKEN_BODY_CAP,
      agentKey: ctx.agentKey,
      tls: ctx.tls,
      signal: ctx.signal,
      ...(ctx.host ? { account: { registry: ctx.host, kind: 'token' as const } } : {}),
    });
  }
}

// Tokens are R's: two registries naming one realm never share a token (their credentials differ).
function tokenKey(host: string, c: Challenge, scope: string): string {
  return `${host}|${c.params.realm ?? ''}|${c.params.service ?? ''}|${normalizeScope(scope)}`;
}

// Leak guard (go-containerregistry transport/bearer.go `validateRealmURL`, basic.go `target`): the
// credentials go to an https realm R named, or over plain HTTP only to R's own origin — scheme, host
// name and port; another port of the same host name is another server.
function mayReceiveCredentials(realm: URL, registryOrigin: string): boolean {
  if (realm.protocol === 'https:') return true;
  return realm.protocol === 'http:' && realm.origin === registryOrigin;
}

/** Reads `token`/`access_token`, `expires_in` (≥ 60 s) and `issued_at` (token.md "Token Response Fields"). */
export function parseTokenResponse(body: Buffer, nowMs: number): CachedToken {
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
  try {
    doc = JSON.parse(body.toString('utf8')) as typeof doc;
  } catch {
    throw new RegistryError('the token server answered with something that is not JSON');
  }
  const token =
    typeof doc.token === 'string' && doc.token
      ? doc.token
      : typeof doc.access_token === 'string'
        ? doc.access_token
        : '';
  if (!token) throw new RegistryError('the token server answered without a token');
  const ttl = Math.max(MIN_TTL_S, typeof doc.expires_in === 'number' ? doc.expires_in : MIN_TTL_S);
  const issued = typeof doc.issued_at === 'string' ? Date.parse(doc.issued_at) : NaN;
  // issued_at counts only when it agrees with our clock (a skewed or injected clock must not make
  // every token look expired); otherwise the lifetime counts from receipt.
  const start = Number.isNaN(issued) || issued > nowMs || nowMs - issued > ttl * 1000 ? nowMs : issued;
  return { token, expiresAt: start + ttl * 1000 - MARGIN_MS };
}
