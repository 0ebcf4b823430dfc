/**
 * `isctl serve` end to end: Debian's docker-registry sends its real notifications to the built
 * CLI (`node bin/isctl.js serve`), a push changes the stream and the triggered Deployment within
 * seconds; SIGTERM during an import lets the write finish and leaves every file whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startRegistry, pushImage, freePort, type TestRegistry } from '../helpers/registry/index.js';
import { createServer } from 'node:http';
import { BIN, ensureBuilt, realClock, ROOT, runCli, tempDir } from '../helpers/index.js';
import { bucketOf } from '../../src/server/interval.js';
import { githubSignature } from '../../src/server/auth.js';

const SECRET = 'e2e-shared-secret-7f3a9c';

beforeAll(() => {
  // The child process runs the built CLI: build it when src/ is newer (npm test built it first).
  ensureBuilt();
  expect(fs.existsSync(path.join(ROOT, 'dist/isctl.cjs'))).toBe(true);
}, 180_000);

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** isctl in-process, on the wall clock (the registry and serve run in real time). */
const cli = (argv: string[]) => runCli(argv, { clock: realClock });

/** Spawns `node bin/isctl.js serve ...`, collecting its JSON log lines. */
function spawnServe(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1))),
  );
  const lines = (): Record<string, unknown>[] =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, lines, stderr: () => stderr };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function streamYaml(name: string, tags: { tag: string; from: string; scheduled?: boolean }[]): string {
  const t = tags
    .map(
      (x) =>
        `  - name: "${x.tag}"\n    from:\n      kind: DockerImage\n      name: ${x.from}\n` +
        `    importPolicy:\n      insecure: true\n${x.scheduled ? '      scheduled: true\n' : ''}`,
    )
    .join('');
  return `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ${name}\nspec:\n  tags:\n${t}`;
}

function deploymentYaml(stream: string, tag: string, image: string): string {
  return (
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    image.openshift.io/triggers: '[{"from":{"kind":"ImageStreamTag","name":"${stream}:${tag}"},` +
    `"fieldPath":"spec.template.spec.containers[?(@.name==\\"web\\")].image"}]'
spec:
  template:
    spec:
      containers:
      - name: web   # the web server
        image: ${image}
`
  );
}

