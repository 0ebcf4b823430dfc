/**
 * What `serve` did since it started, for the status page: the last webhook deliveries and refresh
 * runs (read off the structured log, so the page and the log cannot disagree) and each tag's last
 * import outcome (from the refresh results). Everything is bounded: the lists keep the newest 50,
 * the tag map the newest 50,000 tags, every text at most 500 characters.
 */
import type { RefreshResult, TagRefreshOutcome } from '../../core/refresh.js';
import type { LogFields, Logger } from '../log.js';
import type { Delivery, ImportRun } from './types.js';

const KEEP = 50;
const KEEP_TAGS = 50_000;
const MAX_TEXT = 500;
const MAX_LIST = 20;

/** The last import of one tag by this `serve`. */
export interface TagActivity {
  at: string;
  status: TagRefreshOutcome['status'];
  heldBack: { reason: string; message: string } | null;
}

/** Shortens untrusted text to a bounded length. */
function clip(v: unknown): string {
  const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.slice(0, MAX_LIST).map(clip) : [];
}

/** The key of a tag in the activity map (same as the graph's tag node id). */
export function tagActivityKey(namespace: string, stream: string, tag: string): string {
  return `tag:${namespace}/${stream}:${tag}`;
}

/** Bounded memory of deliveries, runs and per-tag outcomes. */
export class ActivityLog {
  private readonly deliveryList: Delivery[] = [];
  private readonly runList: ImportRun[] = [];
  private readonly tagMap = new Map<string, TagActivity>();
  private lastSchedule: ImportRun | null = null;
  /** Changed tags of the refresh whose `import` log line has not come yet. */
  private pendingChanged: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  private push<T>(target: T[], item: T): void {
    target.unshift(item);
    if (target.length > KEEP) target.length = KEEP;
  }

  /** Newest first. */
  get deliveries(): readonly Delivery[] {
    return this.deliveryList;
  }

  /** Newest first. */
  get imports(): readonly ImportRun[] {
    return this.runList;
  }

  /** The last scheduled run, kept even when 50 webhook runs came after it. */
  get lastScheduledRun(): ImportRun | null {
    return this.lastSchedule;
  }

  /** The last outcome of a tag (key from `tagActivityKey`). */
  tag(key: string): TagActivity | undefined {
    return this.tagMap.get(key);
  }

  /** Records the per-tag outcomes of one refresh run (called with every refresh result). */
  recordRefresh(result: RefreshResult): void {
    const at = this.stamp();
    const changed: string[] = [];
    for (const o of result.outcomes) {
      const key = tagActivityKey(o.namespace, o.stream, o.tag);
      this.tagMap.delete(key); // re-inserted last, so the oldest entries are the ones dropped
      this.tagMap.set(key, {
        at,
        status: o.status,
        heldBack: o.heldBack ? { reason: clip(o.heldBack.reason), message: clip(o.heldBack.message) } : null,
      });
      if (o.status === 'changed' && changed.length < MAX_LIST)
        changed.push(clip(`${o.namespace}/${o.stream}:${o.tag}`));
    }
    while (this.tagMap.size > KEEP_TAGS) this.tagMap.delete(this.tagMap.keys().next().value as string);
    this.pendingChanged = changed;
  }

  /** Takes one structured log event; those the page shows are recorded. */
  observe(level: string, event: string, message: string, fields: LogFields): void {
    if (event === 'delivery') this.delivery(message, fields);
    else if (event === 'import') this.run(fields);
    else if (event === 'import-error') this.failedRun(message, fields);
    else if (event === 'no-match') this.noMatch(fields);
  }

  private delivery(message: string, f: LogFields): void {
    const outcome = clip(f.result);
    const refused = typeof f.status === 'number'; // only refused deliveries log an HTTP status
    const counts = ['queued', 'coalesced', 'duplicate', 'dropped', 'ignored']
      .filter((k) => num(f[k]) > 0)
      .map((k) => `${num(f[k])} ${k}`)
      .join(', ');
    // A refused delivery's reason is the part of the log message after "refused: " (fixed texts
    // from auth.ts, or the JSON parser's complaint for a sender that did authenticate).
    const reason = refused ? message.replace(/^.*? delivery refused: /, '') : counts;
    const at = this.stamp();
    const item: Delivery = {
      at,
      firstAt: at,
      count: 1,
      sender: clip(f.sender),
      repositories: list(f.repositories),
      outcome,
      message: reason ? clip(reason) : null,
    };
    const last = this.deliveryList[0];
    // A push of one image is a burst of deliveries Distribution mostly reports as ignored (its blob
    // uploads): alike deliveries that name no repository share one row, so the rest stays in view.
    if (
      last &&
      item.repositories.length === 0 &&
      last.repositories.length === 0 &&
      last.sender === item.sender &&
      last.outcome === item.outcome &&
      last.message === item.message
    ) {
      last.count++;
      last.at = at;
      return;
    }
    this.push(this.deliveryList, item);
  }

  private run(f: LogFields): void {
    const failed = num(f.failed);
    const run: ImportRun = {
      at: this.stamp(),
      trigger: clip(f.trigger),
      bucket: typeof f.bucket === 'string' && f.bucket !== 'all' ? clip(f.bucket) : null,
      durationMs: typeof f.durationMs === 'number' ? f.durationMs : null,
      tags: num(f.changed) + num(f.unchanged) + failed,
      changed: num(f.changed),
      failed,
      outcome: failed > 0 ? 'failed' : 'ok',
      message: null,
      changedTags: this.pendingChanged,
    };
    this.pendingChanged = [];
    this.push(this.runList, run);
    if (run.trigger === 'schedule') this.lastSchedule = run;
  }

  private failedRun(message: string, f: LogFields): void {
    const run: ImportRun = {
      at: this.stamp(),
      trigger: clip(f.trigger),
      bucket: null,
      durationMs: null,
      tags: 0,
      changed: 0,
      failed: 0,
      outcome: 'error',
      message: clip(message),
      changedTags: [],
    };
    this.pendingChanged = [];
    this.push(this.runList, run);
    if (run.trigger === 'schedule') this.lastSchedule = run;
  }

  private noMatch(f: LogFields): void {
    const where = `${f.registry ? `${clip(f.registry)}/` : ''}${clip(f.repository)}${f.tag ? `:${clip(f.tag)}` : ''}`;
    this.push(this.runList, {
      at: this.stamp(),
      trigger: 'webhook',
      bucket: null,
      durationMs: null,
      tags: 0,
      changed: 0,
      failed: 0,
      outcome: 'no-match',
      message: clip(`no stream tag imports ${where} (${clip(f.sender)} push)`),
      changedTags: [],
    });
  }
}

/** A logger that writes to `inner` and shows every event to `activity`. */
export function observingLogger(inner: Logger, activity: ActivityLog): Logger {
  return {
    log(level, event, message, fields = {}) {
      inner.log(level, event, message, fields);
      activity.observe(level, event, message, fields);
    },
  };
}
