/**
 * HTTP for registries. The policy lives here, in one place, above the connection: every request
 * has one overall deadline (connect, headers, body, redirects and retries together); redirects are
 * followed by hand and a hop that leaves the request's origin carries no Authorization (distribution
 * spec: "MUST NOT forward Authorization headers across host boundaries"; go-containerregistry
 * pkg/v1/remote/transport basic.go/bearer.go set it only when the request's host is the target's);
 * a request with a body is never redirected (a 307/308 would re-send the body, a refresh token,
 * elsewhere); bodies are capped; bounded retries with backoff + jitter for 429/502/503/504 and
 * resets honour Retry-After within the deadline. `-v` tracing and the "waiting for HOST" notice
 * hook in here too.
 *
 * The exchange itself (`Exchange`) is the only part that knows the connection: undici with
 * kept-alive connections (undici closes the socket after every HEAD unless `reset: false`) and
 * bounded connections per registry. HTTPS origins offer h2 by ALPN and, when the server takes it,
 * carry up to `maxStreamsPerConnection` concurrent streams on one connection (undici sends one
 * stream at a time unless `pipelining` allows more); a server that answers ALPN with http/1.1 (or
 * not at all) gets plain HTTP/1.1 keep-alive, one request per connection at a time, never
 * HTTP/1.1 pipelining. Plain-HTTP origins are always HTTP/1.1. Another connection type replaces
 * the exchange without touching the policy.
 */
import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Dispatcher } from 'undici';
import { Agent, type AgentOptions, Client, Pool, buildConnector, request } from './undici.js';
import { IntegrityError, RegistryError } from '../domain/errors.js';
import { errorForNetwork, isRefusedStream, isTransientNetworkError, redactUrl } from './errors.js';
import { secureContextFor, type TlsConnectOptions } from './tls.js';
import type { RequestAccount, RequestBudget } from './budget.js';

/** One HTTP exchange as `-v` shows it (URLs and headers already redacted). */
export interface TraceEvent {
  method: string;
  url: string;
  /** 0 when no answer came (network error, deadline). */
  status: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
  /** What went wrong when no answer came. */
  error?: string;
}

/** Options of the transport shared by every registry. */
export interface HttpOptions {
  /** Use this dispatcher for every request instead of per-registry agents (tests). */
  dispatcher?: Dispatcher;
  maxConnectionsPerRegistry: number;
  /** Offer HTTP/2 (ALPN h2) to HTTPS registries (default true); false keeps every origin on HTTP/1.1. */
  http2?: boolean;
  /** Concurrent HTTP/2 streams on one connection (default 128). */
  maxStreamsPerConnection?: number;
  /** Overall deadline of one request: connect, headers and body, redirects and retries included. */
  timeoutMs: number;
  retries: number;
  /** Longest Retry-After honoured (ms); longer waits are capped. */
  maxRetryAfterMs: number;
  onRequest?: (method: string, url: string, status: number) => void;
  /** Every exchange (each redirect hop and retry), for `-v`. */
  trace?: (e: TraceEvent) => void;
  /** Called when a request starts; the returned function when it ends (the terminal's "waiting for HOST"). */
  onWait?: (host: string, timeoutMs: number) => () => void;
  sleep: (ms: number) => Promise<void>;
  /** Counts every answered exchange of a request that names its `account` (the registry budget). */
  budget?: RequestBudget;
}

/** One request. Bodies are read up to `maxBody` bytes (error bodies up to 64 KiB). */
export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  maxBody: number;
  /** Which agent (TLS settings) to use: the registry host the request is for. */
  agentKey: string;
  tls: TlsConnectOptions;
  signal?: AbortSignal;
  /** Override the number of retries (e.g. 0 for the HTTPS probe of an insecure registry). */
  retries?: number;
  /** An earlier end (epoch ms) shared with other requests of one logical request (the HTTPS probe and its HTTP fallback). */
  deadlineAt?: number;
  /**
   * A hop on another origin than `url` answered 401 (a registry redirected a blob to storage that
   * asks for its own token): return an Authorization for that one hop (never one made from the
   * registry's secrets), or undefined to take the 401 as the answer.
   * go-containerregistry bearer.go `handleCrossHostChallenge`.
   */
  foreignChallenge?: (hop: URL, wwwAuthenticate: string, signal: AbortSignal) => Promise<string | undefined>;
  /** The registry and kind this request is counted as in the budget (every hop and retry counts). */
  account?: RequestAccount;
}

