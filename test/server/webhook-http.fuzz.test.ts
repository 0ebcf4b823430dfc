/**
 * Hostile deliveries to the webhook endpoints of `serve` over real HTTP (src/server/http.ts):
 * random bytes, random JSON and sender-shaped bodies, with valid, wrong or missing credentials,
 * random content types and paths. The server answers every one with a 2xx/4xx/503 status and a
 * JSON body — never a 500, never a hang — and keeps answering afterwards; nothing unauthenticated
 * ever reaches the import queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startServe, type ServeHandle } from '../../src/server/index.js';
import { githubSignature } from '../../src/server/auth.js';
import { SENDERS } from '../../src/server/events.js';
import { fakeRefresh, memoryLogger, until, view } from '../helpers/server.js';
import { FUZZ_RUNS, fcParams } from '../helpers/fuzz.js';

const SECRET = 'fuzz-webhook-secret-7f3a';
const streams = [view('default', 'app', { '1.0': 'registry.example.com/team/app:1.0' })];
const RUNS = Math.min(FUZZ_RUNS, Number(process.env.ISCTL_FUZZ_HTTP_RUNS ?? 3000));

let handle: ServeHandle;
let base: string;
let fake: ReturnType<typeof fakeRefresh>;

beforeAll(async () => {
  fake = fakeRefresh(streams);
  handle = await startServe(
    {
      listen: { host: '127.0.0.1', port: 0 },
      intervalMs: 3_600_000,
      secret: SECRET,
      maxBodyBytes: 16 * 1024,
      queueDepth: 50,
      settleMs: 5,
    },
    {
      refresh: fake.refresh,
      listStreams: async () => streams,
      logger: memoryLogger().logger,
      timers: { setTimeout: () => 0, clearTimeout: () => undefined },
    },
  );
  await until(() => fake.calls.length >= 1);
  base = `http://127.0.0.1:${handle.address.port}`;
});
afterAll(async () => {
  await handle?.stop('test end');
});

const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v));
const shaped = fc
  .record(
    {
      events: fc.array(
        fc.record({
          action: fc.constantFrom('push', 'pull'),
          target: fc.record({
            repository: fc.constantFrom('team/app', 'x'),
            tag: fc.constantFrom('1.0', '', 'x'),
            mediaType: fc.constantFrom('application/vnd.oci.image.manifest.v1+json', 'application/octet-stream'),
          }),
          request: fc.record({ host: fc.constantFrom('registry.example.com', '') }),
        }),
        { maxLength: 3 },
      ),
      push_data: fc.record({ tag: fc.string({ maxLength: 5 }) }),
      repository: fc.record({ repo_name: fc.constantFrom('team/app', '') }),
    },
    { requiredKeys: [] },
  )
  .map((v) => JSON.stringify(v));
const body = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  json.map((s) => Buffer.from(s)),
  shaped.map((s) => Buffer.from(s)),
  fc.integer({ min: 16 * 1024 - 10, max: 40 * 1024 }).map((n) => Buffer.alloc(n, 0x7b)),
);
const auth = fc.constantFrom('valid', 'wrong', 'none', 'signature');
const path = fc.oneof(
  fc.constantFrom(...SENDERS).map((s) => `/webhooks/${s}`),
  fc.constantFrom(
    '/webhooks/',
    '/webhooks/../healthz',
    '/webhooks/DISTRIBUTION',
    '/%00',
    '/metrics',
    '/webhooks/github?x=1',
  ),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/vnd.docker.distribution.events.v1+json',
  'text/plain',
  '',
  'application/json; charset=utf-16',
);

const OK_STATUS = new Set([200, 202, 400, 401, 403, 404, 405, 413, 415, 503]);

describe('webhook HTTP endpoints under hostile deliveries', () => {
  it(`answer ${RUNS} random deliveries with a 2xx/4xx/503 JSON answer, never a 500, and keep serving`, async () => {
    const queuedBefore = fake.calls.length;
    const unauthenticatedAccepted: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        path,
        body,
        auth,
        contentType,
        fc.constantFrom('POST', 'POST', 'PUT', 'GET'),
        async (p, b, a, ct, method) => {
          const headers: Record<string, string> = {};
          if (ct) headers['content-type'] = ct;
          if (a === 'valid') headers.authorization = `Bearer ${SECRET}`;
          if (a === 'wrong') headers.authorization = `Bearer ${SECRET}x`;
          if (a === 'signature') {
            headers['x-hub-signature-256'] = githubSignature(SECRET, b);
            headers['x-github-event'] = 'registry_package';
          }
          const res = await fetch(`${base}${p}`, {
            method,
            headers,
            ...(method === 'GET' ? {} : { body: b }),
            signal: AbortSignal.timeout(5000),
          });
          const text = await res.text();
          expect(OK_STATUS.has(res.status), `${method} ${p} (${a}) answered ${res.status}: ${text.slice(0, 200)}`).toBe(
            true,
          );
          if (p !== '/metrics') expect(() => JSON.parse(text)).not.toThrow();
          // fetch resolves "/webhooks/../healthz" to "/healthz": only real webhook paths count.
          if ((a === 'wrong' || a === 'none') && res.status < 300 && /^\/webhooks\/[a-z]+$/.test(p))
            unauthenticatedAccepted.push(`${method} ${p} ${a} -> ${res.status} ${text.slice(0, 80)}`);
        },
      ),
      fcParams(RUNS),
    );
    expect(unauthenticatedAccepted).toEqual([]);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(fake.calls.length).toBeGreaterThanOrEqual(queuedBefore);
  }, 300_000);
});
