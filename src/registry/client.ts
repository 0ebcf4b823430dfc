/**
 * The distribution API for one ImageSource: manifests (HEAD/GET), blobs and tag lists, with
 * auth retried once per 401 and the scheme chosen per host (HTTPS verified; with insecure,
 * HTTPS unverified first and then plain HTTP, as OpenShift's importer does).
 */
import { RegistryError } from '../domain/errors.js';
import { MANIFEST_ACCEPT, baseMediaType } from '../domain/image.js';
import type { Authenticator } from './auth.js';
import { parseWwwAuthenticate, pickChallenge } from './challenge.js';
import { errorForStatus, isNetworkError } from './errors.js';
import type { HttpResponse, HttpTransport } from './http.js';
import { tlsOptionsFor, type TlsConnectOptions } from './tls.js';
import type { RequestKind } from './types.js';

/** Manifests larger than this are refused (distribution spec: at least 4 MB must work). */
export const MANIFEST_CAP = 4 << 20;
/** Config blobs larger than this are refused. */
export const CONFIG_CAP = 8 << 20;
const TAGS_PAGE_SIZE = 1000;
const TAGS_MAX_PAGES = 200;

/** Where a repository lives. */
export interface RepoLocation {
  host: string;
  repository: string;
  insecure: boolean;
  signal?: AbortSignal;
}

interface ClientRequest {
  method: 'GET' | 'HEAD';
  path: string;
  accept?: string;
  maxBody: number;
  /** Human name of what is asked, for messages. */
  what: string;
  /** What the registry budget counts it as. */
  kind: RequestKind;
}

/** A manifest as fetched. */
export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digestHeader?: string;
}

/** Distribution API calls for registries, sharing transport and auth. */
export class RegistryClient {
  private readonly schemes = new Map<string, 'https' | 'http'>();
  private readonly probes = new Map<string, Promise<'https' | 'http' | undefined>>();
  private readonly tlsCache = new Map<string, TlsConnectOptions>();
  /** Requests in flight and waiting, per registry host (see `slot`). */
  private readonly flights = new Map<
    string,
    { running: number; waiting: (() => void)[]; learning: Promise<void> | undefined }
  >();

  constructor(
    private readonly http: HttpTransport,
    private readonly auth: Authenticator,
    private readonly tls: { certDirs: string[]; env: Record<string, string | undefined> },
  ) {}

  /** HEAD a manifest: its digest and media type, or undefined fields when the registry omits them. */
  async headManifest(
    loc: RepoLocation,
    reference: string,
    what: string,
  ): Promise<{ digest?: string; mediaType: string }> {
    const res = await this.send(loc, {
      method: 'HEAD',
      path: `/v2/${loc.repository}/manifests/${reference}`,
      accept: MANIFEST_ACCEPT.join(', '),
      maxBody: 0,
      what,
      kind: 'headManifest',
    });
    if (res.status === 200)
      return { digest: res.headers['docker-content-digest'], mediaType: baseMediaType(res.headers['content-type']) };
    // Registries without HEAD support: the caller falls back to GET (crane does the same).
    if (res.status === 400 || res.status === 405 || res.status === 501) return { mediaType: '' };
    // A HEAD error has no body: ask again with GET to read the registry's error codes.
    if (res.status === 404) await this.getManifest(loc, reference, what);
    throw await this.error(loc, res, 'HEAD', what);
  }

  /** GET a manifest by tag or digest (bytes exactly as received); `kind` is what the budget counts it as. */
  async getManifest(
    loc: RepoLocation,
    reference: string,
    what: string,
    kind: RequestKind = 'getManifest',
  ): Promise<FetchedManifest> {
    const res = await this.send(loc, {
      method: 'GET',
      path: `/v2/${loc.repository}/manifests/${reference}`,
      accept: MANIFEST_ACCEPT.join(', '),
      maxBody: MANIFEST_CAP,
      what,
      kind,
    });
    if (res.status !== 200) throw await this.error(loc, res, 'GET', what);
    return {
      bytes: res.body,
      mediaType: baseMediaType(res.headers['content-type']),
      digestHeader: res.headers['docker-content-digest'],
    };
  }

  /** GET a blob (following redirects without credentials). */
  async getBlob(
    loc: RepoLocation,
    digest: string,
    cap: number,
    what: string,
    kind: RequestKind = 'getBlob',
  ): Promise<Buffer> {
    const res = await this.send(loc, {
      method: 'GET',
      path: `/v2/${loc.repository}/blobs/${digest}`,
      maxBody: cap,
      what,
      kind,
    });
    if (res.status !== 200) throw await this.error(loc, res, 'GET', what);
    return res.body;
  }