/** A response with its body fully read. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: URL;
  /** True when the answer came from another origin than the request's (a redirect left it). */
  crossedOrigin: boolean;
}

/** The connection-specific part: one request, one answer, no policy. */
export type Exchange = (req: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  agentKey: string;
  tls: TlsConnectOptions;
  signal: AbortSignal;
  timeoutMs: number;
}) => Promise<{ status: number; headers: Record<string, string>; body: Dispatcher.ResponseData['body'] }>;

const RETRY_STATUS = new Set([429, 502, 503, 504]);
/** Times one request is sent again after the server refused its HTTP/2 stream (isRefusedStream). */
const MAX_REFUSED_STREAMS = 8;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const ERROR_BODY_CAP = 64 * 1024;

/** What `protocolLearned` answers when ALPN is not seen: settled, and the same each time. */
const LEARNED = Promise.resolve();

/** Thrown (as the abort reason) when a request's deadline passes. */
class DeadlineExceeded extends Error {}

/** The requests whose deadlines fall in one slot: one abort signal and one timer (see `send`). */
interface DeadlineSlot {
  at: number;
  ctl: AbortController;
  timer: ReturnType<typeof setTimeout>;
  users: number;
}

/** The shared transport. */
export class HttpTransport {
  private readonly agents = new Map<string, Agent>();
  /** Deadline slots by the time they fire (`deadlineSlot`). */
  private readonly slots = new Map<number, DeadlineSlot>();
  /** Agent keys (registry hosts) on which a connection negotiated h2 by ALPN. */
  private readonly h2Hosts = new Set<string>();
  /**
   * Agent keys whose first TLS connection has finished its handshake (whatever ALPN chose) or
   * failed, each with the wake-up of the requests that waited for it (see `maxInFlight`).
   */
  private readonly learned = new Map<string, { done: boolean; promise: Promise<void>; resolve: () => void }>();
  /** TLS connections up per agent key (`connectionOpened`). */
  private readonly openConnections = new Map<string, number>();
  /** The connect options of each agent (by agent id), for connections opened ahead (`preconnect`). */
  private readonly connects = new Map<string, ConnectOptions>();
  /** Connections opened ahead of the first request, by agent id and origin; each is taken once. */
  private readonly spares = new Map<string, Promise<Spare | undefined>>();
  private readonly exchange: Exchange;
  /** True when the exchange is undici's own, so ALPN results are seen (`h2Pool`). */
  private readonly seesAlpn: boolean;
  constructor(
    private readonly options: HttpOptions,
    exchange?: Exchange,
  ) {
    this.exchange = exchange ?? ((r) => this.undiciExchange(r));
    this.seesAlpn = !exchange && !options.dispatcher && options.http2 !== false;
  }

