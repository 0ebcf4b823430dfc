// serve --git-push: the time from a registry push to the commit on the remote branch, with one
// and with three replicas. Everything runs on 127.0.0.1: Debian's docker-registry, `git daemon`
// serving a bare repository (the remote), and `isctl serve --git-push` replicas, each in a clone
// of its own, receiving the Distribution notification of each push (round-robin, as a load
// balancer would). Git runs with a HOME and global config of its own. Processes are stopped by PID
// and die with the benchmark (pdeathsig).
//
//   node bench/gitops.mjs            # BENCH_GIT_REPLICAS=1,3 BENCH_GIT_ROUNDS=12 BENCH_GIT_STREAMS=5
//
// Two scenarios per replica count:
// - sequential: one push at a time (a stream chosen round-robin); latency = the remote branch
//   has the new digest − the registry accepted the manifest.
// - burst: a new image in every stream at once, one delivery each, spread over the replicas;
//   time until the first and the last digest is on the remote, commits made, rejected pushes.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ISCTL, machine, median, saveResults } from './lib/measure.mjs';
import { freePort, startRegistry } from './lib/registry.mjs';
import { seed } from './lib/seed.mjs';

const REPLICAS = (process.env.BENCH_GIT_REPLICAS ?? '1,3').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_GIT_ROUNDS ?? 12);
const STREAMS = Number(process.env.BENCH_GIT_STREAMS ?? 5);
const SECRET = 'bench-only-webhook-secret';

const work = mkdtempSync(path.join(os.tmpdir(), 'isctl-bench-git-'));
const home = path.join(work, 'home');
mkdirSync(home);
writeFileSync(
  path.join(home, '.gitconfig'),
  '[user]\n\tname = isctl bench\n\temail = bench@isctl.invalid\n[init]\n\tdefaultBranch = main\n',
);
const env = {
  PATH: process.env.PATH,
  HOME: home,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'),
  NO_COLOR: '1',
};
const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const children = new Set();
const stopAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.on('exit', () => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

function spawnTracked(cmd, args, opts) {
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', cmd, ...args], { env, ...opts });
  children.add(child);
  return child;
}

async function waitFor(what, cond, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function stream(name, host, repo) {
  return [
    'apiVersion: image.openshift.io/v1',
    'kind: ImageStream',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  tags:',
    '  - name: "1.0"',
    '    from:',
    '      kind: DockerImage',
    `      name: ${host}/${repo}:1.0`,
    '    importPolicy:',
    '      insecure: true',
    '',
  ].join('\n');
}

/** A remote holding STREAMS streams imported at revision 1, served by git daemon. */
async function makeRemote(reg, daemonBase, id) {
  const repos = Array.from({ length: STREAMS }, (_, i) => `bench-git/${id}-s${i}`);
  await seed(
    reg.url,
    repos.map((repo) => ({ repo, tags: ['1.0'], revision: 1 })),
  );
  const seedDir = path.join(work, `${id}-seed`);
  mkdirSync(seedDir);
  writeFileSync(path.join(seedDir, '.gitignore'), '.isctl/\n');
  repos.forEach((repo, i) => writeFileSync(path.join(seedDir, `s${i}.yaml`), stream(`s${i}`, reg.host, repo)));
  execFileSync(process.execPath, [ISCTL, '--dir', seedDir, 'refresh'], { env, stdio: 'ignore' });
  git(work, 'init', '--quiet', '-b', 'main', seedDir);
  git(seedDir, 'add', '-A');
  git(seedDir, 'commit', '--quiet', '-m', 'initial state');
  const bare = path.join(daemonBase, `${id}.git`);
  git(work, 'clone', '--quiet', '--bare', seedDir, bare);
  return { repos, bare, name: `${id}.git` };
}

async function startDaemon(base) {
  const port = await freePort();
  const child = spawnTracked(
    'git',
    [
      'daemon',
      '--reuseaddr',
      '--listen=127.0.0.1',
      `--port=${port}`,
      `--base-path=${base}`,
      '--export-all',
      '--enable=receive-pack',
      base,
    ],
    { stdio: 'ignore' },
  );
  const url = `git://127.0.0.1:${port}/`;
  await waitFor(
    'git daemon',
    () =>
      new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      }),
  );
  return { url, child };
}

