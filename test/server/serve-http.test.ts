import { afterEach, describe, expect, it } from 'vitest';
import { startServe, parseListenAddress, type ServeHandle } from '../../src/server/index.js';
import { githubSignature } from '../../src/server/auth.js';
import { fakeRefresh, fixtureText, memoryLogger, until, view } from '../helpers/server.js';

const SECRET = 'test-webhook-secret-0123';
const streams = [
  // Hand-picked tags (not named after every source tag, so not an --all style stream).
  view('team', 'app', { '1.0': '127.0.0.1:5004/reglab/app:1.0', 'docker-build': '127.0.0.1:5004/reglab/app:docker' }),
  view('default', 'web', { prod: 'acme/web:1.4' }),
  view('default', 'api', { '2.0': 'quay.io/acme/api:2.0', latest: 'quay.io/acme/api:latest' }),
  view('default', 'worker', { '3.1': 'harbor.example.com/team/worker:3.1' }),
  view('default', 'shop', { v1: 'ghcr.io/acme-org/shop:v1.2.0' }),
  view('team', 'slow', { '1.0': '127.0.0.1:5005/reglab/app:1.0' }),
];

let handle: ServeHandle | undefined;
afterEach(async () => {
  await handle?.stop('test end');
  handle = undefined;
});

async function serve(
  opts: {
    settleMs?: number;
    secret?: string;
    maxBodyBytes?: number;
    queueDepth?: number;
    delayMs?: number;
    gate?: () => Promise<void>;
  } = {},
) {
  const fake = fakeRefresh(streams, opts);
  const log = memoryLogger();
  handle = await startServe(
    {
      listen: { host: '127.0.0.1', port: 0 },
      intervalMs: 3_600_000,
      ...('secret' in opts ? (opts.secret ? { secret: opts.secret } : {}) : { secret: SECRET }),
      maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
      queueDepth: opts.queueDepth ?? 100,
      settleMs: opts.settleMs ?? 20,
    },
    {
      refresh: fake.refresh,
      listStreams: async () => streams,
      logger: log.logger,
      timers: { setTimeout: () => 0, clearTimeout: () => undefined },
    },
  );
  // The scheduler's first tick queues bucket 0 at start; let it run so tests see only webhook work.
  await until(() => fake.calls.length >= 1);
  fake.calls.length = 0;
  const base = `http://127.0.0.1:${handle.address.port}`;
  return { ...fake, log, base, handle };
}

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

const bearer = { authorization: `Bearer ${SECRET}` };