  /** Sends a request under one deadline, following redirects and retrying transient failures. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const timeoutMs = this.options.timeoutMs;
    const deadline = Math.min(Date.now() + timeoutMs, req.deadlineAt ?? Number.POSITIVE_INFINITY);
    const slot = this.deadlineSlot(deadline, timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, slot.ctl.signal]) : slot.ctl.signal;
    const done = this.options.onWait?.(req.url.host, timeoutMs);
    try {
      return await this.withRetries(req, signal, deadline);
    } catch (err) {
      if (slot.ctl.signal.aborted && !req.signal?.aborted) throw deadlineError(req, timeoutMs);
      throw err;
    } finally {
      this.leaveSlot(slot);
      done?.();
    }
  }

  /**
   * The abort signal and timer of the deadlines in one slot: a hundredth of the timeout wide (a
   * deadline fires at most 1 % of the timeout late), shared by the requests whose deadlines fall
   * in it. An AbortController and a timer a request cost ~15 µs of the main thread each, with
   * 4,000 requests in a cold refresh; a slot goes when its last request is done, or fires.
   */
  private deadlineSlot(deadline: number, timeoutMs: number): DeadlineSlot {
    const width = Math.max(1, Math.floor(timeoutMs / 100));
    const at = Math.ceil(deadline / width) * width;
    let slot = this.slots.get(at);
    if (!slot) {
      const ctl = new AbortController();
      // Every request of the slot listens on it (undici adds one listener a request, and removes it).
      setMaxListeners(0, ctl.signal);
      const fire = () => {
        if (this.slots.get(at)?.ctl === ctl) this.slots.delete(at);
        ctl.abort(new DeadlineExceeded());
      };
      slot = { at, ctl, users: 0, timer: setTimeout(fire, Math.max(0, at - Date.now())) };
      this.slots.set(at, slot);
    }
    slot.users++;
    return slot;
  }

  private leaveSlot(slot: DeadlineSlot): void {
    if (--slot.users > 0 || slot.ctl.signal.aborted) return;
    clearTimeout(slot.timer);
    if (this.slots.get(slot.at) === slot) this.slots.delete(slot.at);
  }

  /** The overall deadline of one request (ms). */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /**
   * How many requests for one registry (agent key) may be in flight at once: the connections of
   * HTTP/1.1 (one request each, so none waits inside undici where its deadline would already
   * run), or the stream bound once a connection to it negotiated h2. Over HTTPS with h2 offered,
   * one request until the first connection's handshake is done: undici opens a new connection
   * for each request that arrives while the first one is still connecting, and when ALPN then
   * chooses h2 that one connection carries them all, so the other handshakes were CPU thrown
   * away on both sides. Once ALPN chose HTTP/1.1 (or the first connection failed), the
   * connections bound applies as before.
   */
  maxInFlight(agentKey: string, https = false): number {
    if (this.seesAlpn && this.h2Hosts.has(agentKey)) return this.streams;
    if (this.seesAlpn && https && !this.learned.get(agentKey)?.done) return 1;
    return Math.max(1, this.options.maxConnectionsPerRegistry);
  }

  /**
   * Resolves once `maxInFlight(agentKey, true)` may have grown: the first TLS connection to it
   * finished its handshake or failed (at once when that happened already, or when ALPN is not
   * seen). Every request in flight has a deadline, and a request's end settles it too, so the
   * wait is bounded.
   */
  protocolLearned(agentKey: string): Promise<void> {
    if (!this.seesAlpn) return LEARNED;
    return this.learning(agentKey).promise;
  }

