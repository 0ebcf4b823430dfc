/**
 * `serve --git-push` replicas on clones of one repository, with the real parts: Debian's
 * docker-registry, `git daemon` on 127.0.0.1 serving a bare repository, and the built CLI as OS
 * processes (each in its own process group, so SIGKILL takes its git children with it, as a
 * crash of the machine or container would). Every process is stopped by PID; the replicas die
 * with the test process (pdeathsig).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, useCliSnapshot } from '../helpers/index.js';
import { gitSandbox, startGitDaemon, type GitDaemon, type GitSandbox } from '../helpers/git/git.js';
import { freePort, pushImage, startRegistry, type TestRegistry } from '../helpers/registry/index.js';

const SECRET = 'git-push-e2e-secret-5b1e';

let snapshot: ReturnType<typeof useCliSnapshot>;
let reg: TestRegistry;
let sb: GitSandbox;
let daemon: GitDaemon;
let served: string;
let secretFile: string;
let n = 0;
const replicas = new Set<Replica>();

beforeAll(async () => {
  snapshot = useCliSnapshot();
  reg = await startRegistry({ mode: 'plain' });
  sb = gitSandbox();
  served = fs.mkdtempSync(path.join(sb.root, 'served-'));
  daemon = await startGitDaemon(sb, served);
  secretFile = path.join(sb.root, 'webhook-secret');
  fs.writeFileSync(secretFile, `${SECRET}\n`);
}, 180_000);
afterAll(async () => {
  for (const r of replicas) r.kill();
  await daemon?.stop();
  await reg?.stop();
  sb?.cleanup();
  snapshot?.remove();
});

function stream(name: string, repo: string, scheduled = false): string {
  return `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ${name}
spec:
  tags:
  - name: "1.0"
    from:
      kind: DockerImage
      name: ${reg.host}/${repo}:1.0
    importPolicy:
      insecure: true
${scheduled ? '      scheduled: true\n' : ''}`;
}

/** A bare repository served over git:// holding `count` streams, each imported once. */
async function repository(count: number, scheduled = false) {
  const id = `g${n++}`;
  const repos = Array.from({ length: count }, (_, i) => `${id}/app${i}`);
  const seed = path.join(sb.root, `${id}-seed`);
  const files: Record<string, string> = { '.gitignore': '.isctl/\n' };
  for (const [i, repo] of repos.entries()) {
    await pushImage(reg, repo, '1.0', { seed: `${repo}-v1` });
    files[`app${i}.yaml`] = stream(`app${i}`, repo, scheduled);
  }
  sb.write(seed, files);
  const first = await runCli(['--dir', seed, 'refresh'], { cwd: sb.root, env: sb.env });
  expect(first.code).toBe(0);
  sb.git(sb.root, 'init', '--quiet', '-b', 'main', seed);
  sb.git(seed, 'add', '-A');
  sb.git(seed, 'commit', '--quiet', '-m', 'initial state');
  const bare = path.join(served, `${id}.git`);
  sb.git(sb.root, 'clone', '--quiet', '--bare', seed, bare);
  return { id, repos, bare, url: `${daemon.url}${id}.git` };
}