describe('serve with a real Distribution registry', () => {
  let reg: TestRegistry;
  let servePort: number;

  beforeAll(async () => {
    servePort = await freePort();
    reg = await startRegistry({
      mode: 'plain',
      notifications: {
        url: `http://127.0.0.1:${servePort}/webhooks/distribution`,
        headers: { Authorization: `Bearer ${SECRET}` },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await reg?.stop();
  });

  it('a push notification re-imports the tag and rewrites the triggered Deployment within seconds', async () => {
    const dir = tempDir('serve');
    const v1 = await pushImage(reg, 'team/app', '1.0', { seed: 'v1' });
    fs.writeFileSync(
      path.join(dir, 'app.yaml'),
      `${streamYaml('app', [{ tag: '1.0', from: `${reg.host}/team/app:1.0` }])}---\n${deploymentYaml('app', '1.0', 'placeholder:latest')}`,
    );
    const first = await cli(['refresh', '--dir', dir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8')).toContain(`image: ${reg.host}/team/app@${v1.digest}`);

    const secretFile = path.join(dir, '.secret');
    fs.writeFileSync(secretFile, `${SECRET}\n`);
    const serve = spawnServe([
      '--dir',
      dir,
      '--listen',
      `127.0.0.1:${servePort}`,
      '--webhook-secret-file',
      secretFile,
      '--interval',
      '1h',
    ]);
    try {
      await until(() => serve.lines().some((l) => l.event === 'start'), 15_000, 'serve to listen');
      const v2 = await pushImage(reg, 'team/app', '1.0', { seed: 'v2' });
      expect(v2.digest).not.toBe(v1.digest);
      const pushed = Date.now();
      await until(
        () => fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8').includes(`image: ${reg.host}/team/app@${v2.digest}`),
        10_000,
        'the triggered Deployment to change',
      );
      const text = fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8');
      expect(Date.now() - pushed).toBeLessThan(10_000);
      // New history item first, the old one kept; the comment on the container line survives.
      const items = text.slice(text.indexOf('items:'));
      expect(items.indexOf(v2.digest)).toBeGreaterThan(-1);
      expect(items.indexOf(v2.digest)).toBeLessThan(items.indexOf(v1.digest));
      expect(text).toContain(`image: ${reg.host}/team/app@${v2.digest}`);
      expect(text).toContain('- name: web   # the web server');

      await until(
        () => serve.lines().some((l) => l.event === 'import' && l.trigger === 'webhook' && l.changed === 1),
        5_000,
        'the import log line',
      );
      const lines = serve.lines();
      expect(lines.find((l) => l.event === 'delivery' && l.result === 'accepted')).toMatchObject({
        sender: 'distribution',
        queued: 1,
      });
      expect(lines.find((l) => l.event === 'tag-changed')).toMatchObject({
        trigger: 'webhook',
        stream: 'app',
        tag: '1.0',
        oldDigest: v1.digest,
        newDigest: v2.digest,
      });
      expect(lines.some((l) => l.event === 'triggered')).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${servePort}/metrics`)).text();
      expect(metrics).toMatch(/isctl_webhook_deliveries_total\{result="accepted",sender="distribution"\} [1-9]/);
      expect(metrics).toContain('isctl_imports_total{result="changed",trigger="webhook"} 1');
      expect(metrics).toMatch(/isctl_registry_request_duration_seconds_count\{operation="resolve",result="ok"\} [1-9]/);

      // An unauthenticated delivery is refused and changes nothing.
      const before = fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8');
      const res = await fetch(`http://127.0.0.1:${servePort}/webhooks/distribution`, {
        method: 'POST',
        body: '{"events":[]}',
      });
      expect(res.status).toBe(401);
      expect(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8')).toBe(before);

      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.lines().at(-1)).toMatchObject({ event: 'stopped' });
      expect(serve.stderr()).not.toContain(SECRET);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  }, 60_000);

  it('Quay, Harbor and GitHub bodies naming this registry re-import their tags (digest read from the registry)', async () => {
    const dir = tempDir('serve');
    for (const r of ['q', 'h', 'g']) await pushImage(reg, `team/${r}`, '1.0', { seed: `${r}-1` });
    fs.writeFileSync(
      path.join(dir, 'senders.yaml'),
      streamYaml(
        'senders',
        ['q', 'h', 'g'].map((r) => ({ tag: r, from: `${reg.host}/team/${r}:1.0` })),
      ),
    );
    expect((await cli(['refresh', '--dir', dir])).code).toBe(0);
    const port = await freePort();
    // The secret comes from the environment this time.
    const serve = spawnServe(['--dir', dir, '--listen', `127.0.0.1:${port}`, '--interval', '1h'], {
      ISCTL_WEBHOOK_SECRET: SECRET,
    });
    try {
      await until(() => serve.lines().some((l) => l.event === 'start'), 15_000, 'serve to listen');
      const next = {
        q: await pushImage(reg, 'team/q', '1.0', { seed: 'q-2' }),
        h: await pushImage(reg, 'team/h', '1.0', { seed: 'h-2' }),
        g: await pushImage(reg, 'team/g', '1.0', { seed: 'g-2' }),
      };
      const fixture = (name: string) =>
        JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/webhooks', name), 'utf8'));
      const quay = {
        ...fixture('quay-repo-push.json'),
        docker_url: `${reg.host}/team/q`,
        repository: 'team/q',
        updated_tags: ['1.0'],
      };
      const harbor = fixture('harbor-push-artifact.json');
      harbor.event_data.repository.repo_full_name = 'team/h';
      harbor.event_data.resources[0] = {
        ...harbor.event_data.resources[0],
        tag: '1.0',
        resource_url: `${reg.host}/team/h:1.0`,
        digest: `sha256:${'f'.repeat(64)}`,
      };
      const github = fixture('github-registry-package-published.json');
      github.registry_package.package_version.package_url = `${reg.host}/team/g:1.0`;
      github.registry_package.package_version.container_metadata.tag.name = '1.0';
      const githubBody = JSON.stringify(github);
      const base = `http://127.0.0.1:${port}/webhooks`;
      const answers = await Promise.all([
        fetch(`${base}/quay?token=${SECRET}`, {
          method: 'POST',
          body: JSON.stringify(quay),
          headers: { 'content-type': 'application/json' },
        }),
        fetch(`${base}/harbor`, {
          method: 'POST',
          body: JSON.stringify(harbor),
          headers: { 'content-type': 'application/json', authorization: SECRET },
        }),
        fetch(`${base}/github`, {
          method: 'POST',
          body: githubBody,
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'registry_package',
            'x-github-delivery': 'e2e-1',
            'x-hub-signature-256': githubSignature(SECRET, githubBody),
          },
        }),
      ]);
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
      await until(
        () => {
          const text = fs.readFileSync(path.join(dir, 'senders.yaml'), 'utf8');
          return [next.q, next.h, next.g].every((p) => text.includes(`image: ${p.digest}`));
        },
        10_000,
        'all three tags to be re-imported',
      );
      // The payload's digest is never recorded: only what the registry answered.
      expect(fs.readFileSync(path.join(dir, 'senders.yaml'), 'utf8')).not.toContain('f'.repeat(64));
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.stderr()).not.toContain(SECRET);
    } finally {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    }
  }, 60_000);

  it('no lost update: CLI writes to the same stream file while serve imports', async () => {
    const dir = tempDir('serve');
    await pushImage(reg, 'team/busy', 'live', { seed: 'busy-0' });
    fs.writeFileSync(
      path.join(dir, 'busy.yaml'),
      streamYaml('busy', [{ tag: 'live', from: `${reg.host}/team/busy:live` }]),
    );
    const port = await freePort();
    const secretFile = path.join(dir, '.secret');
    fs.writeFileSync(secretFile, SECRET);
    const serve = spawnServe([
      '--dir',
      dir,
      '--listen',
      `127.0.0.1:${port}`,
      '--webhook-secret-file',
      secretFile,
      '--interval',
      '1h',
    ]);
    try {
      await until(() => serve.lines().some((l) => l.event === 'start'), 15_000, 'serve to listen');
      const body = (i: number) =>
        JSON.stringify({
          events: [
            {
              id: `busy-${i}`,
              action: 'push',
              target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: 'team/busy', tag: 'live' },
              request: { host: reg.host },
            },
          ],
        });
      let last = '';
      const cliWrites: Promise<{ code: number }>[] = [];
      for (let i = 1; i <= 4; i++) {
        last = (await pushImage(reg, 'team/busy', 'live', { seed: `busy-${i}` })).digest;
        await fetch(`http://127.0.0.1:${port}/webhooks/distribution`, {
          method: 'POST',
          body: body(i),
          headers: { authorization: `Bearer ${SECRET}` },
        });
        cliWrites.push(cli(['tag', '--dir', dir, '--insecure', `${reg.host}/team/busy:live`, `busy:copy${i}`]));
        await new Promise((r) => setTimeout(r, 300));
      }
      expect((await Promise.all(cliWrites)).map((r) => r.code)).toEqual([0, 0, 0, 0]);
      await until(
        () => fs.readFileSync(path.join(dir, 'busy.yaml'), 'utf8').includes(`image: ${last}`),
        15_000,
        'the last push to be imported',
      );
      await new Promise((r) => setTimeout(r, 1500));
      const text = fs.readFileSync(path.join(dir, 'busy.yaml'), 'utf8');
      for (let i = 1; i <= 4; i++) expect(text).toContain(`- name: copy${i}`);
      expect(parseAllDocuments(text).every((d) => d.errors.length === 0)).toBe(true);
      const live = text.slice(text.indexOf('- tag: live'));
      expect(live.indexOf(last)).toBeGreaterThan(-1);
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    }
  }, 60_000);

  it('without a secret the built CLI opens no webhook endpoint and says so, but serves /healthz and /metrics', async () => {
    const dir = tempDir('serve');
    const port = await freePort();
    const serve = spawnServe(['--dir', dir, '--listen', `127.0.0.1:${port}`, '--log-format', 'text']);
    try {
      await until(() => serve.stderr().includes('webhook endpoints are closed'), 15_000, 'the warning');
      expect(serve.stderr()).toMatch(
        /WARN {2}no webhook secret configured \(--webhook-secret-file or ISCTL_WEBHOOK_SECRET\): webhook endpoints are closed, running the scheduler only/,
      );
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/distribution`, {
        method: 'POST',
        body: '{}',
        headers: { authorization: `Bearer ${SECRET}` },
      });
      expect(res.status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain(
        'isctl_webhook_deliveries_total{result="disabled",sender="distribution"} 1',
      );
      serve.child.kill('SIGINT');
      expect(await serve.exited).toBe(0);
    } finally {
      if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
    }
  }, 30_000);

  it('--once follows refresh --exit-code: 1 after a change, 0 when nothing changed, 3 when a failing tag wrote its condition', async () => {
    const dir = tempDir('serve');
    await pushImage(reg, 'team/once', 'stable', { seed: 'o1' });
    fs.writeFileSync(
      path.join(dir, 'once.yaml'),
      streamYaml('once', [{ tag: 'stable', from: `${reg.host}/team/once:stable`, scheduled: true }]),
    );
    const a = await cli(['serve', '--once', '--dir', dir]);
    expect(a.code).toBe(1);
    const b = await cli(['serve', '--once', '--dir', dir]);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe('1 tag checked, 0 changed, 0 failed\n');
    fs.writeFileSync(
      path.join(dir, 'missing.yaml'),
      streamYaml('missing', [{ tag: 'x', from: `${reg.host}/team/nothing-here:x`, scheduled: true }]),
    );
    // The new tag's ImportSuccess=False condition is written: changed, with failures.
    const c = await cli(['serve', '--once', '--dir', dir]);
    expect(c.code).toBe(3);
    expect(c.stderr).toContain('team/nothing-here');
    // The same failure again writes nothing: failed, nothing changed.
    const d = await cli(['serve', '--once', '--dir', dir]);
    expect(d.code).toBe(2);
  }, 60_000);

  it('SIGTERM during an import lets the write finish: exit 0 and every file whole', async () => {
    // A proxy that delays every chunk by 400 ms keeps the import in flight when SIGTERM arrives.
    const proxy = net.createServer((client) => {
      const up = net.connect(Number(reg.host.split(':')[1]), '127.0.0.1');
      client.on('data', (d) => setTimeout(() => up.write(d), 400));
      up.on('data', (d) => client.write(d));
      const end = () => {
        client.destroy();
        up.destroy();
      };
      client.on('close', end);
      up.on('close', end);
      client.on('error', end);
      up.on('error', end);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxyHost = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const dir = tempDir('serve');
    try {
      const names = Array.from({ length: 40 }, (_, i) => `s${i}`)
        .filter((n) => bucketOf('default', n, 2) === 0)
        .slice(0, 4);
      for (const [i, n] of names.entries()) {
        await pushImage(reg, `slow/${n}`, 'v', { seed: `slow-${i}` });
        fs.writeFileSync(
          path.join(dir, `${n}.yaml`),
          `# stream ${n}\n${streamYaml(n, [{ tag: 'v', from: `${proxyHost}/slow/${n}:v`, scheduled: true }])}`,
        );
      }
      const before = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
      const serve = spawnServe(['--dir', dir, '--listen', '127.0.0.1:0', '--interval', '30s']);
      await until(() => serve.lines().some((l) => l.event === 'import-start'), 15_000, 'the first scheduled import');
      serve.child.kill('SIGTERM');
      const code = await serve.exited;
      if (code !== 0) console.error(serve.stderr());
      expect(code).toBe(0);
      const events = serve.lines().map((l) => l.event);
      expect(events.indexOf('stopping')).toBeGreaterThan(events.indexOf('import-start'));
      expect(events.indexOf('import')).toBeGreaterThan(events.indexOf('stopping'));
      expect(events.at(-1)).toBe('stopped');
      // Every file is whole: it parses, and it is either untouched or carries the finished import.
      const after = fs.readdirSync(dir).filter((f) => !f.startsWith('.'));
      expect(after.sort()).toEqual([...before.keys()].sort());
      for (const f of after) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        expect(parseAllDocuments(text).every((d) => d.errors.length === 0)).toBe(true);
        // The comment and spec as written, plus the status the finished import recorded.
        expect(text.startsWith(`# stream ${f.replace('.yaml', '')}\n`)).toBe(true);
        expect(text).toContain(
          before
            .get(f)!
            .split('\n')
            .find((l) => l.includes('name: 127.0.0.1'))!,
        );
        expect(text).toMatch(/status:\n[\s\S]*image: sha256:[0-9a-f]{64}/);
      }
      const hidden = fs.readdirSync(dir).filter((f) => f.startsWith('.') && f !== '.isctl');
      expect(hidden).toEqual([]);
    } finally {
      proxy.close();
    }
  }, 60_000);

  it('a second SIGTERM during an import exits 1 at once and logs why', async () => {
    // A proxy that never forwards keeps the import in flight for as long as the test needs.
    const proxy = net.createServer(() => {});
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxyHost = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const dir = tempDir();
    try {
      // A stream of the first bucket, so the first scheduled pass imports it.
      const name = Array.from({ length: 40 }, (_, i) => `stuck${i}`).find((n) => bucketOf('default', n, 2) === 0)!;
      fs.writeFileSync(
        path.join(dir, 'stuck.yaml'),
        streamYaml(name, [{ tag: 'v', from: `${proxyHost}/stuck/app:v`, scheduled: true }]),
      );
      const serve = spawnServe(['--dir', dir, '--listen', '127.0.0.1:0', '--interval', '30s']);
      await until(() => serve.lines().some((l) => l.event === 'import-start'), 15_000, 'the first scheduled import');
      serve.child.kill('SIGTERM');
      await until(() => serve.lines().some((l) => l.event === 'stopping'), 10_000, 'serve to start stopping');
      serve.child.kill('SIGTERM');
      const code = await serve.exited;
      if (code !== 1) console.error(serve.stderr());
      expect(code).toBe(1);
      expect(serve.lines().map((l) => l.event)).toContain('forced');
      expect(fs.readFileSync(path.join(dir, 'stuck.yaml'), 'utf8')).not.toContain('status:');
    } finally {
      proxy.close();
    }
  }, 60_000);
});