  private learning(agentKey: string) {
    let l = this.learned.get(agentKey);
    if (!l) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      l = { done: false, promise, resolve };
      this.learned.set(agentKey, l);
    }
    return l;
  }

  private learnedProtocol(agentKey: string, h2: boolean): void {
    if (h2) this.h2Hosts.add(agentKey);
    const l = this.learning(agentKey);
    if (l.done) return;
    l.done = true;
    l.resolve();
  }

  /**
   * A TLS connection to `agentKey` is up (`socket`): counted until it closes. When the last one
   * closes (idle, or the server went away), the protocol is learned again as at the first
   * request: the next burst sends one request, whose connection's handshake says h2 or not,
   * instead of opening a connection per request of the burst while the first still connects.
   */
  private connectionOpened(agentKey: string, socket: Socket): void {
    this.openConnections.set(agentKey, (this.openConnections.get(agentKey) ?? 0) + 1);
    socket.once('close', () => {
      const n = (this.openConnections.get(agentKey) ?? 1) - 1;
      if (n > 0) return void this.openConnections.set(agentKey, n);
      this.openConnections.delete(agentKey);
      if (!this.learned.get(agentKey)?.done) return; // a handshake is under way: it decides
      this.learned.delete(agentKey);
      this.h2Hosts.delete(agentKey);
    });
  }

  /**
   * Opens the first TLS connection to an HTTPS registry now, before any request to it, so that its
   * handshake overlaps whatever the command does next; the first connection undici then needs for
   * that origin takes it (`h2Pool`). Nothing is sent on it but the TLS handshake (the client
   * certificate of certs.d included, as the first request would): no request, no credential. Only
   * with ALPN seen (HTTP/2 on) and before the host was contacted; a failure is left to the first
   * request, which connects itself and reports it.
   */
  preconnect(url: URL, agentKey: string, tls: TlsConnectOptions): void {
    if (!this.seesAlpn || url.protocol !== 'https:' || this.learned.has(agentKey)) return;
    const id = agentId(agentKey, tls, true);
    const spareKey = `${id}|${url.origin}`;
    if (this.spares.has(spareKey)) return;
    this.agentFor(agentKey, tls, true);
    const connect = this.connects.get(id)!;
    this.spares.set(spareKey, openSpare(connect, url));
  }

  /** Closes every kept-alive connection. */
  async close(): Promise<void> {
    const spares = [...this.spares.values()];
    this.spares.clear();
    for (const s of await Promise.all(spares)) s?.socket.destroy();
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }

  private async withRetries(req: HttpRequest, signal: AbortSignal, deadline: number): Promise<HttpResponse> {
    const retries = req.retries ?? this.options.retries;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.sendResendingRefused(req, signal, deadline);
      } catch (err) {
        if (err instanceof RegistryError || signal.aborted) throw err;
        const wait = backoff(attempt);
        if (attempt < retries && isTransientNetworkError(err) && Date.now() + wait < deadline) {
          await this.options.sleep(wait);
          continue;
        }
        throw errorForNetwork(err, req.method, req.url);
      }
      if (RETRY_STATUS.has(res.status) && attempt < retries) {
        const wait = retryDelay(res.headers['retry-after'], attempt, this.options.maxRetryAfterMs);
        // A wait that would end past the deadline is not started: the answer is returned now.
        if (Date.now() + wait < deadline) {
          await this.options.sleep(wait);
          if (!signal.aborted) continue;
        }
      }
      return res;
    }
  }

  /**
   * One attempt. A stream the server refused was never processed: it is sent again at once, at
   * most MAX_REFUSED_STREAMS times, without using a retry (by then the connection knows the
   * server's stream limit and keeps to it).
   */
  private async sendResendingRefused(req: HttpRequest, signal: AbortSignal, deadline: number): Promise<HttpResponse> {
    for (let refused = 0; ; refused++) {
      try {
        return await this.followRedirects(req, signal);
      } catch (err) {
        if (!isRefusedStream(err) || refused >= MAX_REFUSED_STREAMS || signal.aborted || Date.now() >= deadline)
          throw err;
      }
    }
  }

  private async followRedirects(req: HttpRequest, signal: AbortSignal): Promise<HttpResponse> {
    const origin = req.url.origin;
    // Requests with a body are never redirected (the body would go to wherever the answer points).
    const follow = req.body === undefined;
    let url = req.url;
    let headers = { ...req.headers };
    let method = req.method;
    let body = req.body;
    let crossed = false;
    let tls = req.tls;
    let agentKey = req.agentKey;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const h = { url, headers, method, body, tls, agentKey };
      let res = await this.once(req, h, signal);
      if (crossed && res.status === 401 && req.foreignChallenge) {
        const authorization = await req.foreignChallenge(url, res.headers['www-authenticate'] ?? '', signal);
        if (authorization) res = await this.once(req, { ...h, headers: { ...headers, authorization } }, signal);
      }
      const location = res.headers.location;
      if (!follow || !REDIRECT_STATUS.has(res.status) || !location) return { ...res, url, crossedOrigin: crossed };
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new RegistryError(`${url.host} answered ${res.status} with an invalid Location`, {
          method: req.method,
          url: redactUrl(req.url),
        });
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:')
        throw new RegistryError(`${url.host} redirected to a ${next.protocol} URL; only http and https are followed`, {
          method: req.method,
          url: redactUrl(req.url),
        });
      // Once a hop leaves the origin, no later hop carries the Authorization (not even one back).
      if (next.origin !== origin) {
        crossed = true;
        headers = withoutAuthorization(headers);
        // A TLS client certificate is a credential of the registry too: it is not shown to other hosts.
        tls = {
          ...(req.tls.ca ? { ca: req.tls.ca } : {}),
          ...(req.tls.extraCa ? { extraCa: req.tls.extraCa } : {}),
          rejectUnauthorized: req.tls.rejectUnauthorized,
        };
        agentKey = `redirect|${next.host}`;
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
    throw new RegistryError(`too many redirects from ${redactUrl(req.url)}`, {
      method: req.method,
      url: redactUrl(req.url),
    });
  }

  private async once(
    req: HttpRequest,
    hop: {
      url: URL;
      headers: Record<string, string>;
      method: HttpRequest['method'];
      body?: string;
      tls: TlsConnectOptions;
      agentKey: string;
    },
    signal: AbortSignal,
  ): Promise<Omit<HttpResponse, 'url' | 'crossedOrigin'>> {
    const started = Date.now();
    const trace = this.options.trace;
    const event = (status: number, responseHeaders: Record<string, string>, error?: string) =>
      trace?.({
        method: hop.method,
        url: redactUrl(hop.url),
        status,
        durationMs: Date.now() - started,
        requestHeaders: redactHeaders(hop.headers),
        responseHeaders: redactHeaders(responseHeaders),
        ...(error ? { error } : {}),
      });
    let res: Awaited<ReturnType<Exchange>>;
    try {
      res = await this.exchange({
        method: hop.method,
        url: hop.url,
        headers: hop.headers,
        body: hop.body,
        agentKey: hop.agentKey,
        tls: hop.tls,
        signal,
        timeoutMs: this.options.timeoutMs,
      });
    } catch (err) {
      // A request that ended without an answer may never have reached a connect (aborted while
      // queued): the requests waiting for the first handshake go ahead under the connections bound.
      this.learnedProtocol(hop.agentKey, false);
      this.options.onRequest?.(hop.method, redactUrl(hop.url), 0);
      event(
        0,
        {},
        signal.aborted
          ? 'deadline exceeded'
          : String((err as Error)?.message ?? err)
              .split('\n')[0]
              .trim(),
      );
      throw err;
    }
    this.options.onRequest?.(hop.method, redactUrl(hop.url), res.status);
    if (req.account) this.options.budget?.count(req.account, res.headers, hop.url.origin === req.url.origin);
    event(res.status, res.headers);
    const ok = res.status >= 200 && res.status < 300;
    const cap = ok ? req.maxBody : ERROR_BODY_CAP;
    const body = hop.method === 'HEAD' ? await drain(res.body) : await readCapped(res.body, cap, ok, hop.url);
    return { status: res.status, headers: res.headers, body };
  }

  private async undiciExchange(r: Parameters<Exchange>[0]): ReturnType<Exchange> {
    const dispatcher = this.options.dispatcher ?? this.agentFor(r.agentKey, r.tls, r.url.protocol === 'https:');
    const res = await request(dispatcher, {
      origin: r.url.origin,
      path: r.url.pathname + r.url.search,
      method: r.method as Dispatcher.HttpMethod,
      headers: r.headers,
      body: r.body,
      reset: false,
      signal: r.signal,
      // The deadline is the signal; these idle timers only back it up.
      headersTimeout: r.timeoutMs,
      bodyTimeout: r.timeoutMs,
    });
    return { status: res.statusCode, headers: flatHeaders(res.headers), body: res.body };
  }

  private agentFor(key: string, tls: TlsConnectOptions, https: boolean): Agent {
    const h2 = https && this.options.http2 !== false;
    const id = agentId(key, tls, h2);
    let agent = this.agents.get(id);
    if (!agent) {
      // The request deadline ends a slow connect first (with its own message); this only backs it up.
      // One secure context for every connection of the agent (./tls.ts secureContextFor).
      const secureContext = https ? secureContextFor(tls) : undefined;
      const connect = { ...tls, ...(secureContext ? { secureContext } : {}), timeout: this.options.timeoutMs + 1000 };
      this.connects.set(id, connect);
      const common = { connections: this.options.maxConnectionsPerRegistry, keepAliveTimeout: 30_000 };
      agent = h2
        ? new Agent({
            ...common,
            factory: (origin, opts) =>
              h2Pool(
                origin,
                opts,
                connect,
                this.streams,
                (isH2, socket) => {
                  if (socket) this.connectionOpened(key, socket);
                  this.learnedProtocol(key, isH2);
                },
                () => this.takeSpare(`${id}|${new URL(String(origin)).origin}`),
              ),
          })
        : new Agent({ ...common, connect });
      this.agents.set(id, agent);
    }
    return agent;
  }

  /** The connection opened ahead for this agent and origin, once. */
  private takeSpare(spareKey: string): Promise<Spare | undefined> | undefined {
    const spare = this.spares.get(spareKey);
    this.spares.delete(spareKey);
    return spare;
  }

  private get streams(): number {
    return Math.max(1, this.options.maxStreamsPerConnection ?? 128);
  }
}

