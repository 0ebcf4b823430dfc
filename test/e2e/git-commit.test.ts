/**
 * `--commit` / `--push` end to end: the CLI against a real Distribution registry (Debian's
 * docker-registry) and real Git — bare repositories on disk and `git daemon` on 127.0.0.1 for the
 * network path — each with its own HOME and config. Two writers at once are two processes of the
 * built CLI held at a barrier in their pre-push hooks, so both have committed before either pushes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, spawnCli, useCliSnapshot, type CliResult } from '../helpers/index.js';
import { gitSandbox, startGitDaemon, type GitDaemon, type GitSandbox } from '../helpers/git/git.js';
import { freePort, pushImage, startRegistry, type TestRegistry } from '../helpers/registry/index.js';

let snapshot: ReturnType<typeof useCliSnapshot>;
let reg: TestRegistry;
let sb: GitSandbox;
let daemon: GitDaemon;
let served: string;
let n = 0;

beforeAll(async () => {
  snapshot = useCliSnapshot();
  reg = await startRegistry({ mode: 'plain' });
  sb = gitSandbox();
  served = fs.mkdtempSync(path.join(sb.root, 'served-'));
  daemon = await startGitDaemon(sb, served);
}, 180_000);
afterAll(async () => {
  await daemon?.stop();
  await reg?.stop();
  sb?.cleanup();
  snapshot?.remove();
});

/** Runs isctl in-process with the sandbox's HOME and git config. */
const isctl = (argv: string[], o: { env?: Record<string, string> } = {}): Promise<CliResult> =>
  runCli(argv, { cwd: sb.root, env: { ...sb.env, ...o.env } });

function stream(name: string, repo: string): string {
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
`;
}

/** A remote whose state folder has streams `app` and `db`, imported once; `network` serves it over git://. */
async function setup(opts: { network?: boolean } = {}) {
  const id = `s${n++}`;
  await pushImage(reg, `${id}/app`, '1.0', { seed: `${id}-app-1` });
  await pushImage(reg, `${id}/db`, '1.0', { seed: `${id}-db-1` });
  const seed = path.join(sb.root, `${id}-seed`);
  sb.write(seed, {
    'cluster/app.yaml': stream('app', `${id}/app`),
    'cluster/db.yaml': stream('db', `${id}/db`),
    'README.md': 'cluster state\n',
    // isctl's lock, blob store and parse cache: a cache, not state (README "The state folder")
    '.gitignore': '.isctl/\n',
  });
  const first = await isctl(['--dir', path.join(seed, 'cluster'), 'refresh']);
  expect(first.code).toBe(0);
  sb.git(sb.root, 'init', '--quiet', '-b', 'main', seed);
  sb.git(seed, 'add', '-A');
  sb.git(seed, 'commit', '--quiet', '-m', 'initial state');
  const bare = path.join(opts.network ? served : sb.root, `${id}.git`);
  sb.git(sb.root, 'clone', '--quiet', '--bare', seed, bare);
  const url = opts.network ? `${daemon.url}${id}.git` : bare;
  const clone = (k: string) => sb.clone(url, `${id}-${k}`);
  return { id, bare, url, clone };
}

const digestOf = (text: string) => parse(text).status.tags[0].items[0].image as string;
const remoteFile = (bare: string, rel: string, ref = 'main') => sb.git(bare, 'show', `${ref}:${rel}`);
const subjects = (repo: string, ref = 'main') => sb.git(repo, 'log', '--format=%s', ref).trim().split('\n');

/** Runs the built CLI as its own process (killed by PID after 90 s). */
async function cliProcess(args: string[]): Promise<CliResult> {
  const p = spawnCli(args, { cwd: sb.root, env: sb.env });
  const timer = setTimeout(() => process.kill(p.pid, 'SIGKILL'), 90_000);
  try {
    return await p.done;
  } finally {
    clearTimeout(timer);
  }
}

/** A pre-push hook that waits (at most 20 s) until `count` clones have reached it. */
function barrierHook(clones: string[]): void {
  const dir = fs.mkdtempSync(path.join(sb.root, 'barrier-'));
  for (const c of clones) {
    fs.writeFileSync(
      path.join(c, '.git/hooks/pre-push'),
      `#!/bin/sh\ntouch "${dir}/$$"\ni=0\nwhile [ "$(ls "${dir}" | wc -l)" -lt ${clones.length} ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done\nexit 0\n`,
      { mode: 0o755 },
    );
  }
}