  /** Every tag of the repository, following `Link: <…>; rel="next"` (relative or absolute), bounded. */
  async listTags(loc: RepoLocation, what: string): Promise<string[]> {
    const tags = new Set<string>();
    let path: string | undefined = `/v2/${loc.repository}/tags/list?n=${TAGS_PAGE_SIZE}`;
    const seen = new Set<string>();
    for (let page = 0; path && page < TAGS_MAX_PAGES; page++) {
      seen.add(path);
      const res = await this.send(loc, { method: 'GET', path, maxBody: MANIFEST_CAP, what, kind: 'tagsList' });
      if (res.status !== 200) throw await this.error(loc, res, 'GET', what);
      for (const t of parseTagsBody(res.body, what)) tags.add(t);
      const next = nextLink(res.headers.link, res.url);
      path = next && !seen.has(next) ? next : undefined;
    }
    return [...tags].sort();
  }

  /** Opens a verified TLS connection to `host` ahead of its first request (HttpTransport.preconnect). */
  preconnect(host: string): void {
    const url = new URL(`https://${host}/`);
    if (url.host !== host) return;
    this.http.preconnect(url, host, this.tlsFor({ host, repository: '', insecure: false }));
  }

  private async send(loc: RepoLocation, r: ClientRequest): Promise<HttpResponse & { requestUrl: string }> {
    if (!loc.insecure) return this.sendWith('https', loc, r);
    const known = this.schemes.get(loc.host);
    if (known) return this.sendWith(known, loc, r);
    // One request per host finds the scheme; the others wait for it instead of each probing HTTPS.
    const probing = this.probes.get(loc.host);
    if (probing) {
      const scheme = await probing.catch(() => undefined);
      if (scheme) return this.sendWith(scheme, loc, r);
    }
    let settle!: (s: 'https' | 'http' | undefined) => void;
    this.probes.set(loc.host, new Promise((resolve) => (settle = resolve)));
    try {
      const { res, scheme } = await this.probe(loc, r);
      this.schemes.set(loc.host, scheme);
      settle(scheme);
      return res;
    } catch (err) {
      settle(undefined);
      throw err;
    } finally {
      this.probes.delete(loc.host);
    }
  }

  /** Insecure registries: HTTPS without verification first, then plain HTTP (the importer's insecure transport). */
  private async probe(
    loc: RepoLocation,
    r: ClientRequest,
  ): Promise<{ res: HttpResponse & { requestUrl: string }; scheme: 'https' | 'http' }> {
    // The probe and its fallback are one request to the user: they share one deadline.
    const deadlineAt = Date.now() + this.http.timeoutMs;
    try {
      return { res: await this.sendWith('https', loc, r, 0, deadlineAt), scheme: 'https' };
    } catch (err) {
      if (!isNetworkError(err)) throw err;
    }
    return { res: await this.sendWith('http', loc, r, undefined, deadlineAt), scheme: 'http' };
  }