type ConnectOptions = TlsConnectOptions & { timeout: number; secureContext?: SecureContext };

/** The agent of a registry host, its TLS verification and protocol (h2 only over HTTPS). */
function agentId(key: string, tls: TlsConnectOptions, h2: boolean): string {
  return `${key}|${tls.rejectUnauthorized ? 'verify' : 'noverify'}|${h2 ? 'h2' : 'h1'}`;
}

/** A connection opened ahead of its first request; `adopt` hands it to undici. */
interface Spare {
  socket: Socket;
  adopt(): Socket;
}

/**
 * Connects to `url`'s origin as undici's own connector would for the agent (the same options,
 * ALPN h2 and http/1.1). Until it is adopted it keeps no process alive and its errors are
 * swallowed; one that failed resolves to undefined.
 */
function openSpare(connect: ConnectOptions, url: URL): Promise<Spare | undefined> {
  return new Promise((resolve) => {
    try {
      const base = buildConnector({ ...connect, allowH2: true });
      const target = { hostname: url.hostname, host: url.host, protocol: 'https:', port: url.port || '443' };
      base(target as Parameters<typeof base>[0], (err, socket) => {
        if (err || !socket) return resolve(undefined);
        const ignore = () => undefined;
        socket.on('error', ignore);
        socket.unref();
        resolve({
          socket,
          adopt: () => {
            socket.off('error', ignore);
            socket.ref();
            return socket;
          },
        });
      });
    } catch {
      resolve(undefined);
    }
  });
}

