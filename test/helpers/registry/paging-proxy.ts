/**
 * A proxy on 127.0.0.1 in front of a test registry that pages tag lists the way the distribution
 * spec describes (spec.md "Listing Tags": at most `n` tags, the next page announced by
 * `Link: </v2/<name>/tags/list?n=<n>&last=<last tag>>; rel="next"`). Debian's docker-registry 2.8
 * returns every tag at once whatever `n` is, so this is how paging is tested against real content.
 * Everything else is forwarded unchanged; every request is recorded.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagingProxy {
  /** `127.0.0.1:PORT`, for pull specs. */
  host: string;
  /** Every request as `METHOD path?query`. */
  requests: string[];
  /** Added to every response, to stand in for a distant registry (benchmarks). */
  delayMs: number;
  stop(): Promise<void>;
}

function forward(upstream: URL, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const out = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  out.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  out.end(body);
}

function fetchTags(
  upstream: URL,
  name: string,
  headers: IncomingMessage['headers'],
): Promise<{ status: number; tags: string[]; raw: Buffer; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: 'GET',
        path: `/v2/${name}/tags/list`,
        headers: { ...headers, host: upstream.host },
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const raw = Buffer.concat(chunks);
          let tags: string[] = [];
          if (up.statusCode === 200)
            tags = ((JSON.parse(raw.toString('utf8')) as { tags?: string[] }).tags ?? []).sort();
          resolve({ status: up.statusCode ?? 502, tags, raw, headers: up.headers });
        });
      },
    );
    r.on('error', reject);
    r.end();
  });
}

/** Starts the proxy; `pageSize` tags per page (default 100). */
export async function startPagingProxy(
  registryUrl: string,
  o: { pageSize?: number; delayMs?: number } = {},
): Promise<PagingProxy> {
  const upstream = new URL(registryUrl);
  const pageSize = o.pageSize ?? 100;
  const requests: string[] = [];
  const proxy: PagingProxy = { host: '', requests, delayMs: o.delayMs ?? 0, stop: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const go = async () => {
        const url = new URL(req.url ?? '/', 'http://proxy');
        const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
        if (req.method !== 'GET' || !m) return forward(upstream, req, res, Buffer.concat(chunks));
        const all = await fetchTags(upstream, m[1], req.headers);
        if (all.status !== 200) {
          res.writeHead(all.status, { 'content-type': 'application/json' });
          res.end(all.raw);
          return;
        }
        const last = url.searchParams.get('last');
        const start = last === null ? 0 : all.tags.findIndex((t) => t > last);
        const from = start < 0 ? all.tags.length : start;
        const page = all.tags.slice(from, from + pageSize);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (from + pageSize < all.tags.length) {
          const next = `/v2/${m[1]}/tags/list?n=${pageSize}&last=${encodeURIComponent(page[page.length - 1])}`;
          headers.link = `<${next}>; rel="next"`;
        }
        res.writeHead(200, headers);
        res.end(JSON.stringify({ name: m[1], tags: page }));
      };
      const run = () =>
        go().catch(() => {
          res.writeHead(502);
          res.end();
        });
      if (proxy.delayMs > 0) setTimeout(run, proxy.delayMs);
      else run();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
