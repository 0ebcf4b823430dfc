/**
 * `GET /` and `GET /api/v1/status` on the serve listener, in-process: who may read them (no login
 * on loopback but only for a loopback Host; a token otherwise, from the browser's login prompt or
 * a Bearer header), what they answer (headers, ETag, 304), and what serve's activity looks like
 * there (deliveries with the refusal reason, never the presented token; imports; the scheduler).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startServe, type ServeHandle } from '../../src/server/index.js';
import { checkAccess, isLoopbackHost, uiAccess } from '../../src/server/status/access.js';
import { Entry, SnapshotImpl } from '../../src/state/snapshot.js';
import type { StatusDocument } from '../../src/server/status/types.js';
import { fakeRefresh, fixtureText, memoryLogger, until, view } from '../helpers/server.js';
import { DIGEST_A, deployment, stream } from '../helpers/status.js';

const SECRET = 'status-test-webhook-secret-77';
const UI_TOKEN = 'status-test-ui-token-42';
const views = [view('team', 'app', { '1.0': '127.0.0.1:5004/reglab/app:1.0' }, true)];
const objects = [
  stream('team', 'app', [{ name: '1.0', from: '127.0.0.1:5004/reglab/app:1.0', digest: DIGEST_A, scheduled: true }]),
  deployment('team', 'web', 'app:1.0'),
];

let handle: ServeHandle | undefined;
afterEach(async () => {
  await handle?.stop('test end');
  handle = undefined;
});

async function serve(o: { uiToken?: string; secret?: string } = {}) {
  const fake = fakeRefresh(views);
  const log = memoryLogger();
  handle = await startServe(
    {
      listen: { host: '127.0.0.1', port: 0 },
      intervalMs: 3_600_000,
      settleMs: 10,
      ...(o.secret !== undefined ? { secret: o.secret } : {}),
      ...(o.uiToken !== undefined ? { uiToken: o.uiToken } : {}),
    },
    {
      refresh: fake.refresh,
      listStreams: async () => views,
      readState: async () =>
        new SnapshotImpl(
          'default',
          objects.map((obj) => new Entry(null, null, structuredClone(obj), String(obj.metadata?.namespace))),
          [],
        ),
      logger: log.logger,
    },
  );
  await until(() => fake.calls.length >= 1); // the first scheduled bucket
  return { base: `http://127.0.0.1:${handle.address.port}`, log, fake };
}

/** A GET with a chosen Host header (fetch does not let a page set it). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { method, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** Polls /api/v1/status until `ok(doc)` (the document is rebuilt at most once a second); bounded. */
async function statusWhen(base: string, ok: (doc: StatusDocument) => boolean, ms = 5000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = await (await fetch(`${base}/api/v1/status`)).text();
    if (ok(JSON.parse(text) as StatusDocument)) return text;
    if (Date.now() > end) throw new Error(`status never matched: ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('status page access', () => {
  it('loopback: no login; the page and the JSON are served with a strict policy', async () => {
    const s = await serve({ secret: SECRET });
    const page = await get(`${s.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; /);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<h1>isctl serve</h1>');
    expect(page.body).not.toContain(SECRET);
    const api = await get(`${s.base}/api/v1/status`);
    expect(api.status).toBe(200);
    expect(api.headers['content-type']).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(api.body) as StatusDocument;
    expect(doc).toMatchObject({ kind: 'ServeStatus', apiVersion: 'isctl/v1', serve: { access: 'loopback' } });
    expect(api.body).not.toContain(SECRET);
  });

  it('loopback: a page reached under another host name (DNS rebinding) is refused', async () => {
    const s = await serve();
    for (const host of ['attacker.example', 'attacker.example:8080', '127.0.0.1.attacker.example']) {
      const r = await get(`${s.base}/api/v1/status`, { host });
      expect(r.status, host).toBe(403);
      expect(r.body).toContain('answers only to a loopback Host');
    }
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:99'])
      expect((await get(`${s.base}/`, { host })).status).toBe(200);
  });

  it('with --ui-token-file: 401 with a Basic prompt; the token as password or Bearer opens it; a wrong one does not', async () => {
    const s = await serve({ uiToken: UI_TOKEN, secret: SECRET });
    const none = await get(`${s.base}/`);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="isctl serve", charset="UTF-8"');
    expect(none.body).toContain('the status page needs the UI token (--ui-token-file)');
    const wrong = await get(`${s.base}/api/v1/status`, { authorization: basic('me', 'guess') });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain(UI_TOKEN);
    // The webhook secret is not the UI token once a UI token is configured.
    expect((await get(`${s.base}/`, { authorization: `Bearer ${SECRET}` })).status).toBe(401);
    expect((await get(`${s.base}/`, { authorization: basic('anyone', UI_TOKEN) })).status).toBe(200);
    const api = await get(`${s.base}/api/v1/status`, { authorization: `Bearer ${UI_TOKEN}` });
    expect(api.status).toBe(200);
    expect(api.body).not.toContain(UI_TOKEN);
    expect(api.body).not.toContain(SECRET);
    expect(JSON.parse(api.body).serve.access).toBe('token');
  });

  it('the access rule: loopback listeners are open, others need the UI token or the webhook secret, else closed', () => {
    expect(uiAccess('127.0.0.1', undefined, undefined)).toEqual({ mode: 'loopback' });
    expect(uiAccess('::1', undefined, SECRET)).toEqual({ mode: 'loopback' });
    expect(uiAccess('0.0.0.0', undefined, SECRET)).toEqual({ mode: 'token', token: SECRET, source: 'webhook-secret' });
    expect(uiAccess('192.0.2.10', UI_TOKEN, SECRET)).toEqual({ mode: 'token', token: UI_TOKEN, source: 'ui-token' });
    expect(uiAccess('127.0.0.1', UI_TOKEN, undefined)).toMatchObject({ mode: 'token', source: 'ui-token' });
    const closed = uiAccess('0.0.0.0', undefined, undefined);
    expect(closed).toEqual({ mode: 'closed', listen: '0.0.0.0' });
    expect(checkAccess(closed, { host: 'x' })).toMatchObject({
      status: 403,
      message: expect.stringContaining('start serve with --ui-token-file FILE (or ISCTL_UI_TOKEN)'),
    });
    const bySecret = uiAccess('0.0.0.0', undefined, SECRET);
    expect(checkAccess(bySecret, { authorization: basic('', SECRET) })).toBeUndefined();
    expect(checkAccess(bySecret, { authorization: basic('u', `${SECRET}x`) })?.status).toBe(401);
    expect(checkAccess(bySecret, {})?.message).toContain('the webhook secret');
    expect(
      ['127.0.0.1', '127.9.9.9', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'].every(isLoopbackHost),
    ).toBe(true);
    expect(
      ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost.example', '127.0.0.1.nip.io'].some(isLoopbackHost),
    ).toBe(false);
  });

  it('GET and HEAD only; other paths are left to the webhook handler', async () => {
    const s = await serve();
    const post = await fetch(`${s.base}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await get(`${s.base}/api/v1/status`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await fetch(`${s.base}/api/v2/status`)).status).toBe(404);
    expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
  });
});

describe('status data', () => {
  it('answers 304 to the ETag it gave while nothing changed', async () => {
    const s = await serve();
    const first = await fetch(`${s.base}/api/v1/status`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await fetch(`${s.base}/api/v1/status`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('streams, workloads, the scheduler and the scheduled run are in the document', async () => {
    const s = await serve();
    const doc = JSON.parse(await statusWhen(s.base, (d) => d.imports.length > 0)) as StatusDocument;
    expect(doc.streams).toEqual([
      {
        namespace: 'team',
        name: 'app',
        dockerImageRepository: null,
        tags: [
          expect.objectContaining({
            name: '1.0',
            state: 'ok',
            digest: DIGEST_A,
            scheduled: true,
            checkedAt: expect.stringMatching(/^\d{4}-/),
            followers: [
              { id: 'wl:team/Deployment/web', label: 'deployment/web', trigger: 'trigger (web)', active: true },
            ],
          }),
        ],
      },
    ]);
    expect(doc.scheduler).toMatchObject({ interval: '1h', buckets: 4, bucketSeconds: 900, nextBucket: 2 });
    expect(Date.parse(doc.scheduler.nextRunAt!) - Date.parse(doc.generatedAt)).toBeGreaterThan(890_000);
    expect(doc.scheduler.lastRun).toMatchObject({ trigger: 'schedule', bucket: '1/4', tags: 1, outcome: 'ok' });
    expect(doc.imports[0]).toMatchObject({ trigger: 'schedule', bucket: '1/4' });
  });

  it('deliveries show sender, repository and outcome; a refused one its reason and never the presented token', async () => {
    const s = await serve({ secret: SECRET });
    const presented = 'not-the-secret-but-still-private';
    const refused = await fetch(`${s.base}/webhooks/distribution`, {
      method: 'POST',
      headers: { authorization: `Bearer ${presented}`, 'content-type': 'application/json' },
      body: fixtureText('distribution-push-index-tag.json'),
    });
    expect(refused.status).toBe(401);
    const ok = await fetch(`${s.base}/webhooks/distribution`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: fixtureText('distribution-push-index-tag.json'),
    });
    expect(ok.status).toBe(202);
    const text = await statusWhen(s.base, (d) => d.deliveries.length === 2 && d.imports.length === 2);
    expect(text).not.toContain(presented);
    expect(text).not.toContain(SECRET);
    const doc = JSON.parse(text) as StatusDocument;
    expect(doc.deliveries).toEqual([
      {
        at: expect.any(String),
        firstAt: expect.any(String),
        count: 1,
        sender: 'distribution',
        repositories: ['127.0.0.1:5004/reglab/app:1.0'],
        outcome: 'accepted',
        message: '1 queued',
      },
      {
        at: expect.any(String),
        firstAt: expect.any(String),
        count: 1,
        sender: 'distribution',
        repositories: [],
        outcome: 'unauthorized',
        message: 'wrong credentials',
      },
    ]);
    expect(doc.imports[0]).toMatchObject({ trigger: 'webhook', tags: 1, outcome: 'ok' });
    const page = await (await fetch(`${s.base}/`)).text();
    expect(page).toContain('<span class="badge state-failed">unauthorized</span> wrong credentials');
  });
});
