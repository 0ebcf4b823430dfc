// A delaying TCP proxy (node:net) that makes a loopback registry look remote: every byte waits
// `delayMs` in each direction (25 ms = a 50 ms round trip), and a new connection can pay one round
// trip for the TCP handshake before its first byte arrives when `handshake` is set (off by
// default, as in the calibration runs of bench/README.md, which skopeo's new connections make
// visible). It counts connections and, for plain HTTP/1.1, requests by method and kind (ping,
// manifest, blob, tags).
import net from 'node:net';

/** Classifies a Distribution API path. */
export function kindOf(path) {
  const p = path.split('?')[0];
  if (p === '/v2/' || p === '/v2') return 'ping';
  if (/\/manifests\//.test(p)) return 'manifest';
  if (/\/blobs\/uploads/.test(p)) return 'upload';
  if (/\/blobs\//.test(p)) return 'blob';
  if (/\/tags\/list$/.test(p)) return 'tags';
  return 'other';
}

function emptyStats() {
  return { connections: 0, tlsProbes: 0, requests: 0, byMethod: {}, byKind: {}, bytesUp: 0, bytesDown: 0 };
}

/** Incremental HTTP/1.1 request-head parser for one client connection (counts, never rewrites). */
function requestCounter(onRequest, onTls) {
  let buf = Buffer.alloc(0);
  let skip = 0;
  let dead = false;
  return (chunk) => {
    if (dead) return;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    if (buf.length && buf[0] === 0x16 && skip === 0) {
      dead = true;
      onTls();
      return;
    } // TLS ClientHello
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length);
        skip -= n;
        buf = buf.subarray(n);
        if (skip > 0) return;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString('latin1');
      buf = buf.subarray(end + 4);
      const [line, ...headers] = head.split('\r\n');
      const [method, target] = line.split(' ');
      onRequest(method, target ?? '');
      const cl = headers.find((h) => /^content-length:/i.test(h));
      if (cl) skip = Number(cl.split(':')[1].trim()) || 0;
      else if (headers.some((h) => /^transfer-encoding:.*chunked/i.test(h))) {
        dead = true;
        return;
      }
    }
  };
}

/** A per-direction delay line: chunks leave in order, each no earlier than its due time. */
function delayLine() {
  const q = [];
  let timer = null;
  const flush = () => {
    timer = null;
    const now = performance.now();
    while (q.length && q[0].at <= now + 0.5) q.shift().fn();
    if (q.length) timer = setTimeout(flush, Math.max(0, q[0].at - now));
  };
  return (at, fn) => {
    const last = q.length ? q[q.length - 1].at : 0;
    q.push({ at: Math.max(at, last), fn: fn ?? (() => {}) });
    if (!timer) timer = setTimeout(flush, Math.max(0, q[0].at - performance.now()));
  };
}

/**
 * Starts the proxy on 127.0.0.1 (free port) in front of `target` ({ host, port });
 * `handshake: true` also charges each new connection one round trip before its first byte.
 * Returns { host, port, stats(), reset(), close() }.
 */
export function startDelayProxy(target, { delayMs = 25, handshake = false } = {}) {
  let stats = emptyStats();
  const sockets = new Set();
  const server = net.createServer((client) => {
    const accepted = performance.now();
    stats.connections++;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const up = delayLine();
    const down = delayLine();
    const count = requestCounter(
      (method, path) => {
        const s = stats;
        const kind = kindOf(path);
        s.requests++;
        s.byMethod[method] = (s.byMethod[method] ?? 0) + 1;
        s.byKind[`${method} ${kind}`] = (s.byKind[`${method} ${kind}`] ?? 0) + 1;
      },
      () => {
        stats.tlsProbes++;
      },
    );
    // The first byte can only leave after the handshake round trip, then takes one more delay.
    const dueUp = () => Math.max(performance.now(), handshake ? accepted + 2 * delayMs : 0) + delayMs;
    client.on('data', (c) => {
      count(c);
      stats.bytesUp += c.length;
      up(dueUp(), () => upstream.destroyed || upstream.write(c));
    });
    upstream.on('data', (c) => {
      stats.bytesDown += c.length;
      down(performance.now() + delayMs, () => client.destroyed || client.write(c));
    });
    client.on('end', () => up(dueUp(), () => upstream.end()));
    upstream.on('end', () => down(performance.now() + delayMs, () => client.end()));
    const kill = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', () => down(performance.now() + delayMs, kill));
    upstream.on('close', () => down(performance.now() + delayMs, kill));
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        host: `127.0.0.1:${port}`,
        port,
        stats: () => structuredClone(stats),
        reset: () => {
          stats = emptyStats();
        },
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
