/**
 * The scheduler lease of `serve --git-push`: one ref on the remote (default
 * `refs/isctl/lease/<namespace>/<branch>`) names the replica that runs the scheduled passes and
 * until when. It points at a commit with an empty tree whose message holds the holder and its
 * renewal time; it changes only by a compare-and-swap push (`--force-with-lease=REF:EXPECTED`),
 * so of two replicas that read the same value, one wins. The holder renews at every pass; a
 * holder that dies stops renewing, and once `renewedAt + duration` has passed any replica may
 * take the lease over. The lease saves duplicate registry traffic only: correctness never depends
 * on it, since every change is pushed by compare-and-swap on the branch itself.
 */
import { GitError } from './errors.js';
import { gitMessage } from './run.js';
import type { Git } from './worktree.js';

/** What the lease commit records. */
export interface LeaseRecord {
  holder: string;
  /** When the holder last renewed it (its own clock). */
  renewedAt: string;
  durationMs: number;
}

/** The state of the lease as one replica sees it. */
export interface LeaseState {
  /** This replica holds the lease now. */
  held: boolean;
  /** The holder named by the remote (undefined when nobody holds it). */
  holder?: string;
  /** When the holder's claim expires. */
  expiresAt?: Date;
}

const TITLE = 'isctl scheduler lease';

/** The commit message of a lease record. */
export function formatLease(r: LeaseRecord): string {
  return `${TITLE}\n\n${JSON.stringify(r)}\n`;
}

/** Reads a lease record from a commit message; undefined when it is not one. */
export function parseLease(message: string): LeaseRecord | undefined {
  const body = message.split('\n').find((l) => l.startsWith('{'));
  if (!message.startsWith(TITLE) || !body) return undefined;
  try {
    const r = JSON.parse(body) as Partial<LeaseRecord>;
    if (typeof r.holder !== 'string' || typeof r.renewedAt !== 'string' || typeof r.durationMs !== 'number')
      return undefined;
    if (Number.isNaN(Date.parse(r.renewedAt))) return undefined;
    return { holder: r.holder, renewedAt: r.renewedAt, durationMs: r.durationMs };
  } catch {
    return undefined;
  }
}

/** When a record's claim ends. */
export function leaseExpiry(r: LeaseRecord): Date {
  return new Date(Date.parse(r.renewedAt) + r.durationMs);
}

/**
 * Whether `me` may write the lease now: it is free (none, unreadable or expired) or already
 * mine; 'held' when another live holder has it.
 */
export function leaseDecision(current: LeaseRecord | undefined, me: string, now: Date): 'free' | 'mine' | 'held' {
  if (!current) return 'free';
  if (current.holder === me) return 'mine';
  return now.getTime() < leaseExpiry(current).getTime() ? 'held' : 'free';
}

/** The default lease ref for a branch and the namespace served (undefined = all). */
export function defaultLeaseRef(branch: string, namespace: string | undefined): string {
  return `refs/isctl/lease/${namespace ?? '_all'}/${branch.replaceAll('/', '%2F')}`;
}

/** How a lease is kept. */
export interface LeaseOptions {
  remote: string;
  ref: string;
  holder: string;
  durationMs: number;
  now: () => Date;
}

/** The lease on one remote, driven through git in a clone. */
export class GitLease {
  private last: string | undefined;

  constructor(
    private readonly git: Git,
    readonly options: LeaseOptions,
  ) {}

  private get seenRef(): string {
    return `refs/isctl/seen/${this.options.ref.replace(/^refs\//, '')}`;
  }

  /** Reads the remote lease: its commit (undefined when absent) and record. */
  private async read(): Promise<{ commit?: string; record?: LeaseRecord }> {
    const { remote, ref } = this.options;
    for (let attempt = 1; ; attempt++) {
      const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${ref}:${this.seenRef}`];
      const f = await this.git.run(args);
      if (f.code === 0) break;
      const ls = await this.git.run(['ls-remote', '--exit-code', remote, ref]);
      if (ls.code === 2) return {};
      // The ref appeared between the fetch and ls-remote (another replica made it): read again.
      if (ls.code === 0 && attempt < 3) continue;
      throw new GitError(
        'Unreachable',
        `cannot read the lease ${ref} from ${remote}: ${gitMessage(ls.code === 0 ? f.stderr : ls.stderr)}`,
        'check that the remote is reachable',
        f.stderr,
      );
    }
    const commit = (await this.git.ok(['rev-parse', '--verify', `${this.seenRef}^{commit}`])).trim();
    const message = await this.git.ok(['log', '-1', '--format=%B', commit]);
    const record = parseLease(message);
    return { commit, ...(record ? { record } : {}) };
  }

  /** Takes or renews the lease if it is free or ours; tells who holds it otherwise. */
  async acquire(): Promise<LeaseState> {
    const { ref, holder, durationMs, now } = this.options;
    const current = await this.read();
    const at = now();
    const decision = leaseDecision(current.record, holder, at);
    if (decision === 'held')
      return { held: false, holder: current.record!.holder, expiresAt: leaseExpiry(current.record!) };
    const record: LeaseRecord = { holder, renewedAt: at.toISOString(), durationMs };
    const tree = (await this.git.ok(['mktree'], { input: '' })).trim();
    const ident = { GIT_AUTHOR_NAME: 'isctl serve', GIT_AUTHOR_EMAIL: 'lease@isctl.invalid' };
    const commit = (
      await this.git.ok(['commit-tree', tree], {
        input: formatLease(record),
        env: { ...ident, GIT_COMMITTER_NAME: ident.GIT_AUTHOR_NAME, GIT_COMMITTER_EMAIL: ident.GIT_AUTHOR_EMAIL },
      })
    ).trim();
    const pushed = await this.casPush(`${commit}:${ref}`, current.commit ?? '');
    if (!pushed) return { held: false };
    this.last = commit;
    return { held: true, holder, expiresAt: leaseExpiry(record) };
  }

  /** Gives the lease up (when stopping), if it is still ours; another replica may take it at once. */
  async release(): Promise<void> {
    if (!this.last) return;
    const last = this.last;
    this.last = undefined;
    await this.casPush(`:${this.options.ref}`, last);
  }

  /** Pushes `refspec` only if the remote ref still holds `expected` ('' = must not exist). */
  private async casPush(refspec: string, expected: string): Promise<boolean> {
    const { remote, ref } = this.options;
    const r = await this.git.run([
      'push',
      '--porcelain',
      '--no-verify',
      `--force-with-lease=${ref}:${expected}`,
      remote,
      refspec,
    ]);
    const line = r.stdout.split('\n').find((l) => l.split('\t')[1]?.endsWith(`:${ref}`));
    if (line) return !line.startsWith('!');
    throw new GitError(
      'Unreachable',
      `cannot write the lease ${ref} to ${remote}: ${gitMessage(r.stderr) || `exit ${r.code}`}`,
      'check that the remote is reachable and accepts pushes to this ref (or pass --lease-ref refs/heads/NAME)',
      r.stderr,
    );
  }
}