/** True when a spare connection can still carry requests. */
function usable(socket: Socket): boolean {
  return !socket.destroyed && socket.readyState === 'open';
}

/**
 * A pool of connections to one HTTPS origin that offers h2. Each connection starts allowing
 * `streams` requests at once; when ALPN did not choose h2 it is set back to one request at a time
 * (HTTP/1.1 pipelining is not used: proxies and registries handle it badly, and a failure would
 * take every queued request with it).
 */
function h2Pool(
  origin: string | URL,
  opts: AgentOptions,
  connect: ConnectOptions,
  streams: number,
  /**
   * Each connection's outcome: true when ALPN chose h2, false for HTTP/1.1 or a failed connect;
   * the socket when it connected.
   */
  onProtocol: (h2: boolean, socket?: Socket) => void,
  /** The connection opened ahead for this origin, if any (taken once). */
  takeSpare: () => Promise<Spare | undefined> | undefined,
): Dispatcher {
  return new Pool(origin, {
    ...opts,
    factory: (o, clientOpts) => {
      const base = buildConnector({ ...connect, allowH2: true });
      const client: Client = new Client(o, {
        ...clientOpts,
        allowH2: true,
        pipelining: streams,
        // What the server is assumed to allow until its SETTINGS arrive (Node passes it to
        // nghttp2 as peerMaxConcurrentStreams; after SETTINGS nghttp2 keeps to the server's
        // value, holding the excess back). RFC 9113 section 6.5.2 recommends servers allow at
        // least 100; golang.org/x/net/http2 assumes 100 (initialMaxConcurrentStreams) too.
        maxConcurrentStreams: Math.min(streams, 100),
        connect: (options, callback) => {
          const connected: Parameters<typeof base>[1] = (err, socket) => {
            if (err || !socket) {
              onProtocol(false);
              return callback(err ?? new Error('no socket'), null);
            }
            const h2 = (socket as TLSSocket).alpnProtocol === 'h2';
            onProtocol(h2, socket);
            const negotiated = h2 ? streams : 1;
            if (client.pipelining !== negotiated) client.pipelining = negotiated;
            callback(null, socket);
          };
          const spare = takeSpare();
          if (!spare) return base(options, connected);
          spare.then((s) => (s && usable(s.socket) ? connected(null, s.adopt()) : base(options, connected)));
        },
      });
      return client;
    },
  });
}

