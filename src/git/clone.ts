/**
 * The clone `serve --git-push` works in, made ready at start: cloned when missing, repaired when
 * a killed run left lock files behind, re-cloned when git cannot read it any more. Only a clone
 * that belongs to serve is ever repaired by force: one with uncommitted changes that was never
 * marked as serve's (`git config isctl.serve true`) is refused, so a developer's work tree is
 * never reset.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GitError } from './errors.js';
import { gitMessage, runGit } from './run.js';
import type { GitWorkTree } from './types.js';
import { Git, openWorkTree, type WorkTreeOptions } from './worktree.js';

/** How the clone is found or made. */
export interface CloneOptions extends WorkTreeOptions {
  /** Clone from here when the folder does not exist or is empty (and when re-cloning). */
  url?: string;
  /** Told what was repaired (for logs). */
  log?: (event: string, message: string, fields?: Record<string, unknown>) => void;
}

/** A clone ready for work. */
export interface PreparedClone {
  tree: GitWorkTree;
  git: Git;
  /** Lock files and temporary indexes removed. */
  removed: string[];
  /** The clone was made (or made again) now. */
  cloned: boolean;
}

const CONFIG_KEY = 'isctl.serve';

async function exists(p: string): Promise<boolean> {
  return fs
    .lstat(p)
    .then(() => true)
    .catch(() => false);
}

/** The folder holding `.git` at or above `dir`, if any. */
async function findTop(dir: string): Promise<string | undefined> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (await exists(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Lock files and temporary indexes a killed git (or isctl) leaves in a .git folder. */
async function staleFiles(gitDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth === 0 && e.name === 'objects') continue;
        if (depth < 12) await walk(p, depth + 1);
      } else if (e.name.endsWith('.lock') || (depth === 0 && e.name.startsWith('isctl-index-'))) out.push(p);
    }
  };
  await walk(gitDir, 0);
  return out;
}

async function clone(url: string, top: string, branch: string | undefined, o: CloneOptions): Promise<void> {
  const args = ['clone', '--quiet', '--no-tags', ...(branch ? ['--branch', branch] : []), url, top];
  const r = await runGit(args, {
    cwd: path.dirname(top),
    env: o.env,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  });
  if (r.code !== 0)
    throw new GitError(
      'Unreachable',
      `cannot clone ${url}: ${gitMessage(r.stderr) || `exit ${r.code}`}`,
      'check the URL, the network and the credentials git uses for it',
      r.stderr,
    );
  await runGit(['config', CONFIG_KEY, 'true'], { cwd: top, env: o.env });
}

/** Whether the clone answers the questions every pass asks (HEAD, its tree, the index). */
async function healthy(git: Git): Promise<string | undefined> {
  for (const args of [
    ['rev-parse', '--verify', 'HEAD^{commit}'],
    ['cat-file', '-e', 'HEAD^{tree}'],
    ['symbolic-ref', '--quiet', 'HEAD'],
    ['status', '--porcelain', '--untracked-files=no'],
  ]) {
    const r = await git.run(args);
    if (r.code !== 0) return `git ${args[0]}: ${gitMessage(r.stderr) || `exit ${r.code}`}`;
  }
  return undefined;
}

/** Reads what a damaged clone still says about where it came from, straight from its files. */
async function origin(top: string, env: CloneOptions['env']): Promise<{ url?: string; branch?: string }> {
  const head = await fs.readFile(path.join(top, '.git', 'HEAD'), 'utf8').catch(() => '');
  const branch = /^ref: refs\/heads\/(.+)\s*$/.exec(head)?.[1];
  const remoteName = branch
    ? (
        await runGit(['config', '--file', path.join(top, '.git', 'config'), `branch.${branch}.remote`], {
          cwd: top,
          env,
        })
      ).stdout.trim() || 'origin'
    : 'origin';
  const url = (
    await runGit(['config', '--file', path.join(top, '.git', 'config'), `remote.${remoteName}.url`], { cwd: top, env })
  ).stdout.trim();
  return { ...(url ? { url } : {}), ...(branch ? { branch } : {}) };
}

/** Finds, repairs or (re-)clones the clone holding `stateDir`. */
export async function prepareClone(stateDir: string, o: CloneOptions): Promise<PreparedClone> {
  const log = o.log ?? (() => undefined);
  const dir = path.resolve(stateDir);
  const top = await findTop(dir);
  if (!top) {
    const empty = !(await exists(dir)) || (await fs.readdir(dir)).length === 0;
    if (!o.url || !empty)
      throw new GitError(
        'NotWorkTree',
        `${stateDir} is not inside a Git clone`,
        o.url
          ? 'pass an empty or missing folder to clone into, or an existing clone'
          : 'clone the repository first (git clone URL DIR), or pass --git-url URL to let serve clone it',
      );
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await clone(o.url, dir, undefined, o);
    log('git-clone', `cloned ${o.url}`, { dir });
    const git = new Git(dir, o);
    return { tree: await openWorkTree(dir, o), git, removed: [], cloned: true };
  }
  const git = new Git(top, o);
  const gitDir = path.join(top, '.git');
  // Read from the file itself: a clone too damaged for git to open still says whose it is.
  const owned =
    (await git.run(['config', '--file', path.join(gitDir, 'config'), '--bool', CONFIG_KEY])).stdout.trim() === 'true';
  const removed: string[] = [];
  if (
    owned &&
    (await fs
      .stat(gitDir)
      .then((s) => s.isDirectory())
      .catch(() => false))
  ) {
    // serve is the only one working in its clone: a lock found at start was left by a killed run.
    for (const f of await staleFiles(gitDir)) {
      await fs.rm(f, { force: true });
      removed.push(path.relative(top, f));
    }
    if (removed.length > 0) log('git-repair', 'removed what a killed run left in the clone', { files: removed });
  }
  let problem = await healthy(git);
  if (problem && owned && /index/.test(problem)) {
    // An unreadable index is rebuilt from HEAD.
    await fs.rm(path.join(gitDir, 'index'), { force: true });
    await git.run(['reset', '--quiet']);
    problem = await healthy(git);
  }
  if (problem) {
    const from = await origin(top, o.env);
    const url = o.url ?? from.url;
    if (!owned && !o.url)
      throw new GitError('Failed', `the clone ${top} is damaged (${problem})`, 'repair it, or clone it again');
    if (!url)
      throw new GitError(
        'Failed',
        `the clone ${top} is damaged (${problem}) and names no remote to clone again from`,
        'pass --git-url URL',
      );
    const aside = `${top}.damaged-${process.pid}-${Date.now()}`;
    await fs.rename(top, aside);
    log('git-reclone', `the clone was damaged (${problem}); cloning it again`, { url, damaged: aside });
    await clone(url, top, from.branch, o);
    await fs.rm(aside, { recursive: true, force: true });
    return { tree: await openWorkTree(dir, o), git: new Git(top, o), removed, cloned: true };
  }
  const tree = await openWorkTree(dir, o);
  if (!owned) {
    const dirty = await tree.dirty();
    if (dirty.size > 0)
      throw new GitError(
        'DirtyFile',
        `${top} has uncommitted changes (${[...dirty]
          .slice(0, 3)
          .map((f) => `${tree.prefix}${f}`)
          .join(
            ', ',
          )}${dirty.size > 3 ? ', …' : ''}); serve --git-push resets its clone to the remote before every pass`,
        'give serve a clone of its own (git clone URL DIR), or commit or stash these changes',
      );
    await git.ok(['config', CONFIG_KEY, 'true']);
  }
  return { tree, git, removed, cloned: false };
}
