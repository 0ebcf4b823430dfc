/**
 * `GET /` (the status page) and `GET /api/v1/status` (its data as JSON) on the serve listener.
 * Both are read-only. The document is built at most once a second however many pages poll (one
 * read of the folder serves every request of that second), and carries an ETag, so a page that
 * polls while nothing changes gets 304 and no body.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { checkAccess, type UiAccess } from './access.js';
import { renderStatusPage } from './page.js';
import type { StatusDocument } from './types.js';

/** A built document with its JSON text and ETag. */
export interface BuiltStatus {
  doc: StatusDocument;
  json: string;
  etag: string;
}

/** Builds status documents on demand, at most once per `maxAgeMs`, one build at a time. */
export class StatusService {
  private cached: { at: number; value: BuiltStatus } | undefined;
  private building: Promise<BuiltStatus> | undefined;

  constructor(
    private readonly build: () => Promise<StatusDocument>,
    private readonly now: () => number = Date.now,
    private readonly maxAgeMs = 1000,
  ) {}

  /** The current document (built anew when the cached one is older than maxAgeMs). */
  current(): Promise<BuiltStatus> {
    const c = this.cached;
    if (c && this.now() - c.at < this.maxAgeMs) return Promise.resolve(c.value);
    this.building ??= this.build()
      .then((doc) => {
        const json = `${JSON.stringify(doc)}\n`;
        const { generatedAt: _, ...rest } = doc;
        const etag = `"${createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 32)}"`;
        const value = { doc, json, etag };
        this.cached = { at: this.now(), value };
        return value;
      })
      .finally(() => {
        this.building = undefined;
      });
    return this.building;
  }
}

/** True when If-None-Match names this ETag (or `*`). */
function notModified(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === etag || v === '*';
  });
}

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function sendText(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...COMMON_HEADERS,
    ...headers,
  });
  res.end(body);
}

/** What the routes need. */
export interface StatusRouteOptions {
  access: UiAccess;
  service: StatusService;
  logger: Logger;
}

/**
 * Answers `/` and `/api/v1/status`; returns false for every other path (the webhook handler
 * answers those).
 */
export function createStatusRoutes(opts: StatusRouteOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route =
      path === '/' || path === '/index.html'
        ? 'page'
        : path.replace(/\/+$/, '') === '/api/v1/status'
          ? 'api'
          : undefined;
    if (!route) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      sendText(res, 405, 'use GET\n', { Allow: 'GET, HEAD' });
      return true;
    }
    req.resume(); // a GET body, if any, is discarded unread
    const refusal = checkAccess(opts.access, { host: req.headers.host, authorization: req.headers.authorization });
    if (refusal) {
      sendText(res, refusal.status, `${refusal.message}\n`, refusal.headers);
      return true;
    }
    answer(opts, route, req, res).catch((err) => {
      opts.logger.log('error', 'http-error', `status page failed: ${(err as Error)?.message ?? String(err)}`, { path });
      if (!res.headersSent) sendText(res, 500, 'internal error\n', {});
      else res.destroy();
    });
    return true;
  };
}

async function answer(
  opts: StatusRouteOptions,
  route: 'page' | 'api',
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const built = await opts.service.current();
  const head = req.method === 'HEAD';
  if (route === 'api') {
    const headers = {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-cache',
      ETag: built.etag,
      ...COMMON_HEADERS,
    };
    if (notModified(req, built.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(built.json) });
    res.end(head ? undefined : built.json);
    return;
  }
  const page = renderStatusPage(built.doc, built.etag);
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(page.html),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': page.contentSecurityPolicy,
    ...COMMON_HEADERS,
  });
  res.end(head ? undefined : page.html);
}
