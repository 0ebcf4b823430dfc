/**
 * The Git work tree of a state folder, driven through the `git` command (./run.ts). Commits are
 * built in a temporary index that starts from HEAD, so only the files a command changed go in,
 * whatever else is staged or modified; hooks run as for any `git commit`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { GitError } from './errors.js';
import { gitMessage, runGit, type GitOutput } from './run.js';
import type { GitWorkTree, PushOutcome, RemoteBranch } from './types.js';

/** How the adapter runs git. */
export interface WorkTreeOptions {
  /** The environment git starts from. */
  env: Record<string, string | undefined>;
  /** Time limit of each git command (default 120 s). */
  timeoutMs?: number;
}

/** Folder of the state files the commands never commit (lock, blob store, parse cache). */
const PRIVATE = '.isctl/';

/** Opens the work tree holding `stateDir`; throws GitError 'NotWorkTree' when there is none. */
export async function openWorkTree(stateDir: string, options: WorkTreeOptions): Promise<GitWorkTree> {
  const dir = await fs.realpath(stateDir).catch(() => path.resolve(stateDir));
  const g = new Git(dir, options);
  const r = await g.run([
    'rev-parse',
    '--is-inside-work-tree',
    '--show-toplevel',
    '--show-prefix',
    '--absolute-git-dir',
  ]);
  const lines = r.stdout.split('\n');
  if (r.code !== 0 || lines[0] !== 'true') {
    throw new GitError(
      'NotWorkTree',
      `${stateDir} is not inside a Git work tree`,
      'clone the repository (git clone URL) or create one (git init), or run without --commit',
      r.stderr,
    );
  }
  return new WorkTree(g, lines[1], lines[2], lines[3]);
}

/** Runs git in one folder. */
export class Git {
  constructor(
    readonly cwd: string,
    private readonly options: WorkTreeOptions,
  ) {}

  run(args: string[], extra: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<GitOutput> {
    return runGit(['-c', 'core.quotePath=false', '--literal-pathspecs', ...args], {
      cwd: extra.cwd ?? this.cwd,
      env: this.options.env,
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      ...(extra.input !== undefined ? { input: extra.input } : {}),
      ...(extra.env ? { extraEnv: extra.env } : {}),
    });
  }

  /** Runs git and throws GitError 'Failed' on a non-zero exit. */
  async ok(args: string[], extra: Parameters<Git['run']>[1] = {}, what = `git ${args[0]}`): Promise<string> {
    const r = await this.run(args, extra);
    if (r.code !== 0) throw new GitError('Failed', `${what} failed: ${gitMessage(r.stderr) || `exit ${r.code}`}`);
    return r.stdout;
  }
}

/** The private ref a remote branch is fetched into (never one of the user's own refs). */
function fetchedRef(target: RemoteBranch): string {
  const key = /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(target.remote)
    ? target.remote
    : Buffer.from(target.remote).toString('hex').slice(0, 40);
  return `refs/isctl/fetched/${key}/${target.branch}`;
}

/** What a remote says when its ref moved between the advertisement and the update. */
const RACE = /failed to update ref|failed to lock|cannot lock ref|incorrect old value|stale info/i;

const UNREACHABLE = new RegExp(
  [
    'could not read from remote',
    'unable to access',
    'does not appear to be a git repository',
    'authentication failed',
    'could not resolve host',
    'connection refused',
    'connection timed out',
    'repository .* not found',
    'unable to connect',
    'no such remote',
    'not a valid repository name',
    'early eof',
    'the remote end hung up',
  ].join('|'),
  'i',
);

/** The error for a fetch or push that could not talk to the remote. */
function unreachable(target: RemoteBranch, r: GitOutput, verb: string): GitError {
  const msg = gitMessage(r.stderr) || `exit ${r.code}`;
  return new GitError(
    'Unreachable',
    `cannot ${verb} ${target.remote}: ${msg}`,
    'check the remote URL (git remote -v), the network and the credentials git uses for it',
    r.stderr,
  );
}

class WorkTree implements GitWorkTree {
  readonly root: string;
  readonly prefix: string;
  private readonly gitDir: string;

  constructor(
    private readonly g: Git,
    root: string,
    prefix: string,
    gitDir: string,
  ) {
    this.root = root;
    this.prefix = prefix;
    this.gitDir = gitDir;
  }

  async checkReady(): Promise<void> {
    const names: [string, string][] = [
      ['MERGE_HEAD', 'a merge'],
      ['rebase-merge', 'a rebase'],
      ['rebase-apply', 'a rebase or git am'],
      ['CHERRY_PICK_HEAD', 'a cherry-pick'],
      ['REVERT_HEAD', 'a revert'],
    ];
    for (const [name, what] of names) {
      const exists = await fs
        .stat(path.join(this.gitDir, name))
        .then(() => true)
        .catch(() => false);
      if (exists)
        throw new GitError(
          'OperationInProgress',
          `${what} is in progress in ${this.root}`,
          'finish it or abort it (git status says how) before running with --commit',
        );
    }
  }