interface Replica {
  name: string;
  dir: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | string>;
  lines(): Record<string, unknown>[];
  waitFor(what: string, pred: (l: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  kill(): void;
  stop(): Promise<number | string>;
}

/** Starts `isctl serve --git-push` as its own process group. */
async function startReplica(name: string, url: string, dir: string, extra: string[] = []): Promise<Replica> {
  const port = await freePort();
  const bin = path.join(snapshot.root, 'bin', 'isctl.js');
  const args = [
    '--pdeathsig',
    'KILL',
    process.execPath,
    bin,
    'serve',
    '--git-push',
    '--git-url',
    url,
    '--dir',
    dir,
    '--listen',
    `127.0.0.1:${port}`,
    '--log-format',
    'json',
    ...extra,
  ];
  const child = spawn('setpriv', args, {
    env: { ...sb.env, NO_COLOR: '1' },
    cwd: sb.root,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const lines = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const r: Replica = {
    name,
    dir,
    port,
    child,
    exited,
    lines,
    async waitFor(what, pred, ms = 30_000) {
      const end = Date.now() + ms;
      for (;;) {
        const hit = lines().find(pred);
        if (hit) return hit;
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${name} exited while waiting for ${what}:\n${stderr}`);
        if (Date.now() > end) throw new Error(`${name}: timed out waiting for ${what}:\n${stderr}`);
        await new Promise((res) => setTimeout(res, 25));
      }
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      return exited;
    },
  };
  replicas.add(r);
  await r.waitFor('start', (l) => l.event === 'start');
  return r;
}

/** Posts one Distribution notification for `repo:1.0`; on a refused connection, the next replica takes it. */
async function deliver(targets: Replica[], first: number, repo: string): Promise<string> {
  const body = JSON.stringify({
    events: [
      {
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        action: 'push',
        target: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          repository: repo,
          tag: '1.0',
          url: `${reg.url}/v2/${repo}/manifests/1.0`,
        },
        request: { id: randomUUID(), host: reg.host, method: 'PUT', useragent: 'test' },
      },
    ],
  });
  for (let k = 0; k < targets.length; k++) {
    const t = targets[(first + k) % targets.length];
    try {
      const res = await fetch(`http://127.0.0.1:${t.port}/webhooks/distribution`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${SECRET}`,
          'Content-Type': 'application/vnd.docker.distribution.events.v1+json',
        },
        body,
        signal: AbortSignal.timeout(5000),
      });
      expect(res.status).toBe(202);
      return t.name;
    } catch (err) {
      if ((err as Error).name === 'AssertionError') throw err;
      // a dead backend: the load balancer tries the next one
    }
  }
  throw new Error('no replica answered');
}

const digestIn = (text: string) => parse(text).status.tags[0].items[0].image as string;
const remoteDigest = (bare: string, file: string) => digestIn(sb.git(bare, 'show', `main:${file}`));

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every commit after the first changes something; each file is changed by at most `per` commits. */
function expectNoDuplicates(bare: string, files: string[], per = 1): void {
  const commits = sb.git(bare, 'rev-list', 'main').trim().split('\n');
  for (const c of commits.slice(0, -1))
    expect(sb.git(bare, 'diff-tree', '--no-commit-id', '--name-only', '-r', c).trim()).not.toBe('');
  for (const f of files) expect(sb.git(bare, 'rev-list', 'main', '--', f).trim().split('\n')).toHaveLength(1 + per);
}

function expectFsckClean(repo: string): void {
  const r = sb.tryGit(repo, 'fsck', '--no-progress', '--no-dangling');
  expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
}

describe('serve --git-push replicas', () => {
  it('three replicas, 30 deliveries round-robin while five repositories get new images, one ' +
    'SIGKILLed midway: all five recorded, no duplicate commit, fsck clean', async () => {
    const { repos, bare, url } = await repository(5);
    const all = await Promise.all(
      [0, 1, 2].map((i) =>
        startReplica(`replica-${i}`, url, path.join(sb.root, `r5-${i}`), [
          '--webhook-secret-file',
          secretFile,
          '--interval',
          '1h',
        ]),
      ),
    );
    const pushed: string[] = [];
    for (let i = 0; i < 30; i++) {
      const k = i % 5;
      // the five images are pushed while the deliveries run: each just before its first delivery
      if (i < 5) pushed[k] = (await pushImage(reg, repos[k], '1.0', { seed: `${repos[k]}-v2` })).digest;
      if (i === 15) all[1].kill();
      await deliver(all, i % 3, repos[k]);
      await new Promise((r) => setTimeout(r, 60));
    }
    await all[1].exited;
    await until(
      'all five new digests on the remote branch',
      () => repos.every((_, k) => remoteDigest(bare, `app${k}.yaml`) === pushed[k]),
      90_000,
    );
    // the survivors settle (nothing left in their queues), then the remote is checked
    for (const r of [all[0], all[2]]) {
      await until(
        `${r.name} idle`,
        () => {
          const done = r.lines().filter((l) => l.event === 'import').length;
          const started = r.lines().filter((l) => l.event === 'import-start').length;
          return done === started;
        },
        60_000,
      );
    }
    expectNoDuplicates(
      bare,
      repos.map((_, k) => `app${k}.yaml`),
    );
    expectFsckClean(bare);
    // /healthz and /metrics of a survivor say what happened in Git
    const health = (await (await fetch(`http://127.0.0.1:${all[0].port}/healthz`)).json()) as {
      git: { branch: string; conflicts: number; retries: number; lastPush: unknown };
    };
    expect(health.git).toMatchObject({ remote: 'origin', branch: 'main' });
    expect(typeof health.git.conflicts).toBe('number');
    expect(typeof health.git.retries).toBe('number');
    const metrics = await (await fetch(`http://127.0.0.1:${all[0].port}/metrics`)).text();
    expect(metrics).toMatch(/^isctl_git_pushes_total\{result="(pushed|no_change)"\} \d+$/m);
    expect(metrics).toMatch(/^isctl_git_push_conflicts_total( \d+)?$/m);
    expect(metrics).toMatch(/^isctl_git_last_push_timestamp_seconds \d+$/m);
    // the pushes that landed are the survivors' and maybe the killed one's: in all, one per change
    const pushes = [...all].flatMap((r) => r.lines().filter((l) => l.event === 'git-push' && l.commit));
    expect(new Set(pushes.map((p) => p.commit)).size).toBe(pushes.length);
    expect(await all[0].stop()).toBe(0);
    expect(await all[2].stop()).toBe(0);
    // the killed replica starts again on its clone: repaired, level with the remote, nothing new to push
    const again = await startReplica('replica-1-again', url, all[1].dir, [
      '--webhook-secret-file',
      secretFile,
      '--interval',
      '1h',
    ]);
    await deliver([again], 0, repos[0]);
    await again.waitFor('the delivery imported', (l) => l.event === 'import' && l.trigger === 'webhook');
    expect(again.lines().filter((l) => l.event === 'git-push' && l.commit)).toEqual([]);
    expect(sb.git(all[1].dir, 'rev-parse', 'HEAD')).toBe(sb.git(bare, 'rev-parse', 'main'));
    expect(sb.git(all[1].dir, 'status', '--porcelain')).toBe('');
    expectFsckClean(all[1].dir);
    expect(await again.stop()).toBe(0);
  }, 240_000);

  it('only the lease holder runs scheduled passes; when it is SIGKILLed its lease expires and another takes over', async () => {
    const { repos, bare, url } = await repository(1, true);
    const opts = ['--interval', '4s', '--lease-duration', '3s'];
    const all: Awaited<ReturnType<typeof startReplica>>[] = [];
    for (const i of [0, 1, 2]) all.push(await startReplica(`lease-${i}`, url, path.join(sb.root, `l-${i}`), opts));
    // within two ticks every replica has asked; exactly one ran its passes
    await Promise.all(
      all.map((r) => r.waitFor('a tick', (l) => l.event === 'import-start' || l.event === 'schedule-skipped')),
    );
    await new Promise((r) => setTimeout(r, 4500));
    const runners = all.filter((r) => r.lines().some((l) => l.event === 'import-start' && l.trigger === 'schedule'));
    expect(runners).toHaveLength(1);
    const holder = runners[0];
    for (const r of all.filter((x) => x !== holder))
      expect(r.lines().filter((l) => l.event === 'schedule-skipped').length).toBeGreaterThan(0);
    const health = (await (await fetch(`http://127.0.0.1:${holder.port}/healthz`)).json()) as {
      git: { lease: { held: boolean; holder: string } };
    };
    expect(health.git.lease.held).toBe(true);
    // the holder dies; a new image arrives; another replica takes the lease over once it expired
    holder.kill();
    await holder.exited;
    const v2 = (await pushImage(reg, repos[0], '1.0', { seed: `${repos[0]}-v2` })).digest;
    await until(
      'the new digest on the remote via another replica',
      () => remoteDigest(bare, 'app0.yaml') === v2,
      30_000,
    );
    // (the push is logged just after the remote took it)
    const pushedBy = () => all.filter((r) => r !== holder && r.lines().some((l) => l.event === 'git-push' && l.commit));
    await until('the log line of that push', () => pushedBy().length > 0, 10_000);
    expect(pushedBy()).toHaveLength(1);
    expectNoDuplicates(bare, ['app0.yaml']);
    // a graceful stop gives the lease up: the ref is gone from the remote
    for (const r of all.filter((x) => x !== holder)) expect(await r.stop()).toBe(0);
    expect(sb.tryGit(bare, 'show-ref', '--verify', 'refs/isctl/lease/_all/main').code).not.toBe(0);
  }, 120_000);

  it('SIGKILL mid-commit: the remote is untouched; the next start repairs the clone and pushes the change once', async () => {
    const { repos, bare, url } = await repository(1);
    const dir = path.join(sb.root, `mc-${n++}`);
    const base = sb.git(bare, 'rev-parse', 'main');
    let r = await startReplica('mid-commit', url, dir, ['--webhook-secret-file', secretFile, '--interval', '1h']);
    const marker = path.join(sb.root, `commit-marker-${n++}`);
    fs.writeFileSync(path.join(dir, '.git/hooks/pre-commit'), `#!/bin/sh\ntouch "${marker}"\nsleep 60\n`, {
      mode: 0o755,
    });
    const v2 = (await pushImage(reg, repos[0], '1.0', { seed: `${repos[0]}-v2` })).digest;
    await deliver([r], 0, repos[0]);
    await until('git commit running', () => fs.existsSync(marker), 30_000);
    r.kill();
    await r.exited;
    expect(sb.git(bare, 'rev-parse', 'main')).toBe(base);
    // what the killed run left: the changed file, a temporary index
    expect(sb.git(dir, 'status', '--porcelain')).toBe(' M app0.yaml\n');
    fs.rmSync(path.join(dir, '.git/hooks/pre-commit'));
    r = await startReplica('mid-commit-again', url, dir, ['--webhook-secret-file', secretFile, '--interval', '1h']);
    await deliver([r], 0, repos[0]);
    await r.waitFor('the push', (l) => l.event === 'git-push');
    expect(remoteDigest(bare, 'app0.yaml')).toBe(v2);
    expectNoDuplicates(bare, ['app0.yaml']);
    expect(fs.readdirSync(path.join(dir, '.git')).filter((f) => f.startsWith('isctl-index'))).toEqual([]);
    expectFsckClean(dir);
    expectFsckClean(bare);
    expect(await r.stop()).toBe(0);
  }, 120_000);

  /**
   * A push killed while the remote runs a hook: `hook` is 'pre-receive' (the remote has the pack
   * but has not moved the branch; it then refuses, as it would when the pusher is gone) or
   * 'post-receive' (the branch has moved but the pusher never heard it).
   */
  async function killMidPush(hook: 'pre-receive' | 'post-receive') {
    const { repos, bare, url } = await repository(1);
    const base = sb.git(bare, 'rev-parse', 'main');
    const dir = path.join(sb.root, `mp-${n++}`);
    const marker = path.join(sb.root, `push-marker-${n++}`);
    const release = `${marker}.release`;
    fs.writeFileSync(
      path.join(bare, `hooks/${hook}`),
      // only the branch is held; the lease ref passes
      `#!/bin/sh\ngrep -q ' refs/heads/main$' || exit 0\ntouch "${marker}"\ni=0\n` +
        `while [ ! -e "${release}" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done\n` +
        `touch "${marker}.done"\nexit ${hook === 'pre-receive' ? 1 : 0}\n`,
      { mode: 0o755 },
    );
    let r = await startReplica(`mid-${hook}`, url, dir, ['--webhook-secret-file', secretFile, '--interval', '1h']);
    const v2 = (await pushImage(reg, repos[0], '1.0', { seed: `${repos[0]}-v2` })).digest;
    await deliver([r], 0, repos[0]);
    await until('the push reaching the remote', () => fs.existsSync(marker), 30_000);
    r.kill();
    await r.exited;
    fs.writeFileSync(release, '');
    await until('the hook done', () => fs.existsSync(`${marker}.done`), 30_000);
    fs.rmSync(path.join(bare, `hooks/${hook}`));
    if (hook === 'pre-receive') expect(sb.git(bare, 'rev-parse', 'main')).toBe(base);
    else expect(remoteDigest(bare, 'app0.yaml')).toBe(v2);
    r = await startReplica(`mid-${hook}-again`, url, dir, ['--webhook-secret-file', secretFile, '--interval', '1h']);
    await deliver([r], 0, repos[0]);
    await r.waitFor('the delivery imported', (l) => l.event === 'import' && l.trigger === 'webhook');
    const pushes = r.lines().filter((l) => l.event === 'git-push' && l.commit);
    // refused: the next start pushes the change; taken: it finds the change there and pushes nothing
    expect(pushes).toHaveLength(hook === 'pre-receive' ? 1 : 0);
    expect(remoteDigest(bare, 'app0.yaml')).toBe(v2);
    expectNoDuplicates(bare, ['app0.yaml']);
    expect(sb.git(dir, 'rev-parse', 'HEAD')).toBe(sb.git(bare, 'rev-parse', 'main'));
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
    expectFsckClean(dir);
    expectFsckClean(bare);
    expect(await r.stop()).toBe(0);
  }

  it('SIGKILL mid-push, before the remote moved the branch: the remote is untouched; the next start pushes once', async () => {
    await killMidPush('pre-receive');
  }, 120_000);

  it('SIGKILL mid-push, after the remote moved the branch: the next start makes no second commit', async () => {
    await killMidPush('post-receive');
  }, 120_000);
});