describe('the Distribution config shown in `isctl serve -h`', () => {
  it('works with docker-registry 2.8: pushes arrive with the Bearer secret, pulls are not sent', async () => {
    const help = (await cli(['serve', '-h'])).stdout;
    // As a user would paste it: the help indents examples by two spaces.
    const snippet = help
      .slice(help.indexOf('  notifications:'))
      .trimEnd()
      .split('\n')
      .map((l) => l.slice(2))
      .join('\n');
    const bodies: { auth: string | undefined; actions: string[] }[] = [];
    const sink = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(b) as { events: { action: string }[] };
        bodies.push({ auth: req.headers.authorization, actions: parsed.events.map((e) => e.action) });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const sinkPort = (sink.address() as net.AddressInfo).port;
    const dir = tempDir('serve');
    const port = await freePort();
    const config = [
      'version: 0.1',
      'log:\n  level: error',
      `storage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}`,
      `http:\n  addr: 127.0.0.1:${port}\n  secret: isctl-test-only`,
      snippet.replace('127.0.0.1:8080', `127.0.0.1:${sinkPort}`).replace('Bearer SECRET', `Bearer ${SECRET}`),
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'config.yml'), `${config}\n`);
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', 'docker-registry', 'serve', path.join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    try {
      const reg = { mode: 'plain', host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}` } as TestRegistry;
      const end = Date.now() + 10_000;
      for (;;) {
        const ok = await fetch(`${reg.url}/v2/`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) break;
        if (Date.now() > end) throw new Error('docker-registry did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
      const pushed = await pushImage(reg, 'doc/app', '1.0', { seed: 'doc' });
      const pull = await fetch(`${reg.url}/v2/doc/app/manifests/1.0`, {
        method: 'HEAD',
        headers: { accept: pushed.mediaType },
      });
      expect(pull.status).toBe(200);
      await until(() => bodies.some((b) => b.actions.includes('push')), 5_000, 'the push notification');
      await new Promise((r) => setTimeout(r, 500)); // a pull event, if sent, would arrive within ~20 ms
      expect(bodies.every((b) => b.auth === `Bearer ${SECRET}`)).toBe(true);
      expect(bodies.flatMap((b) => b.actions).filter((a) => a === 'pull')).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      sink.close();
    }
  }, 30_000);
});
