/**
 * `serve`'s HTTP limits against hostile or slow senders on 127.0.0.1: open connections are
 * capped, webhook bodies held in memory are capped across all connections, a GitHub delivery
 * without a well-formed signature is refused before its body is read, and headers and bodies that
 * trickle are cut off at their deadlines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { startServe, type ServeHandle, type ServeOptions } from '../../src/server/index.js';
import { fakeRefresh, memoryLogger, until, view } from '../helpers/server.js';

const SECRET = 'limits-secret-0123456789';
let handle: ServeHandle | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await handle?.stop('test end');
  handle = undefined;
});

async function serve(extra: Partial<ServeOptions> = {}) {
  const fake = fakeRefresh([view('default', 'web', { prod: 'quay.io/acme/web:1' })]);
  handle = await startServe(
    { listen: { host: '127.0.0.1', port: 0 }, intervalMs: 3_600_000, secret: SECRET, settleMs: 10, ...extra },
    { refresh: fake.refresh, listStreams: async () => [], logger: memoryLogger().logger },
  );
  return handle;
}

/** A raw connection; `answer` resolves with what the server sent once it closes or answers. */
function open(h: ServeHandle): Promise<{ socket: Socket; answer: Promise<string>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(h.address.port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    const answer = new Promise<string>((r) => {
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.includes('\r\n\r\n')) r(text);
      });
      socket.on('close', () => r(text));
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, answer, closed }));
    socket.once('error', reject);
  });
}

const githubHead = (length: number, signature?: string) =>
  'POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
  'X-GitHub-Event: package\r\nX-GitHub-Delivery: d\r\n' +
  (signature ? `X-Hub-Signature-256: ${signature}\r\n` : '') +
  `Content-Length: ${length}\r\n\r\n`;

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

describe('serve under hostile senders', () => {
  it('a GitHub delivery without a well-formed signature is refused (401) before its body is sent', async () => {
    const h = await serve();
    for (const sig of [undefined, 'sha1=abc', 'sha256=nothex']) {
      const c = await open(h);
      c.socket.write(githubHead(512 * 1024, sig));
      const t0 = Date.now();
      const answer = await c.answer;
      expect(status(answer), String(sig)).toBe(401);
      expect(Date.now() - t0).toBeLessThan(2000);
    }
    expect(h.bodyBytes.peak).toBe(0);
  });

  it('bodies held at once stay under the budget: deliveries past it get 503 with Retry-After, unread', async () => {
    const h = await serve({ maxBodyBytes: 256 * 1024, maxBufferedBytes: 1024 * 1024 });
    const bad = `sha256=${'0'.repeat(64)}`;
    // 12 slow deliveries of 256 KiB each with a well-formed but wrong signature: they must be read to be checked.
    const conns = await Promise.all(Array.from({ length: 12 }, () => open(h)));
    for (const c of conns) c.socket.write(`${githubHead(256 * 1024, bad)}{"a":`);
    await until(() => h.bodyBytes.inUse >= 1024 * 1024 - 256 * 1024, 5000);
    const answers = await Promise.race([
      Promise.all(conns.slice(4).map((c) => c.answer)),
      new Promise<string[]>((r) => setTimeout(() => r([]), 5000)),
    ]);
    expect(answers.map(status)).toEqual(Array(8).fill(503));
    expect(answers.every((a) => /retry-after: 5/i.test(a))).toBe(true);
    expect(h.bodyBytes.peak).toBeLessThanOrEqual(1024 * 1024);
    for (const c of conns) c.socket.destroy();
    await until(() => h.bodyBytes.inUse === 0, 5000);
  });

  it('a body that trickles is cut off at the body deadline (408), not after minutes', async () => {
    const h = await serve({ bodyTimeoutMs: 1500 });
    const c = await open(h);
    c.socket.write(githubHead(1000, `sha256=${'0'.repeat(64)}`));
    const drip = setInterval(() => c.socket.writable && c.socket.write('x'), 300);
    const t0 = Date.now();
    const answer = await c.answer;
    clearInterval(drip);
    expect(status(answer)).toBe(408);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('headers that trickle are cut off at the headers deadline', async () => {
    const h = await serve({ headersTimeoutMs: 1500 });
    const c = await open(h);
    const head = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    let i = 0;
    const drip = setInterval(() => c.socket.writable && c.socket.write(head[i++ % head.length]), 200);
    const t0 = Date.now();
    await c.closed;
    clearInterval(drip);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('open connections are capped: past the cap they are closed on arrival, and serve keeps answering', async () => {
    const h = await serve({ maxConnections: 5 });
    const conns = await Promise.all(Array.from({ length: 12 }, () => open(h)));
    for (const c of conns) c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // headers never finished
    await new Promise((r) => setTimeout(r, 500));
    const stillOpen = conns.filter((c) => !c.socket.destroyed && c.socket.readyState === 'open');
    expect(stillOpen.length).toBeLessThanOrEqual(5);
    for (const c of conns) c.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`http://127.0.0.1:${h.address.port}/healthz`);
    expect(res.status).toBe(200);
  });
});
