/**
 * The HTTP side of `serve` (node:http): `/webhooks/<sender>`, `/healthz`, `/metrics`. A delivery
 * is authenticated over its raw bytes, capped in size, parsed, de-duplicated and queued; the
 * answer goes out at once and the import runs later (the senders' timeouts: Harbor gives up
 * after 3 s, GitHub and Quay after 10 s, Distribution redelivers after its timeout).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { authenticate } from './auth.js';
import type { DeliveryDeduper } from './dedupe.js';
import { PayloadError, isSender, type ParsedDelivery, type PushEvent, type Sender } from './events.js';
import { parseDelivery } from './parsers.js';
import type { OfferResult } from './queue.js';
import type { Logger } from './log.js';
import type { ServeMetrics } from './telemetry.js';

/**
 * Bytes of webhook bodies held in memory at once, across every connection: a delivery that would
 * go past it is answered 503 (Retry-After) without reading further, so slow or hostile senders
 * cannot make serve buffer a body per connection.
 */
export class BodyBudget {
  private used = 0;
  /** Most bytes held at once so far. */
  peak = 0;
  constructor(readonly limit: number) {}
  get inUse(): number {
    return this.used;
  }
  /** Takes `n` bytes if they fit. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/** What the request handler needs. */
export interface HandlerOptions {
  /** The shared webhook secret; undefined = webhook endpoints are closed. */
  secret: string | undefined;
  maxBodyBytes: number;
  /** Body bytes held at once over all connections (default: 8 × maxBodyBytes). */
  budget?: BodyBudget;
  /** The whole body must arrive within this long, however slowly it trickles (default 10 s). */
  bodyTimeoutMs?: number;
  dedupe: DeliveryDeduper;
  enqueue(event: PushEvent, sender: Sender): OfferResult;
  metrics: ServeMetrics;
  logger: Logger;
  /** Extra facts for /healthz. */
  health: () => Record<string, unknown>;
}

type Headers = Record<string, string | undefined>;

function flatHeaders(req: IncomingMessage): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

type BodyResult = { body: Buffer } | { refused: 'too_large' | 'busy' | 'timeout' };

/**
 * Reads the body up to `max` bytes, within `timeoutMs` and the shared budget; the bytes it held
 * go back to the budget once the answer is sent.
 */
function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  max: number,
  budget: BodyBudget,
  timeoutMs: number,
): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    let held = 0;
    let size = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const chunks: Buffer[] = [];
    res.once('close', () => budget.give(held));
    const stop = (why: 'too_large' | 'busy' | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      chunks.length = 0;
      req.removeAllListeners('data');
      req.resume(); // discard what is sent; the answer closes the connection
      resolve({ refused: why });
    };
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > max) return stop('too_large');
    // A declared length is reserved at once: a delivery that cannot be held is refused unread.
    if (Number.isFinite(declared) && declared > 0) {
      if (!budget.take(declared)) return stop('busy');
      held = declared;
    }
    timer = setTimeout(() => stop('timeout'), timeoutMs);
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) return stop('too_large');
      if (size > held) {
        if (!budget.take(size - held)) return stop('busy');
        held = size;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ body: Buffer.concat(chunks) });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      if (!done) reject(e);
      done = true;
    });
  });
}

/** Creates the request listener. */
export function createRequestHandler(opts: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(opts, req, res).catch((err) => {
      opts.logger.log('error', 'http-error', `request failed: ${(err as Error)?.message ?? String(err)}`, {
        path: pathOf(req),
      });
      if (!res.headersSent) send(res, 500, { status: 'error', message: 'internal error' });
      else res.destroy();
    });
  };
}

