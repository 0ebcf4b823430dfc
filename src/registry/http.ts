/**
 * HTTP over undici for registries: kept-alive connections (undici closes the socket after every
 * HEAD unless `reset: false`, registry-lab/README.md §e), bounded connections per registry,
 * timeouts, capped bodies, manual redirects that never carry Authorization to another host
 * (distribution spec: "MUST NOT forward Authorization headers across host boundaries"), and
 * bounded retries with backoff + jitter for 429/502/503/504 and resets, honouring Retry-After.
 */
import { Agent, type Dispatcher } from 'undici';
import { IntegrityError, RegistryError } from '../domain/errors.js';
import { errorForNetwork, isTransientNetworkError, redactUrl } from './errors.js';
import type { TlsConnectOptions } from './tls.js';

/** Options of the transport shared by every registry. */
export interface HttpOptions {
  /** Use this dispatcher for every request instead of per-registry agents (tests). */
  dispatcher?: Dispatcher;
  maxConnectionsPerRegistry: number;
  timeoutMs: number;
  retries: number;
  /** Longest Retry-After honoured (ms); longer waits are capped. */
  maxRetryAfterMs: number;
  onRequest?: (method: string, url: string, status: number) => void;
  sleep: (ms: number) => Promise<void>;
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
}

/** A response with its body fully read. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: URL;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const MAX_REDIRECTS = 5;
const ERROR_BODY_CAP = 64 * 1024;

/** The shared transport: one undici Agent per registry host and TLS setting. */
export class HttpTransport {
  private readonly agents = new Map<string, Agent>();
  constructor(private readonly options: HttpOptions) {}

  /** Sends a request, following redirects and retrying transient failures. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const retries = req.retries ?? this.options.retries;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.followRedirects(req);
      } catch (err) {
        if (err instanceof RegistryError || req.signal?.aborted) throw err;
        if (attempt < retries && isTransientNetworkError(err) && !req.signal?.aborted) {
          await this.options.sleep(backoff(attempt));
          continue;
        }
        throw errorForNetwork(err, req.method, req.url);
      }
      if (RETRY_STATUS.has(res.status) && attempt < retries) {
        await this.options.sleep(retryDelay(res.headers['retry-after'], attempt, this.options.maxRetryAfterMs));
        continue;
      }
      return res;
    }
  }

  /** Closes every kept-alive connection. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.close()));
  }

  private async followRedirects(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { ...req.headers };
    let method = req.method;
    let body = req.body;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.once({ ...req, url, headers, method, body });
      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        // Never forward credentials to another host (object storage, CDN).
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
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

  private async once(req: HttpRequest): Promise<HttpResponse> {
    const dispatcher = this.options.dispatcher ?? this.agentFor(req.agentKey, req.tls);
    let res: Dispatcher.ResponseData;
    try {
      res = await dispatcher.request({
        origin: req.url.origin,
        path: req.url.pathname + req.url.search,
        method: req.method,
        headers: req.headers,
        body: req.body,
        reset: false,
        signal: req.signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
    } catch (err) {
      this.options.onRequest?.(req.method, redactUrl(req.url), 0);
      throw err;
    }
    this.options.onRequest?.(req.method, redactUrl(req.url), res.statusCode);
    const headers = flatHeaders(res.headers);
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    const cap = ok ? req.maxBody : ERROR_BODY_CAP;
    const body = req.method === 'HEAD' ? await drain(res.body) : await readCapped(res.body, cap, ok, req.url);
    return { status: res.statusCode, headers, body, url: req.url };
  }

  private agentFor(key: string, tls: TlsConnectOptions): Agent {
    const id = `${key}|${tls.rejectUnauthorized ? 'verify' : 'noverify'}`;
    let agent = this.agents.get(id);
    if (!agent) {
      agent = new Agent({
        connections: this.options.maxConnectionsPerRegistry,
        keepAliveTimeout: 30_000,
        connect: { ...tls, timeout: this.options.timeoutMs },
      });
      this.agents.set(id, agent);
    }
    return agent;
  }
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