describe('webhook endpoints', () => {
  it('a Distribution push is accepted at once and imports exactly the matching tag', async () => {
    const s = await serve();
    const res = await post(`${s.base}/webhooks/distribution`, fixtureText('distribution-push-index-tag.json'), {
      ...bearer,
      'content-type': 'application/vnd.docker.distribution.events.v1+json',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'accepted', queued: 1 });
    await until(() => s.calls.length === 1);
    expect(s.calls[0].tags).toEqual(['team/app:1.0']);
    expect(s.calls[0].selection.scheduledOnly).toBeUndefined();
    const events = s.log.lines.map((l) => l.event);
    expect(events).toContain('delivery');
    await until(() => s.log.lines.some((l) => l.event === 'import'));
    expect(s.log.lines.find((l) => l.event === 'import' && l.trigger === 'webhook')).toMatchObject({
      trigger: 'webhook',
      unchanged: 1,
      changed: 0,
      failed: 0,
    });
  });

  it.each([
    ['dockerhub', 'dockerhub-push.json', 'default/web:prod'],
    ['quay', 'quay-repo-push.json', 'default/api:2.0,default/api:latest'],
    ['harbor', 'harbor-push-artifact.json', 'default/worker:3.1'],
  ] as const)('%s sample body via ?token= imports %s', async (sender, file, want) => {
    const s = await serve();
    const res = await post(`${s.base}/webhooks/${sender}?token=${SECRET}`, fixtureText(file));
    expect(res.status).toBe(202);
    await until(() => s.calls.length === 1);
    expect(s.calls[0].tags.join(',')).toBe(want);
    expect(s.log.text()).not.toContain(SECRET);
  });

  it('GitHub registry_package with a valid X-Hub-Signature-256', async () => {
    const s = await serve();
    const body = fixtureText('github-registry-package-published.json');
    const headers = {
      'x-github-event': 'registry_package',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': githubSignature(SECRET, body),
    };
    const res = await post(`${s.base}/webhooks/github`, body, headers);
    expect(res.status).toBe(202);
    await until(() => s.calls.length === 1);
    expect(s.calls[0].tags).toEqual(['default/shop:v1']);
    const again = await post(`${s.base}/webhooks/github`, body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate' });
  });

  it.each([
    ['no credentials', '/webhooks/distribution', {}],
    ['a wrong bearer token', '/webhooks/distribution', { authorization: 'Bearer nope' }],
    ['a wrong ?token', '/webhooks/quay?token=nope', {}],
    ['a bad GitHub signature', '/webhooks/github', { 'x-hub-signature-256': githubSignature('nope', '{}') }],
    ['a GitHub delivery with only ?token', `/webhooks/github?token=${SECRET}`, {}],
  ])('401 for %s, and nothing is imported', async (_what, path, headers) => {
    const s = await serve();
    const res = await post(`${s.base}${path}`, fixtureText('distribution-push-index-tag.json'), headers);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).not.toContain(SECRET);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.calls).toHaveLength(0);
    expect(s.handle.metrics.registry.render()).toMatch(
      /isctl_webhook_deliveries_total\{result="unauthorized",sender="(distribution|quay|github)"\} 1/,
    );
  });

  it('a stranger cannot make serve read a large body: 401 before the body is read', async () => {
    const s = await serve({ maxBodyBytes: 1024 });
    const res = await post(`${s.base}/webhooks/quay`, Buffer.alloc(512 * 1024, 'a'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="isctl serve"');
  });

  it('413 for a body over the cap, declared or streamed', async () => {
    const s = await serve({ maxBodyBytes: 1024 });
    const big = Buffer.alloc(4096, 'a');
    expect((await post(`${s.base}/webhooks/distribution`, big, bearer)).status).toBe(413);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new Uint8Array(1024).fill(97));
        c.close();
      },
    });
    const res = await fetch(`${s.base}/webhooks/distribution`, {
      method: 'POST',
      body: stream,
      headers: bearer,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(s.calls).toHaveLength(0);
  });

  it('400 for malformed JSON and for a body of another shape', async () => {
    const s = await serve();
    const bad = await post(`${s.base}/webhooks/distribution`, '{"events": [', bearer);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^malformed JSON/);
    const shape = await post(`${s.base}/webhooks/distribution`, fixtureText('dockerhub-push.json'), bearer);
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { message: string }).message).toBe(
      'not a distribution payload: "events" is missing or not a list',
    );
    expect(s.calls).toHaveLength(0);
  });

  it('a redelivered Distribution event id is ignored (captured /slow redelivery)', async () => {
    const s = await serve();
    const [first, second] = fixtureText('distribution-slow-redelivery.jsonl').split('\n');
    expect(
      ((await (await post(`${s.base}/webhooks/distribution`, first, bearer)).json()) as { queued: number }).queued,
    ).toBe(1);
    await until(() => s.calls.length === 1);
    const res = await post(`${s.base}/webhooks/distribution`, second, bearer);
    expect(await res.json()).toMatchObject({ status: 'duplicate', duplicate: 1, queued: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(s.calls).toHaveLength(1);
  });

  it('answers within milliseconds while an import is running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = await serve({ gate: () => gate });
    await post(`${s.base}/webhooks/distribution`, fixtureText('distribution-push-index-tag.json'), bearer);
    await until(() => s.calls.length === 1);
    const t0 = performance.now();
    const res = await post(`${s.base}/webhooks/distribution`, fixtureText('distribution-push-docker-tag.json'), bearer);
    const ms = performance.now() - t0;
    expect(res.status).toBe(202);
    expect(ms).toBeLessThan(250);
    expect(s.calls).toHaveLength(1);
    release();
    await until(() => s.calls.length === 2);
    expect(s.calls[1].tags).toEqual(['team/app:docker-build']);
  });

  it('a burst of 1,000 deliveries for 10 tags causes a handful of imports', async () => {
    const many = Array.from({ length: 10 }, (_, i) => `t${i}`);
    streams.push(view('burst', 'b', Object.fromEntries(many.map((t) => [t, `127.0.0.1:5004/burst/app:${t}`]))));
    try {
      const settleMs = 1000;
      const s = await serve({ delayMs: 30, settleMs });
      const t0 = performance.now();
      const bodies = Array.from({ length: 1000 }, (_, i) =>
        JSON.stringify({
          events: [
            {
              id: `burst-${i}`,
              action: 'push',
              target: {
                mediaType: 'application/vnd.oci.image.manifest.v1+json',
                repository: 'burst/app',
                tag: many[i % 10],
              },
              request: { host: '127.0.0.1:5004' },
            },
          ],
        }),
      );
      const statuses: number[] = [];
      for (let i = 0; i < bodies.length; i += 50) {
        const batch = await Promise.all(
          bodies.slice(i, i + 50).map((b) => post(`${s.base}/webhooks/distribution`, b, bearer)),
        );
        statuses.push(...batch.map((r) => r.status));
      }
      expect(statuses.every((st) => st === 202)).toBe(true);
      const sendMs = performance.now() - t0;
      await until(() => s.handle.importer.queue.depth === 0 && !s.handle.importer.importing, 10_000);
      await new Promise((r) => setTimeout(r, 100));
      // One import per settle window while deliveries keep arriving, each covering the tags seen so far.
      expect(s.calls.length).toBeGreaterThanOrEqual(1);
      expect(s.calls.length).toBeLessThanOrEqual(Math.ceil(sendMs / settleMs) + 1);
      expect(s.calls.length).toBeLessThanOrEqual(8);
      expect(s.calls.flatMap((c) => c.tags).length).toBeLessThanOrEqual(80);
      expect(new Set(s.calls.flatMap((c) => c.tags))).toEqual(new Set(many.map((t) => `burst/b:${t}`)));
    } finally {
      streams.pop();
    }
  });

  it('a full queue refuses new events with 503 + Retry-After and counts them', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = await serve({ queueDepth: 2, gate: () => gate });
    const body = (tag: string, id: string) =>
      JSON.stringify({
        events: [
          { id, action: 'push', target: { repository: 'reglab/app', tag }, request: { host: '127.0.0.1:5004' } },
        ],
      });
    await post(`${s.base}/webhooks/distribution`, body('1.0', 'a'), bearer);
    await until(() => s.calls.length === 1);
    expect((await post(`${s.base}/webhooks/distribution`, body('x1', 'b'), bearer)).status).toBe(202);
    expect((await post(`${s.base}/webhooks/distribution`, body('x2', 'c'), bearer)).status).toBe(202);
    const full = await post(`${s.base}/webhooks/distribution`, body('x3', 'd'), bearer);
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('5');
    expect(s.handle.metrics.registry.render()).toContain('isctl_import_queue_dropped_total{sender="distribution"} 1');
    expect(s.handle.metrics.registry.render()).toContain('isctl_import_queue_depth 2');
    release();
    await until(() => s.handle.importer.queue.depth === 0);
    // The dropped event id was forgotten: the sender's retry is accepted.
    expect((await post(`${s.base}/webhooks/distribution`, body('x3', 'd'), bearer)).status).toBe(202);
  });

  it('a refresh that throws (e.g. the folder lock is held too long) is retried, then given up', async () => {
    const fake = fakeRefresh(streams);
    let failures = 2;
    const log = memoryLogger();
    handle = await startServe(
      { listen: { host: '127.0.0.1', port: 0 }, intervalMs: 3_600_000, secret: SECRET, settleMs: 10 },
      {
        refresh: async (sel) => {
          if (!sel.scheduledOnly && failures-- > 0) throw new Error('state folder is locked by another isctl');
          return fake.refresh(sel);
        },
        listStreams: async () => streams,
        logger: log.logger,
        timers: { setTimeout: () => 0, clearTimeout: () => undefined },
      },
    );
    const base = `http://127.0.0.1:${handle.address.port}`;
    await post(`${base}/webhooks/distribution`, fixtureText('distribution-push-index-tag.json'), bearer);
    await until(() => fake.calls.some((c) => !c.selection.scheduledOnly));
    expect(fake.calls.find((c) => !c.selection.scheduledOnly)!.tags).toEqual(['team/app:1.0']);
    expect(log.lines.filter((l) => l.event === 'import-error')).toHaveLength(2);
    expect(handle.metrics.registry.render()).toContain(
      'isctl_import_failures_total{reason="error",trigger="webhook"} 2',
    );
    failures = 5;
    await post(`${base}/webhooks/distribution`, fixtureText('distribution-push-docker-tag.json'), bearer);
    await until(() => log.lines.some((l) => l.event === 'push-dropped'));
    expect(log.lines.find((l) => l.event === 'push-dropped')).toMatchObject({
      repository: 'reglab/app',
      tag: 'docker',
      attempts: 3,
    });
  });

  it('without a secret the webhook endpoints are closed and serve says so', async () => {
    const s = await serve({ secret: '' });
    const res = await post(`${s.base}/webhooks/distribution`, fixtureText('distribution-push-index-tag.json'), bearer);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toContain('webhook endpoints are disabled');
    expect(s.log.lines.find((l) => l.event === 'webhooks-disabled')?.msg).toContain('no webhook secret configured');
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
  });

  it('/healthz, /metrics and unknown paths', async () => {
    const s = await serve();
    const health = await fetch(`${s.base}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', webhooks: true, queueDepth: 0 });
    const metrics = await fetch(`${s.base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await metrics.text();
    expect(text).toContain('# TYPE isctl_import_queue_depth gauge');
    expect(text).toContain('isctl_import_runs_total{trigger="schedule"} 1');
    expect((await fetch(`${s.base}/webhooks/gitlab`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${s.base}/webhooks/quay`)).status).toBe(405);
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['8080', { host: '127.0.0.1', port: 8080 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('%s', (text, want) => expect(parseListenAddress(text)).toEqual(want));

  it.each(['', 'host', 'a:b', '1.2.3.4:70000', '1.2.3.4:'])('rejects %j', (text) =>
    expect(parseListenAddress(text)).toBeUndefined(),
  );
});
