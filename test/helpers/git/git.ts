/**
 * Real Git for tests: every repository lives in a temp folder with its own HOME and global config
 * (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL), so a developer's configuration, hooks or credentials
 * never leak in; `startGitDaemon` serves bare repositories on 127.0.0.1 (git://) for the network
 * path, stopped by PID and killed by the kernel if the test process dies.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../registry/registry.js';

/** An isolated Git world: HOME, config and folders of its own. */
export interface GitSandbox {
  /** Temp folder holding everything. */
  root: string;
  /** Environment for git and isctl (HOME, GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL, PATH). */
  env: Record<string, string>;
  /** Runs git in `cwd`; returns stdout (throws with stderr on failure). */
  git(cwd: string, ...args: string[]): string;
  /** Like git(), but returns the exit code and output instead of throwing. */
  tryGit(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string };
  /** Creates a bare repository `name.git` with branch main holding `files`; returns its path. */
  bare(name: string, files?: Record<string, string>): string;
  /** Clones `url` into `name`; returns the clone's path. */
  clone(url: string, name: string): string;
  /** Writes files under `dir`. */
  write(dir: string, files: Record<string, string>): void;
  cleanup(): void;
}

/** Creates a Git sandbox. */
export function gitSandbox(prefix = 'isctl-git-'): GitSandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  const globalConfig = path.join(home, '.gitconfig');
  fs.writeFileSync(
    globalConfig,
    '[user]\n\tname = isctl test\n\temail = test@isctl.invalid\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n',
  );
  const env: Record<string, string> = {
    HOME: home,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: globalConfig,
    XDG_CONFIG_HOME: path.join(home, '.config'),
  };
  const tryGit = (cwd: string, ...args: string[]) => {
    try {
      const stdout = execFileSync('git', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      return { code: 0, stdout, stderr: '' };
    } catch (err) {
      const e = err as { status?: number; stdout?: string; stderr?: string };
      return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const git = (cwd: string, ...args: string[]) => {
    const r = tryGit(cwd, ...args);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  const write = (dir: string, files: Record<string, string>) => {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
  };
  return {
    root,
    env,
    git,
    tryGit,
    write,
    bare(name, files = { 'README.md': 'state\n' }) {
      const bare = path.join(root, `${name}.git`);
      git(root, 'init', '--quiet', '--bare', '-b', 'main', bare);
      const seed = path.join(root, `.seed-${name}`);
      git(root, 'init', '--quiet', '-b', 'main', seed);
      write(seed, files);
      git(seed, 'add', '-A');
      git(seed, 'commit', '--quiet', '-m', 'initial state');
      git(seed, 'push', '--quiet', bare, 'main');
      fs.rmSync(seed, { recursive: true, force: true });
      return bare;
    },
    clone(url, name) {
      const dir = path.join(root, name);
      git(root, 'clone', '--quiet', url, dir);
      return dir;
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A running `git daemon`. */
export interface GitDaemon {
  /** `git://127.0.0.1:PORT/` — append a repository folder name. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const daemons = new Set<ChildProcess>();
process.on('exit', () => {
  for (const d of daemons) if (d.pid) killQuietly(d.pid);
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Serves the bare repositories under `base` over git:// on 127.0.0.1 with pushes allowed. The
 * daemon lives at most `lifetimeS` seconds (timeout), and dies with the test process: each of
 * setpriv → timeout → setpriv → git daemon is killed by the kernel when its parent dies, so
 * killing the PID we hold (timeout's) takes the daemon with it.
 */
export async function startGitDaemon(sandbox: GitSandbox, base: string, lifetimeS = 900): Promise<GitDaemon> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'setpriv',
      [
        '--pdeathsig',
        'KILL',
        'timeout',
        '-s',
        'KILL',
        String(lifetimeS),
        'setpriv',
        '--pdeathsig',
        'KILL',
        'git',
        'daemon',
        '--reuseaddr',
        '--listen=127.0.0.1',
        `--port=${port}`,
        `--base-path=${base}`,
        '--export-all',
        '--enable=receive-pack',
        '--informative-errors',
        base,
      ],
      { env: sandbox.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    daemons.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const up = await waitForPort(port, 10_000, () => child.exitCode !== null);
    if (up) {
      return {
        url: `git://127.0.0.1:${port}/`,
        pid: child.pid!,
        async stop() {
          daemons.delete(child);
          if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
          await exited;
        },
      };
    }
    daemons.delete(child);
    if (child.exitCode === null) process.kill(child.pid!, 'SIGKILL');
    await exited;
    if (attempt >= 3) throw new Error(`git daemon did not start: ${stderr}`);
  }
}

async function waitForPort(port: number, ms: number, dead: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end && !dead()) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
