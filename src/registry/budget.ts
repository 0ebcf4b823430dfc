/**
 * The registry budget of one ImageSource: every HTTP exchange made for a registry, by kind, and
 * the rate-limit headers its answers carried (Docker Hub sends `ratelimit-limit: 100;w=21600` and
 * `ratelimit-remaining: 76;w=21600` on manifest requests; the IETF RateLimit header draft uses the
 * same names). Each exchange counts once: a retry, the second try after a 401, a redirect hop (to
 * blob storage, say) and a token request to the registry's realm are requests made for that
 * registry. An exchange that got no answer (a refused connection, the HTTPS probe of a plain-HTTP
 * registry) is not counted: the server never saw a request.
 */
import type { RegistryRequests, RequestKind } from './types.js';

/** Who a request is for and what it asks, as the budget counts it. */
export interface RequestAccount {
  /** The registry host the request is made for (a mirror's host when a mirror is asked). */
  registry: string;
  kind: RequestKind;
}

const KINDS: RequestKind[] = ['headManifest', 'getManifest', 'getBlob', 'tagsList', 'token', 'signature'];

interface Entry {
  byKind: Record<string, number>;
  total: number;
  rateLimit?: { limit?: string; remaining?: string; reset?: string; quota: number };
}

/** Counts requests per registry and keeps the lowest rate-limit quota any answer reported. */
export class RequestBudget {
  private readonly entries = new Map<string, Entry>();

  /**
   * One exchange answered with `headers`. Rate-limit headers are read only from the registry's
   * own answers (`fromRegistry`): a token realm or a storage host that a redirect led to has its
   * own limits.
   */
  count(account: RequestAccount, headers: Record<string, string>, fromRegistry: boolean): void {
    let e = this.entries.get(account.registry);
    if (!e) {
      e = { byKind: Object.fromEntries(KINDS.map((k) => [k, 0])), total: 0 };
      this.entries.set(account.registry, e);
    }
    e.byKind[account.kind] = (e.byKind[account.kind] ?? 0) + 1;
    e.total++;
    if (!fromRegistry || account.kind === 'token') return;
    const limit = headers['ratelimit-limit'];
    const remaining = headers['ratelimit-remaining'];
    if (limit === undefined && remaining === undefined) return;
    // Answers arrive concurrently and out of order: the smallest remaining quota is the newest
    // state of a window (and the one that matters to whoever plans the next run).
    const quota = remaining === undefined ? Number.POSITIVE_INFINITY : leadingNumber(remaining);
    if (e.rateLimit && quota > e.rateLimit.quota) return;
    const reset = headers['ratelimit-reset'];
    e.rateLimit = {
      ...(limit !== undefined ? { limit } : {}),
      ...(remaining !== undefined ? { remaining } : {}),
      ...(reset !== undefined ? { reset } : {}),
      quota,
    };
  }

  /** The counts so far, one entry per registry, sorted by host. */
  report(): RegistryRequests[] {
    return [...this.entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([registry, e]) => {
        const rl = e.rateLimit;
        return {
          registry,
          requests: e.total,
          byKind: { ...e.byKind } as RegistryRequests['byKind'],
          ...(rl
            ? {
                rateLimit: {
                  ...(rl.limit !== undefined ? { limit: rl.limit } : {}),
                  ...(rl.remaining !== undefined ? { remaining: rl.remaining } : {}),
                  ...(rl.reset !== undefined ? { reset: rl.reset } : {}),
                },
              }
            : {}),
        };
      });
  }
}

/** `76;w=21600` → 76; a value that does not start with a number sorts last. */
function leadingNumber(v: string): number {
  const m = /^\s*(\d+)/.exec(v);
  return m ? Number(m[1]) : Number.POSITIVE_INFINITY;
}