function pathOf(req: IncomingMessage): string {
  // Only the path is ever logged: the query may carry ?token=<secret>.
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

async function handle(opts: HandlerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/healthz')
    return void (req.method === 'GET' || req.method === 'HEAD'
      ? send(res, 200, { status: 'ok', ...opts.health() })
      : send(res, 405, { status: 'error', message: 'use GET' }, { Allow: 'GET' }));
  if (path === '/metrics')
    return void (req.method === 'GET'
      ? sendMetrics(res, opts)
      : send(res, 405, { status: 'error', message: 'use GET' }, { Allow: 'GET' }));
  const m = /^\/webhooks\/([a-z]+)$/.exec(path);
  if (!m || !isSender(m[1]))
    return void send(res, 404, {
      status: 'error',
      message: `no such endpoint ${path}; webhooks are /webhooks/{distribution,dockerhub,quay,harbor,github}`,
    });
  const sender = m[1];
  if (opts.secret === undefined) {
    opts.metrics.delivery(sender, 'disabled');
    return void send(res, 404, {
      status: 'error',
      message: 'webhook endpoints are disabled: start serve with --webhook-secret-file or ISCTL_WEBHOOK_SECRET',
    });
  }
  if (req.method !== 'POST') return void send(res, 405, { status: 'error', message: 'use POST' }, { Allow: 'POST' });
  await receive(opts, sender, opts.secret, url, req, res);
}

function sendMetrics(res: ServerResponse, opts: HandlerOptions): void {
  const text = opts.metrics.registry.render();
  res.writeHead(200, {
    'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function refuse(
  opts: HandlerOptions,
  res: ServerResponse,
  sender: Sender,
  status: number,
  result: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  opts.metrics.delivery(sender, result);
  opts.logger.log('warn', 'delivery', `${sender} delivery refused: ${message}`, { sender, result, status });
  send(res, status, { status: 'error', message }, headers);
}

async function receive(
  opts: HandlerOptions,
  sender: Sender,
  secret: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = flatHeaders(req);
  const token = url.searchParams.get('token') ?? undefined;
  const unauthorized = (failure: string) => {
    req.resume(); // the body, if any, is discarded unread
    refuse(
      opts,
      res,
      sender,
      401,
      'unauthorized',
      failure,
      sender === 'github'
        ? { Connection: 'close' }
        : { 'WWW-Authenticate': 'Bearer realm="isctl serve"', Connection: 'close' },
    );
  };
  // Shared-secret senders are checked before the body is read, so strangers cannot make serve read 1 MiB;
  // GitHub signs the body, so only a missing or malformed signature can be refused before it.
  const early =
    sender === 'github'
      ? /^sha256=[0-9a-f]{64}$/i.test((headers['x-hub-signature-256'] ?? '').trim())
        ? undefined
        : 'missing signature'
      : authenticate(secret, { sender, rawBody: Buffer.alloc(0), headers, token });
  if (early) return unauthorized(early);
  const budget = opts.budget ?? (opts.budget = new BodyBudget(8 * opts.maxBodyBytes));
  const read = await readBody(req, res, opts.maxBodyBytes, budget, opts.bodyTimeoutMs ?? 10_000);
  if ('refused' in read) {
    const close = { Connection: 'close' };
    if (read.refused === 'busy')
      return refuse(opts, res, sender, 503, 'busy', 'too many deliveries are being received; retry later', {
        ...close,
        'Retry-After': '5',
      });
    if (read.refused === 'timeout')
      return refuse(opts, res, sender, 408, 'timeout', 'the body did not arrive in time', close);
    return refuse(opts, res, sender, 413, 'too_large', `body larger than ${opts.maxBodyBytes} bytes`, close);
  }
  const raw = read.body;
  // GitHub signs the exact raw bytes: verified before anything is parsed.
  const failure = sender === 'github' ? authenticate(secret, { sender, rawBody: raw, headers, token }) : undefined;
  if (failure) return unauthorized(failure);
  let parsed: ParsedDelivery;
  try {
    parsed = parseDelivery(sender, JSON.parse(raw.toString('utf8')) as unknown, headers);
  } catch (err) {
    const message =
      err instanceof PayloadError
        ? `not a ${sender} payload: ${err.message}`
        : `malformed JSON: ${(err as Error).message}`;
    return refuse(opts, res, sender, 400, 'bad_request', message);
  }
  accept(opts, sender, raw, headers, parsed, res);
}

function deliveryId(sender: Sender, raw: Buffer, headers: Headers): string | undefined {
  if (sender === 'github') return headers['x-github-delivery'] ? `github:${headers['x-github-delivery']}` : undefined;
  // Docker Hub and Harbor bodies carry a push time (pushed_at, occur_at): an identical body is a redelivery.
  // Quay bodies carry none, so a second push of the same tag would look identical: never de-duplicated.
  if (sender === 'dockerhub' || sender === 'harbor')
    return `${sender}:${createHash('sha256').update(raw).digest('hex')}`;
  return undefined;
}

function accept(
  opts: HandlerOptions,
  sender: Sender,
  raw: Buffer,
  headers: Headers,
  parsed: ParsedDelivery,
  res: ServerResponse,
): void {
  const id = deliveryId(sender, raw, headers);
  if (id !== undefined && opts.dedupe.seenBefore(id)) {
    opts.metrics.delivery(sender, 'duplicate');
    opts.logger.log('info', 'delivery', `${sender} delivery already received`, { sender, result: 'duplicate' });
    return send(res, 200, { status: 'duplicate' });
  }
  const counts = { queued: 0, coalesced: 0, duplicate: 0, dropped: 0, ignored: parsed.ignored };
  for (const event of parsed.events) {
    const eventId = event.id ? `${sender}:event:${event.id}` : undefined;
    if (eventId && opts.dedupe.seenBefore(eventId)) {
      counts.duplicate++;
      continue;
    }
    const r = opts.enqueue(event, sender);
    counts[r]++;
    // A dropped event must be accepted again when the sender retries.
    if (r === 'dropped' && eventId) opts.dedupe.forget(eventId);
  }
  if (counts.dropped > 0 && id !== undefined) opts.dedupe.forget(id);
  const result =
    counts.dropped > 0
      ? 'dropped'
      : counts.queued + counts.coalesced > 0
        ? 'accepted'
        : counts.duplicate > 0
          ? 'duplicate'
          : 'ignored';
  opts.metrics.delivery(sender, result);
  opts.logger.log(result === 'dropped' ? 'warn' : 'info', 'delivery', `${sender} delivery ${result}`, {
    sender,
    result,
    ...counts,
    repositories: parsed.events.map(
      (e) => `${e.registryHost ? `${e.registryHost}/` : ''}${e.repository}:${e.tag ?? ''}`,
    ),
  });
  // 503 makes retrying senders (Distribution, Harbor, Quay) deliver again once the queue has room.
  if (result === 'dropped') return send(res, 503, { status: 'busy', ...counts }, { 'Retry-After': '5' });
  send(res, 202, { status: result, ...counts });
}
