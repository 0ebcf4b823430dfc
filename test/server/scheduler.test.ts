import { describe, expect, it } from 'vitest';
import { Scheduler, type Timers } from '../../src/server/scheduler.js';
import { startServe } from '../../src/server/index.js';
import { bucketOf } from '../../src/server/interval.js';
import { fakeRefresh, memoryLogger, until, view } from '../helpers/server.js';

function manualTimers() {
  const pending: { fn: () => void; ms: number; id: number }[] = [];
  let id = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      pending.push({ fn, ms, id: ++id });
      return id;
    },
    clearTimeout: (h) => {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  const fire = () => pending.shift()?.fn();
  return { timers, pending, fire };
}

describe('Scheduler', () => {
  it('visits every bucket once per interval, starting at once', () => {
    const t = manualTimers();
    const visits: string[] = [];
    const s = new Scheduler(15 * 60_000, (b, n) => visits.push(`${b}/${n}`), t.timers);
    expect(s.buckets).toBe(4);
    expect(s.tickMs).toBe(225_000);
    s.start();
    expect(visits).toEqual(['0/4']);
    expect(t.pending[0].ms).toBe(225_000);
    for (let i = 0; i < 4; i++) t.fire();
    expect(visits).toEqual(['0/4', '1/4', '2/4', '3/4', '0/4']);
    s.stop();
    expect(t.pending).toHaveLength(0);
  });
});

describe('scheduled imports through serve', () => {
  it('refreshes only scheduled tags, one bucket of streams per tick, and every stream once per interval', async () => {
    const streams = Array.from({ length: 12 }, (_, i) =>
      view('ns', `s${i}`, { a: `quay.io/x/s${i}:a`, b: `quay.io/x/s${i}:b` }, true),
    );
    streams.push(view('ns', 'manual', { m: 'quay.io/x/manual:m' }, false));
    const fake = fakeRefresh(streams);
    const t = manualTimers();
    const log = memoryLogger();
    const h = await startServe(
      { listen: { host: '127.0.0.1', port: 0 }, intervalMs: 60_000 },
      { refresh: fake.refresh, listStreams: async () => streams, logger: log.logger, timers: t.timers },
    );
    try {
      await until(() => fake.calls.length === 1);
      t.fire();
      await until(() => fake.calls.length === 2);
      expect(fake.calls.every((c) => c.selection.scheduledOnly === true)).toBe(true);
      const seen = fake.calls.flatMap((c) => c.tags);
      expect(new Set(seen).size).toBe(seen.length); // no stream twice in one interval
      expect(seen.sort()).toEqual(
        streams
          .slice(0, 12)
          .flatMap((s) => [`ns/${s.name}:a`, `ns/${s.name}:b`])
          .sort(),
      );
      expect(fake.calls[0].tags.every((k) => bucketOf('ns', k.split('/')[1].split(':')[0], 2) === 0)).toBe(true);
      expect(log.lines.filter((l) => l.event === 'import').map((l) => l.bucket)).toEqual(['1/2', '2/2']);
      expect(log.lines.find((l) => l.event === 'webhooks-disabled')).toBeDefined();
    } finally {
      await h.stop();
    }
  });

  it('stop waits for the import in progress and then resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const streams = [view('ns', 'a', { t: 'quay.io/x/a:t' }, true)];
    const base = fakeRefresh(streams);
    let finished = false;
    const refresh = async (sel: Parameters<typeof base.refresh>[0]) => {
      const r = await base.refresh(sel);
      await gate;
      finished = true;
      return r;
    };
    const t = manualTimers();
    const h = await startServe(
      { listen: { host: '127.0.0.1', port: 0 }, intervalMs: 60_000 },
      { refresh, listStreams: async () => streams, logger: memoryLogger().logger, timers: t.timers },
    );
    await until(() => base.calls.length === 1);
    let stopped = false;
    const stopping = h.stop('SIGTERM').then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    await expect(fetch(`http://127.0.0.1:${h.address.port}/healthz`)).rejects.toThrow();
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(t.pending).toHaveLength(0);
  });
});