async function startReplica(url, dir) {
  const port = await freePort();
  const secretFile = path.join(work, 'secret');
  writeFileSync(secretFile, SECRET);
  const child = spawnTracked(
    process.execPath,
    [
      ISCTL,
      'serve',
      '--git-push',
      '--git-url',
      url,
      '--dir',
      dir,
      '--listen',
      `127.0.0.1:${port}`,
      '--webhook-secret-file',
      secretFile,
      '--interval',
      '1h',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  await waitFor('serve start', async () => log.includes('"event":"start"'));
  return { port, child, log: () => log };
}

async function deliver(replica, host, repo) {
  const body = JSON.stringify({
    events: [
      {
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        action: 'push',
        target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', repository: repo, tag: '1.0' },
        request: { id: randomUUID(), host, method: 'PUT', useragent: 'bench' },
      },
    ],
  });
  const res = await fetch(`http://127.0.0.1:${replica.port}/webhooks/distribution`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${SECRET}`, 'Content-Type': 'application/json' },
    body,
  });
  if (res.status !== 202) throw new Error(`delivery answered ${res.status}`);
}

/** The commit main names, read from the bare repository's ref file (no process per poll). */
function mainOf(bare) {
  const loose = path.join(bare, 'refs/heads/main');
  if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
  return git(bare, 'rev-parse', 'main').trim();
}

function remoteDigest(bare, file) {
  const text = git(bare, 'show', `main:${file}`);
  return /image: (sha256:[0-9a-f]{64})/.exec(text)?.[1];
}

function metric(text, name) {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm');
  let sum = 0;
  for (const x of text.matchAll(m)) sum += Number(x[1]);
  return sum;
}

async function scenario(reg, daemon, base, replicas) {
  const id = `n${replicas}-${Date.now().toString(36)}`;
  const remote = await makeRemote(reg, base, id);
  const url = `${daemon.url}${remote.name}`;
  const all = [];
  for (let i = 0; i < replicas; i++) all.push(await startReplica(url, path.join(work, `${id}-replica-${i}`)));
  let revision = 1;
  const sequential = [];
  for (let round = 0; round < ROUNDS; round++) {
    const k = round % STREAMS;
    const [pushed] = await seed(reg.url, [{ repo: remote.repos[k], tags: ['1.0'], revision: ++revision }]);
    const t0 = performance.now();
    await deliver(all[round % replicas], reg.host, remote.repos[k]);
    let seen = mainOf(remote.bare);
    await waitFor('the digest on the remote', async () => {
      const now = mainOf(remote.bare);
      if (now === seen) return false;
      seen = now;
      return remoteDigest(remote.bare, `s${k}.yaml`) === pushed.digest;
    });
    sequential.push(+(performance.now() - t0).toFixed(1));
  }
  // burst: every stream at once
  const before = git(remote.bare, 'rev-list', '--count', 'main').trim();
  const pushed = await seed(
    reg.url,
    remote.repos.map((repo) => ({ repo, tags: ['1.0'], revision: ++revision })),
  );
  const t0 = performance.now();
  await Promise.all(remote.repos.map((repo, k) => deliver(all[k % replicas], reg.host, repo)));
  let first;
  let seen = '';
  await waitFor(
    'every digest of the burst on the remote',
    async () => {
      const now = mainOf(remote.bare);
      if (now === seen) return false;
      seen = now;
      const done = remote.repos.filter((_, k) => remoteDigest(remote.bare, `s${k}.yaml`) === pushed[k].digest).length;
      if (done > 0 && first === undefined) first = performance.now() - t0;
      return done === remote.repos.length;
    },
    120_000,
  );
  const last = performance.now() - t0;
  const commits = Number(git(remote.bare, 'rev-list', '--count', 'main').trim()) - Number(before);
  const metrics = await Promise.all(all.map(async (r) => (await fetch(`http://127.0.0.1:${r.port}/metrics`)).text()));
  for (const r of all) {
    r.child.kill('SIGTERM');
    await new Promise((res) => (r.child.exitCode !== null ? res() : r.child.once('exit', res)));
  }
  const sorted = [...sequential].sort((a, b) => a - b);
  return {
    replicas,
    streams: STREAMS,
    sequential: {
      rounds: ROUNDS,
      medianMs: +median(sequential).toFixed(1),
      p90Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))],
      minMs: sorted[0],
      maxMs: sorted[sorted.length - 1],
      allMs: sequential,
    },
    burst: {
      pushes: STREAMS,
      firstMs: +first.toFixed(1),
      lastMs: +last.toFixed(1),
      commits,
      conflicts: metrics.reduce((s, m) => s + metric(m, 'isctl_git_push_conflicts_total'), 0),
      retries: metrics.reduce((s, m) => s + metric(m, 'isctl_git_push_retries_total'), 0),
    },
  };
}

const reg = await startRegistry();
const base = path.join(work, 'served');
mkdirSync(base);
const daemon = await startDaemon(base);
const results = [];
try {
  for (const n of REPLICAS) {
    const r = await scenario(reg, daemon, base, n);
    results.push(r);
    const { sequential: q, burst: b } = r;
    console.log(
      `${n} replica(s): push → commit on the remote median ${q.medianMs} ms (p90 ${q.p90Ms}, ${q.rounds} pushes); ` +
        `burst of ${b.pushes}: first ${b.firstMs} ms, last ${b.lastMs} ms, ${b.commits} commits, ${b.conflicts} rejected pushes`,
    );
  }
} finally {
  reg.stop();
  stopAll();
}
const file = saveResults('gitops', {
  machine: { ...machine(), git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim() },
  settings: { replicas: REPLICAS, rounds: ROUNDS, streams: STREAMS, settleMs: 1000 },
  results,
});
console.log(file);