describe('refresh --commit', () => {
  it('commits exactly the file it changed, with the moved tag in the message; other edits stay uncommitted', async () => {
    const { id, clone } = await setup();
    const dir = clone('a');
    const v2 = await pushImage(reg, `${id}/app`, '1.0', { seed: `${id}-app-2` });
    const old = digestOf(fs.readFileSync(path.join(dir, 'cluster/app.yaml'), 'utf8'));
    sb.write(dir, { 'README.md': 'edited by hand\n', 'cluster/notes.txt': 'scratch\n' });
    const r = await isctl(['--dir', path.join(dir, 'cluster'), 'refresh', '--commit'], { env: sb.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const head = sb.git(dir, 'rev-parse', 'HEAD').trim();
    expect(r.stdout).toContain(`\ncommitted ${head.slice(0, 12)} on main\n`);
    expect(sb.git(dir, 'show', '--name-only', '--format=%B', 'HEAD')).toBe(
      `isctl refresh: default/app:1.0 → ${v2.digest.slice(0, 19)}\n\ndefault/app:1.0 ${old} → ${v2.digest}\n\n\ncluster/app.yaml\n`,
    );
    expect(sb.git(dir, 'status', '--porcelain')).toBe(' M README.md\n?? cluster/notes.txt\n');
  });

  it('--message-template renders the -o json document; --author sets the author', async () => {
    const { id, clone } = await setup();
    const dir = clone('a');
    const v2 = await pushImage(reg, `${id}/db`, '1.0', { seed: `${id}-db-2` });
    const r = await isctl(
      [
        '--dir',
        path.join(dir, 'cluster'),
        'refresh',
        '--commit',
        '--author',
        'Image Bot <bot@example.invalid>',
        '--message-template',
        'deps: images{"\\n\\n"}{range .outcomes[?(@.status=="changed")]}{.stream}:{.tag}={.newDigest}{"\\n"}{end}',
        '-o',
        'json',
      ],
      { env: sb.env },
    );
    expect(r.code).toBe(0);
    expect(sb.git(dir, 'log', '-1', '--format=%an <%ae>%n%B')).toBe(
      `Image Bot <bot@example.invalid>\ndeps: images\n\ndb:1.0=${v2.digest}\n\n`,
    );
    const out = JSON.parse(r.stdout);
    expect(out.git).toEqual({
      branch: 'main',
      commit: sb.git(dir, 'rev-parse', 'HEAD').trim(),
      pushed: false,
      attempts: 1,
      conflicts: 0,
    });
    expect(out.files).toEqual(['db.yaml']);
  });

  it('nothing changed: no commit', async () => {
    const { clone } = await setup();
    const dir = clone('a');
    const before = sb.git(dir, 'rev-parse', 'HEAD');
    const r = await isctl(['--dir', path.join(dir, 'cluster'), 'refresh', '--commit', '--push'], { env: sb.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to commit\n');
    expect(sb.git(dir, 'rev-parse', 'HEAD')).toBe(before);
  });
});

describe('two refresh --commit --push at once', () => {
  it('over git://: both see the same new digest → one commit on the remote', async () => {
    const { id, url, clone } = await setup({ network: true });
    const [a, b] = [clone('a'), clone('b')];
    barrierHook([a, b]);
    const v2 = await pushImage(reg, `${id}/app`, '1.0', { seed: `${id}-app-2` });
    const [ra, rb] = await Promise.all(
      [a, b].map((d) => cliProcess(['--dir', path.join(d, 'cluster'), 'refresh', '--commit', '--push'])),
    );
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const check = sb.clone(url, `${id}-check`);
    expect(subjects(check)).toEqual([`isctl refresh: default/app:1.0 → ${v2.digest.slice(0, 19)}`, 'initial state']);
    expect(digestOf(fs.readFileSync(path.join(check, 'cluster/app.yaml'), 'utf8'))).toBe(v2.digest);
    // one of them lost the race, ran again on the winner's commit and found nothing left to do
    const out = [ra.stdout, rb.stdout].join('\n');
    expect(out).toContain('nothing to commit: origin main already has this change after 1 rejected push');
    expect([ra.stderr, rb.stderr].join('')).toMatch(/origin main moved \(push rejected .*\); running the change again/);
  });

  it('on disk: they see different streams change → two commits, both changes kept', async () => {
    const { id, bare, clone } = await setup();
    const [a, b] = [clone('a'), clone('b')];
    barrierHook([a, b]);
    const app2 = await pushImage(reg, `${id}/app`, '1.0', { seed: `${id}-app-2` });
    const db2 = await pushImage(reg, `${id}/db`, '1.0', { seed: `${id}-db-2` });
    const [ra, rb] = await Promise.all([
      cliProcess(['--dir', path.join(a, 'cluster'), 'refresh', 'app', '--commit', '--push']),
      cliProcess(['--dir', path.join(b, 'cluster'), 'refresh', 'db', '--commit', '--push']),
    ]);
    expect([ra.code, rb.code, ra.stderr.includes('error'), rb.stderr.includes('error')]).toEqual([0, 0, false, false]);
    const log = subjects(bare);
    expect(log.slice(0, 2).sort()).toEqual([
      `isctl refresh: default/app:1.0 → ${app2.digest.slice(0, 19)}`,
      `isctl refresh: default/db:1.0 → ${db2.digest.slice(0, 19)}`,
    ]);
    expect(log.slice(2)).toEqual(['initial state']);
    expect(digestOf(remoteFile(bare, 'cluster/app.yaml'))).toBe(app2.digest);
    expect(digestOf(remoteFile(bare, 'cluster/db.yaml'))).toBe(db2.digest);
    // the loser's first push left its objects behind as dangling ones: no error, nothing missing
    expect(sb.git(bare, 'fsck', '--no-progress', '--no-dangling')).toBe('');
  });
});

describe('the other commands', () => {
  it('import-image, tag and rollout latest commit what they changed', async () => {
    const { id, bare, clone } = await setup();
    const dir = clone('a');
    const cluster = path.join(dir, 'cluster');
    const web = await pushImage(reg, `${id}/web`, '2.0', { seed: `${id}-web` });
    const imp = await isctl(
      [
        '--dir',
        cluster,
        'import-image',
        'web:2.0',
        '--from',
        `${reg.host}/${id}/web:2.0`,
        '--confirm',
        '--insecure',
        '--push',
      ],
      { env: sb.env },
    );
    expect(imp.code).toBe(0);
    expect(subjects(bare)[0]).toBe(`isctl import-image: default/web:2.0 → ${web.digest.slice(0, 19)}`);
    expect(sb.git(bare, 'show', '--name-status', '--format=', 'main')).toBe(
      'A\tcluster/imagestreams/default/web.yaml\n',
    );
    const tag = await isctl(['--dir', cluster, 'tag', 'web:2.0', 'web:prod', '--push'], { env: sb.env });
    expect(tag.code).toBe(0);
    expect(subjects(bare)[0]).toBe(`isctl tag: default/web:prod → ${web.digest.slice(0, 19)}`);
    sb.write(cluster, {
      'dc.yaml': `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: front
spec:
  template:
    spec:
      containers:
      - name: front
        image: placeholder
  triggers:
  - type: ImageChange
    imageChangeParams:
      containerNames: [front]
      from: { kind: ImageStreamTag, name: "web:prod" }
status:
  latestVersion: 1
`,
    });
    sb.git(dir, 'add', 'cluster/dc.yaml');
    sb.git(dir, 'commit', '--quiet', '-m', 'add dc');
    sb.git(dir, 'push', '--quiet', 'origin', 'main');
    const ro = await isctl(['--dir', cluster, 'rollout', 'latest', 'dc/front', '--push'], { env: sb.env });
    expect(ro.stderr).toBe('');
    expect(ro.code).toBe(0);
    expect(sb.git(bare, 'log', '-1', '--format=%B', 'main')).toBe(
      `isctl rollout latest: deploymentconfig default/front rolled out\n\n` +
        `deploymentconfig default/front rollout 2: front=${reg.host}/${id}/web@${web.digest}\n\n`,
    );
  });

  it('--push-branch pushes base + change to a branch for a pull request; the upstream stays', async () => {
    const { id, bare, clone } = await setup();
    const dir = clone('a');
    await pushImage(reg, `${id}/app`, '1.0', { seed: `${id}-app-2` });
    const r = await isctl(['--dir', path.join(dir, 'cluster'), 'refresh', '--push-branch', 'isctl/refresh'], {
      env: sb.env,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pushed to origin isctl/refresh\n');
    expect(subjects(bare)).toEqual(['initial state']);
    expect(subjects(bare, 'isctl/refresh')).toHaveLength(2);
  });
});

describe('faults: a clear error, exit 1, nothing committed half', () => {
  async function fault(prepare: (dir: string) => void | Promise<void>, args: string[] = ['--commit', '--push']) {
    const { id, bare, clone } = await setup();
    const dir = clone('a');
    await pushImage(reg, `${id}/app`, '1.0', { seed: `${id}-app-2` });
    await prepare(dir);
    const before = { local: sb.tryGit(dir, 'rev-parse', 'HEAD').stdout, remote: sb.git(bare, 'rev-parse', 'main') };
    const r = await isctl(['--dir', path.join(dir, 'cluster'), 'refresh', ...args], {
      env: { ...sb.env, ISCTL_GIT_PUSH_ATTEMPTS: '3', ISCTL_GIT_TIMEOUT: '20' },
    });
    return { r, dir, bare, before, app: () => fs.readFileSync(path.join(dir, 'cluster/app.yaml'), 'utf8') };
  }

  it('not a Git work tree', async () => {
    const { id } = await setup();
    const dir = fs.mkdtempSync(path.join(sb.root, 'plain-'));
    fs.writeFileSync(path.join(dir, 'app.yaml'), stream('app', `${id}/app`));
    const r = await isctl(['--dir', dir, 'refresh', '--commit'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${dir} is not inside a Git work tree\nhint: clone the repository (git clone URL) or create one (git init), or run without --commit\n`,
    );
    expect(fs.readFileSync(path.join(dir, 'app.yaml'), 'utf8')).toBe(stream('app', `${id}/app`));
  });

  it('a detached HEAD', async () => {
    const { r, dir, before, app } = await fault((d) => void sb.git(d, 'switch', '--quiet', '--detach'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: HEAD is detached at [0-9a-f]+ in .*: --commit needs a branch to commit on\nhint: switch to a branch/,
    );
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
    expect(sb.git(dir, 'rev-parse', 'HEAD')).toBe(before.local);
    expect(app()).toBe(sb.git(dir, 'show', 'HEAD:cluster/app.yaml'));
  });

  it('no upstream', async () => {
    const { r, dir } = await fault((d) => void sb.git(d, 'switch', '--quiet', '-c', 'topic'));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: branch topic has no upstream to push to\n' +
        'hint: set one (git branch --set-upstream-to=origin/topic, or git push -u origin topic ' +
        'once), or pass --push-to REMOTE BRANCH\n',
    );
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
  });

  it('a dirty file that must change', async () => {
    const edited = (t: string) => t.replace('name: app\n', 'name: app\n  labels: { team: a }\n');
    const { r, dir, before, app } = await fault((d) =>
      fs.writeFileSync(
        path.join(d, 'cluster/app.yaml'),
        edited(fs.readFileSync(path.join(d, 'cluster/app.yaml'), 'utf8')),
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: cluster/app.yaml has uncommitted edits and would be changed: nothing was written\n' +
        'hint: commit or stash those edits (git stash), or undo them (git restore FILE), then run ' +
        'again\n',
    );
    expect(app()).toBe(edited(sb.git(dir, 'show', 'HEAD:cluster/app.yaml')));
    expect(sb.git(dir, 'rev-parse', 'HEAD')).toBe(before.local);
  });

  it('a push that never succeeds: bounded attempts, then a clear error; the remote never has the change', async () => {
    const { r, bare, before } = await fault((d) => {
      const other = sb.clone(sb.git(d, 'remote', 'get-url', 'origin').trim(), `${path.basename(d)}-rival`);
      // Every push of ours meets a remote that has just moved (a writer that always wins).
      fs.writeFileSync(
        path.join(d, '.git/hooks/pre-push'),
        `#!/bin/sh\ncd "${other}" && unset GIT_DIR GIT_INDEX_FILE && git pull -q --rebase && date ` +
          `+%s%N >> rival.txt && git add rival.txt && git commit -qm rival && git push -q origin ` +
          `main\n`,
        { mode: 0o755 },
      );
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /\nerror: gave up after 3 attempts: origin main kept moving \(last rejection: .*\)\nhint: the change is committed locally as [0-9a-f]{12} but not pushed/,
    );
    expect(r.stderr.match(/running the change again on its head/g)).toHaveLength(2);
    const remote = subjects(bare);
    expect(remote.filter((s) => s.startsWith('isctl'))).toEqual([]);
    expect(remote.filter((s) => s === 'rival')).toHaveLength(3);
    expect(sb.git(bare, 'rev-parse', 'main')).not.toBe(before.remote);
  });

  it('a remote that cannot be reached: nothing written', async () => {
    const port = await freePort();
    const { r, dir, app } = await fault(
      (d) => void sb.git(d, 'remote', 'set-url', 'origin', `git://127.0.0.1:${port}/nowhere.git`),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot fetch from origin: .*\nhint: check the remote URL/s);
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
    expect(app()).toBe(sb.git(dir, 'show', 'HEAD:cluster/app.yaml'));
  });

  it('a commit hook that fails: its message, the files as they were', async () => {
    const { r, dir, before } = await fault(
      (d) =>
        void fs.writeFileSync(
          path.join(d, '.git/hooks/pre-commit'),
          '#!/bin/sh\necho "yamllint: 3:1 error" >&2\nexit 1\n',
          {
            mode: 0o755,
          },
        ),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: git commit failed: yamllint: 3:1 error\nhint: nothing was committed');
    expect(sb.git(dir, 'status', '--porcelain')).toBe('');
    expect(sb.git(dir, 'rev-parse', 'HEAD')).toBe(before.local);
  });

  it('flags that do not fit together are usage errors', async () => {
    const { clone } = await setup();
    const dir = path.join(clone('a'), 'cluster');
    const cases: [string[], string][] = [
      [['--commit', '--dry-run'], '--dry-run writes nothing, so there is nothing to commit'],
      [['--author', 'x <y>'], '--author needs --commit (or --push)'],
      [['--push-to', 'origin'], '--push-to takes two values, REMOTE BRANCH (got 1: origin)'],
      [['--commit', '--author', 'nobody'], 'invalid --author "nobody": use "Name <email>"'],
      [['--push-branch', 'a..b'], 'invalid branch name "a..b"'],
    ];
    for (const [args, message] of cases) {
      const r = await isctl(['--dir', dir, 'refresh', ...args], { env: sb.env });
      expect(r.stderr).toContain(`error: ${message}`);
      expect(r.code).toBeGreaterThan(0);
    }
    expect(sb.git(path.dirname(dir), 'status', '--porcelain')).toBe('');
  });
});