describe('stopping while a push waits', () => {
  it('does not start a new import; the waiting push is logged', async () => {
    const streams = [view('ns', 'a', { t: 'quay.io/x/a:t' })];
    const fake = fakeRefresh(streams);
    const log = memoryLogger();
    const t = manualTimers();
    const h = await startServe(
      { listen: { host: '127.0.0.1', port: 0 }, intervalMs: 60_000, secret: 'sekrit', settleMs: 5_000 },
      { refresh: fake.refresh, listStreams: async () => streams, logger: log.logger, timers: t.timers },
    );
    await until(() => fake.calls.length === 1); // the first scheduled bucket
    const res = await fetch(`http://127.0.0.1:${h.address.port}/webhooks/quay?token=sekrit`, {
      method: 'POST',
      body: JSON.stringify({ docker_url: 'quay.io/x/a', updated_tags: ['t'] }),
    });
    expect(res.status).toBe(202);
    const t0 = Date.now();
    await h.stop('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(fake.calls).toHaveLength(1);
    expect(log.lines.find((l) => l.event === 'shutdown')).toMatchObject({ count: 1 });
  });
});

describe('after each import', () => {
  it('logs triggered workloads and builds and calls afterImport (serve --on-build)', async () => {
    const streams = [view('ns', 'a', { t: 'quay.io/x/a:t' }, true)];
    const log = memoryLogger();
    const seen: string[] = [];
    const h = await startServe(
      { listen: { host: '127.0.0.1', port: 0 }, intervalMs: 60_000 },
      {
        refresh: async () => ({
          outcomes: [
            {
              namespace: 'ns',
              stream: 'a',
              tag: 't',
              from: 'quay.io/x/a:t',
              status: 'changed',
              reason: 'Updated',
              oldDigest: `sha256:${'1'.repeat(64)}`,
              newDigest: `sha256:${'2'.repeat(64)}`,
            },
          ],
          changes: [{ path: 'a.yaml', before: 'x', after: 'y' }],
          triggers: {
            updated: [
              {
                kind: 'Deployment',
                namespace: 'ns',
                name: 'web',
                file: 'a.yaml',
                changes: [{ container: 'web', from: 'old', to: `quay.io/x/a@sha256:${'2'.repeat(64)}` }],
              },
            ],
            warnings: ['deployment/broken: trigger annotation is not valid JSON'],
            builds: [
              {
                namespace: 'ns',
                name: 'app-build',
                file: 'a.yaml',
                image: `quay.io/x/a@sha256:${'2'.repeat(64)}`,
                trigger: 'a:t',
              },
            ],
          },
        }),
        listStreams: async () => streams,
        logger: log.logger,
        timers: manualTimers().timers,
        afterImport: async (r, trigger) => {
          seen.push(`${trigger}:${r.triggers.builds.map((b) => b.name).join(',')}`);
        },
      },
    );
    try {
      await until(() => seen.length === 1);
      expect(seen).toEqual(['schedule:app-build']);
      const byEvent = (e: string) => log.lines.find((l) => l.event === e);
      expect(byEvent('tag-changed')).toMatchObject({ stream: 'a', tag: 't', newDigest: `sha256:${'2'.repeat(64)}` });
      expect(byEvent('triggered')).toMatchObject({
        msg: 'deployment/web updated',
        file: 'a.yaml',
        images: [`web=quay.io/x/a@sha256:${'2'.repeat(64)}`],
      });
      expect(byEvent('build-triggered')).toMatchObject({
        msg: `buildconfig/app-build triggered by quay.io/x/a@sha256:${'2'.repeat(64)}`,
      });
      expect(byEvent('trigger-warning')).toMatchObject({
        level: 'warn',
        msg: 'deployment/broken: trigger annotation is not valid JSON',
      });
      expect(byEvent('import')).toMatchObject({ changed: 1, files: ['a.yaml'] });
    } finally {
      await h.stop();
    }
  });
});