  /**
   * Waits until `host` has room for one more request (HttpTransport.maxInFlight: the HTTP/1.1
   * connections, or the HTTP/2 stream bound once h2 was negotiated) and returns its release. The
   * wait comes before the request's deadline starts; every request in flight has a deadline, so
   * the wait is bounded too.
   */
  private async slot(host: string, https: boolean): Promise<() => void> {
    let f = this.flights.get(host);
    if (!f) this.flights.set(host, (f = { running: 0, waiting: [], learning: undefined }));
    const flight = f;
    // The bound may grow (the first h2 connection): wake as many as now fit.
    const pump = () => {
      while (flight.waiting.length > 0 && flight.running < this.http.maxInFlight(host, https)) {
        flight.running++;
        flight.waiting.shift()!();
      }
    };
    if (flight.running >= this.http.maxInFlight(host, https)) {
      // While the first TLS connection learns its protocol, only it runs; the others start as
      // soon as its handshake is done, not when its answer is in.
      // Armed again when the protocol is learned anew (every connection to the host had closed).
      if (https) {
        const learned = this.http.protocolLearned(host);
        if (flight.learning !== learned) {
          flight.learning = learned;
          void learned.then(pump);
        }
      }
      await new Promise<void>((r) => flight.waiting.push(r));
    } else flight.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      flight.running--;
      pump();
    };
  }

  private async sendWith(
    scheme: 'https' | 'http',
    loc: RepoLocation,
    r: ClientRequest,
    retries?: number,
    deadlineAt?: number,
  ): Promise<HttpResponse & { requestUrl: string }> {
    const release = await this.slot(loc.host, scheme === 'https');
    try {
      return await this.sendNow(scheme, loc, r, retries, deadlineAt);
    } finally {
      release();
    }
  }

  private async sendNow(
    scheme: 'https' | 'http',
    loc: RepoLocation,
    r: ClientRequest,
    retries?: number,
    deadlineAt?: number,
  ): Promise<HttpResponse & { requestUrl: string }> {
    const url = new URL(`${scheme}://${loc.host}${r.path}`);
    if (url.host !== loc.host) throw new RegistryError(`invalid request path ${r.path}`);
    const tls = this.tlsFor(loc);
    const ctx = {
      host: loc.host,
      repository: loc.repository,
      scope: `repository:${loc.repository}:pull`,
      origin: url.origin,
      tls,
      agentKey: loc.host,
      signal: loc.signal,
    };
    const headers: Record<string, string> = { 'user-agent': 'isctl' };
    if (r.accept) headers.accept = r.accept;
    const attempt = async (authorization: string | undefined) => {
      const h = authorization ? { ...headers, authorization } : headers;
      return this.http.send({
        method: r.method,
        url,
        headers: h,
        maxBody: r.maxBody,
        agentKey: loc.host,
        tls,
        signal: loc.signal,
        retries,
        account: { registry: loc.host, kind: r.kind },
        ...(deadlineAt !== undefined ? { deadlineAt } : {}),
        foreignChallenge: (hop, www, signal) =>
          this.auth.foreignToken(hop, www, { host: loc.host, tls, agentKey: loc.host, signal }),
      });
    };
    const first = await this.auth.authorization(ctx);
    let res = await attempt(first);
    // Only R's own 401 is R's challenge: one from a host a redirect led to is never answered with R's secrets.
    if (res.status === 401 && !res.crossedOrigin) {
      const challenge =
        pickChallenge(parseWwwAuthenticate(res.headers['www-authenticate'])) ?? this.auth.challengeFor(loc.host);
      if (challenge) {
        this.auth.remember(loc.host, challenge);
        if (challenge.scheme === 'bearer') this.auth.dropToken(loc.host, challenge, ctx.scope);
        const second = await this.auth.authorization(ctx, true);
        if (second && second !== first) res = await attempt(second);
      }
    }
    return { ...res, requestUrl: url.toString() };
  }

  // certs.d is read once per host and mode, not on every request.
  private tlsFor(loc: RepoLocation): TlsConnectOptions {
    const key = `${loc.host}|${loc.insecure}`;
    let t = this.tlsCache.get(key);
    if (!t) {
      t = tlsOptionsFor(loc.host, { certDirs: this.tls.certDirs, insecure: loc.insecure, env: this.tls.env });
      this.tlsCache.set(key, t);
    }
    return t;
  }

  private async error(
    loc: RepoLocation,
    res: HttpResponse & { requestUrl: string },
    method: string,
    what: string,
  ): Promise<RegistryError> {
    if (res.crossedOrigin && (res.status === 401 || res.status === 403)) {
      return errorForStatus(res.status, res.body, { method, url: res.requestUrl, what, host: loc.host }, '', {
        redirectedTo: res.url.host,
      });
    }
    const hint =
      res.status === 401 || res.status === 403 ? await this.auth.credentialHint(loc.host, loc.repository) : '';
    return errorForStatus(res.status, res.body, { method, url: res.requestUrl, what, host: loc.host }, hint);
  }
}

function parseTagsBody(body: Buffer, what: string): string[] {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { tags?: unknown };
    if (doc.tags === null || doc.tags === undefined) return [];
    if (!Array.isArray(doc.tags)) throw new Error('tags is not a list');
    return doc.tags.filter((t): t is string => typeof t === 'string');
  } catch (e) {
    throw new RegistryError(`malformed tag list for ${what}: ${(e as Error).message}`);
  }
}

/** The `rel="next"` target of a Link header, as a path on the same host, or undefined. */
export function nextLink(link: string | undefined, base: URL): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m || !/;\s*rel="?next"?/i.test(m[2])) continue;
    const url = new URL(m[1], base);
    // Only follow pagination on the same registry; a Link elsewhere is ignored.
    if (url.host !== base.host) return undefined;
    return url.pathname + url.search;
  }
  return undefined;
}