  async branch(): Promise<string> {
    const r = await this.g.run(['symbolic-ref', '--quiet', '--short', 'HEAD']);
    if (r.code === 0) return r.stdout.trim();
    const at = (await this.g.run(['rev-parse', '--short', 'HEAD'])).stdout.trim();
    throw new GitError(
      'DetachedHead',
      `HEAD is detached${at ? ` at ${at}` : ''} in ${this.root}: --commit needs a branch to commit on`,
      'switch to a branch (git switch BRANCH, or git switch -c NAME to start one here)',
    );
  }

  async upstream(branch: string): Promise<RemoteBranch | undefined> {
    const out = await this.g.ok([
      'for-each-ref',
      '--format=%(upstream:remotename)%00%(upstream:remoteref)',
      `refs/heads/${branch}`,
    ]);
    const [remote, ref] = out.replace(/\n$/, '').split('\0');
    if (!remote || remote === '.' || !ref?.startsWith('refs/heads/')) return undefined;
    return { remote, branch: ref.slice('refs/heads/'.length) };
  }

  async remotes(): Promise<string[]> {
    return (await this.g.ok(['remote'])).split('\n').filter((l) => l !== '');
  }

  async head(): Promise<string | undefined> {
    const r = await this.g.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  async dirty(): Promise<Set<string>> {
    const out = await this.g.ok(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.'], {
      env: { GIT_OPTIONAL_LOCKS: '0' },
    });
    const fields = out.split('\0');
    const dirty = new Set<string>();
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.length < 4) continue;
      const paths = [f.slice(3)];
      if (f[0] === 'R' || f[0] === 'C') paths.push(fields[++i]);
      for (const p of paths) {
        // porcelain paths are relative to the top of the work tree
        if (!p.startsWith(this.prefix)) continue;
        const rel = p.slice(this.prefix.length);
        if (rel.startsWith(PRIVATE)) continue;
        dirty.add(rel);
      }
    }
    return dirty;
  }

  async commitsNotIn(base: string): Promise<number> {
    if (!(await this.head())) return 0;
    return Number((await this.g.ok(['rev-list', '--count', `${base}..HEAD`])).trim());
  }

  async fetch(target: RemoteBranch): Promise<string | undefined> {
    const ref = fetchedRef(target);
    const branch = `refs/heads/${target.branch}`;
    for (let attempt = 1; ; attempt++) {
      const r = await this.g.run([
        'fetch',
        '--quiet',
        '--no-tags',
        '--no-write-fetch-head',
        target.remote,
        `+${branch}:${ref}`,
      ]);
      if (r.code === 0) break;
      // A missing branch and an unreachable remote both fail the fetch; ls-remote tells them apart.
      const ls = await this.g.run(['ls-remote', '--exit-code', '--heads', target.remote, branch]);
      if (ls.code === 2) {
        await this.g.run(['update-ref', '-d', ref]);
        return undefined;
      }
      // The branch appeared between the fetch and ls-remote (another writer created it): fetch again.
      if (ls.code === 0 && attempt < 3) continue;
      throw unreachable(target, ls.code === 0 ? r : ls, 'fetch from');
    }
    return (await this.g.ok(['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  }

  async moveTo(commit: string, mode: 'keep' | 'discard'): Promise<void> {
    if (mode === 'discard') {
      await this.g.ok(['reset', '--quiet', '--hard', commit], {}, 'git reset --hard');
      await this.g.ok(['clean', '--quiet', '-f', '-d', '-e', '.isctl', '--', '.'], {}, 'git clean');
      return;
    }
    // Files rewritten with the content they had look modified until the index is refreshed.
    await this.g.run(['update-index', '-q', '--refresh']);
    const r = await this.g.run(['reset', '--quiet', '--keep', commit]);
    if (r.code !== 0) {
      throw new GitError(
        'WouldOverwrite',
        `cannot move ${this.root} to ${commit.slice(0, 12)}: ${gitMessage(r.stderr) || 'git reset --keep failed'}`,
        'commit or stash the edits git names, then run again',
        r.stderr,
      );
    }
  }

  private async identityEnv(author: string | undefined): Promise<Record<string, string>> {
    const committer = await this.g.run(['var', 'GIT_COMMITTER_IDENT']);
    const authorIdent = author ? committer : await this.g.run(['var', 'GIT_AUTHOR_IDENT']);
    if (committer.code === 0 && authorIdent.code === 0) return {};
    const m = author ? /^\s*([^<>]*?)\s*<([^<>]*)>\s*$/.exec(author) : null;
    if (!m) {
      throw new GitError(
        'NoIdentity',
        'git does not know who is committing: no user.name and user.email are configured',
        'pass --author "Name <email>", or set them: git config user.name NAME; git config user.email EMAIL',
      );
    }
    // Without a configured identity the author given on the command line commits, too.
    return committer.code === 0 ? {} : { GIT_COMMITTER_NAME: m[1], GIT_COMMITTER_EMAIL: m[2] };
  }

  async commit(paths: string[], message: string, author?: string): Promise<string | undefined> {
    if (paths.length === 0) return undefined;
    const identity = await this.identityEnv(author);
    const head = await this.head();
    const index = path.join(this.gitDir, `isctl-index-${process.pid}-${randomBytes(4).toString('hex')}`);
    const env = { ...identity, GIT_INDEX_FILE: index };
    try {
      await this.g.ok(head ? ['read-tree', head] : ['read-tree', '--empty'], { env }, 'git read-tree');
      const add = await this.g.run(['add', '-A', '--', ...paths], { env });
      if (add.code !== 0)
        throw new GitError(
          'CommitFailed',
          `git add failed: ${gitMessage(add.stderr) || `exit ${add.code}`}`,
          'nothing was committed',
          add.stderr,
        );
      const diff = await this.g.run(['diff', '--cached', '--quiet', ...(head ? [head] : []), '--'], { env });
      if (head && diff.code === 0) return undefined;
      const args = ['commit', '--quiet', '--no-edit', '--cleanup=whitespace', '-F', '-'];
      if (author) args.push(`--author=${author}`);
      const c = await this.g.run(args, { env, input: message });
      if (c.code !== 0) {
        throw new GitError(
          'CommitFailed',
          `git commit failed: ${gitMessage(`${c.stdout}\n${c.stderr}`, 12) || `exit ${c.code}`}`,
          'nothing was committed; fix what the hook or git reports and run again',
          c.stderr,
        );
      }
    } finally {
      await fs.rm(index, { force: true });
      await fs.rm(`${index}.lock`, { force: true });
    }
    // The real index learns the committed content of these paths; everything else in it stays.
    await this.g.ok(['reset', '--quiet', '--', ...paths], {}, 'git reset');
    return (await this.head())!;
  }

  async restore(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    const head = await this.head();
    const known = head
      ? new Set((await this.g.ok(['ls-tree', '-z', '--name-only', head, '--', ...paths])).split('\0').filter(Boolean))
      : new Set<string>();
    // ls-tree names paths relative to the current folder, as they were given.
    const tracked = paths.filter((p) => known.has(p));
    if (tracked.length > 0) await this.g.ok(['checkout', head!, '--', ...tracked], {}, 'git checkout');
    for (const p of paths.filter((x) => !known.has(x))) {
      await fs.rm(path.join(this.g.cwd, p), { force: true });
      await this.g.run(['rm', '--cached', '--quiet', '--ignore-unmatch', '--', p]);
    }
  }

  async push(target: RemoteBranch, options: { lease?: string } = {}): Promise<PushOutcome> {
    const dst = `refs/heads/${target.branch}`;
    const args = ['push', '--porcelain'];
    if (options.lease !== undefined) args.push(`--force-with-lease=${dst}:${options.lease}`);
    args.push(target.remote, `HEAD:${dst}`);
    const r = await this.g.run(args);
    const line = r.stdout.split('\n').find((l) => l.split('\t')[1]?.endsWith(`:${dst}`));
    if (line) {
      const [flag, , summary = ''] = line.split('\t');
      if (flag === '=') return { status: 'pushed', commit: (await this.head())!, upToDate: true };
      if (flag !== '!') return { status: 'pushed', commit: (await this.head())! };
      if (summary.startsWith('[rejected]'))
        return { status: 'rejected', why: summary.replace('[rejected]', '').trim() };
      // Two pushes racing at the remote: the other one updated the branch between the ref
      // advertisement and our update, and the remote's own compare-and-swap refused ours.
      if (RACE.test(summary)) return { status: 'rejected', why: summary.replace('[remote rejected]', '').trim() };
      throw new GitError(
        'PushRefused',
        `${target.remote} refused the push to ${target.branch}: ${summary}${gitMessage(r.stderr) ? `\n${gitMessage(r.stderr)}` : ''}`,
        'the remote (a hook or a branch protection rule) decides; see its message',
        r.stderr,
      );
    }
    if (UNREACHABLE.test(r.stderr) || r.code === 128) throw unreachable(target, r, 'push to');
    throw new GitError('Failed', `git push failed: ${gitMessage(r.stderr) || `exit ${r.code}`}`, undefined, r.stderr);
  }

  async sameChange(a: string, b: string): Promise<boolean> {
    const out = await this.g.run(['rev-parse', `${a}^{tree}`, `${b}^{tree}`, `${a}^`, `${b}^`]);
    if (out.code !== 0) return false;
    const [ta, tb, pa, pb] = out.stdout.trim().split('\n');
    return ta === tb && pa === pb;
  }
}