function withoutAuthorization(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).filter(([k]) => k.toLowerCase() !== 'authorization'));
}

function deadlineError(req: HttpRequest, timeoutMs: number): RegistryError {
  return new RegistryError(
    `timeout: ${req.url.host} gave no complete answer to ${req.method} ${redactUrl(req.url)} within ${formatDuration(timeoutMs)}`,
    {
      method: req.method,
      url: redactUrl(req.url),
      transient: true,
      reason: 'InternalError',
      hint: 'raise --request-timeout (or ISCTL_REQUEST_TIMEOUT) if the registry is only slow',
    },
  );
}

/** `30s`, `1m30s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  if (m === 0) return `${s}s`;
  return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/**
 * Headers as `-v` may print them: credentials masked as client-go's round_trippers.go
 * `maskValue` does (`Bearer <masked>`), URLs in Location redacted.
 */
export function redactHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    const key = k.toLowerCase();
    if (SECRET_HEADERS.has(key)) {
      const scheme = /^(basic|bearer)\s/i.exec(v)?.[1];
      out[key] = scheme ? `${scheme} <masked>` : '<masked>';
    } else if (key === 'location' || key === 'content-location') {
      // A relative Location keeps its path; its query (a signature, perhaps) is not shown.
      out[key] = /^[a-z][a-z0-9+.-]*:/i.test(v) ? redactUrl(v) : v.replace(/\?.*$/, '?REDACTED');
    } else out[key] = v;
  }
  return out;
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    // Several WWW-Authenticate headers are joined with ", ": the challenge parser handles lists.
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

async function drain(body: Dispatcher.ResponseData['body']): Promise<Buffer> {
  await body.dump();
  return Buffer.alloc(0);
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  cap: number,
  strict: boolean,
  url: URL,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > cap) {
      body.destroy();
      if (!strict) break;
      throw new IntegrityError(
        `response from ${redactUrl(url)} is larger than ${formatBytes(cap)}; refusing to read it`,
        { url: redactUrl(url) },
      );
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${n} bytes`;
}

/** Exponential backoff with ±20 % jitter: 250 ms, 500 ms, 1 s, … capped at 8 s. */
export function backoff(attempt: number): number {
  const base = Math.min(8000, 250 * 2 ** attempt);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Delay for a retry: Retry-After (seconds or HTTP date, capped) or the backoff. */
export function retryDelay(retryAfter: string | undefined, attempt: number, capMs: number, now = Date.now()): number {
  if (retryAfter) {
    const secs = Number(retryAfter.trim());
    if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, capMs);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date) && date > now) return Math.min(date - now, capMs);
  }
  return Math.min(backoff(attempt), capMs);
}
