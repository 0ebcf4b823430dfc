/**
 * The single worker of `serve`: it takes push events from the bounded queue and scheduled buckets
 * from the scheduler and runs one `refresh` at a time (the state store serialises writers anyway;
 * one worker keeps a burst from fanning out into parallel registry traffic). Webhook work goes
 * first so a push is picked up within seconds.
 */
import type { RefreshResult, RefreshSelection } from '../core/refresh.js';
import type { PushEvent, Sender } from './events.js';
import { CoalescingQueue, type OfferResult } from './queue.js';
import { eventKey, matchPushEvents, tagKey, type StreamView } from './matcher.js';
import { bucketOf } from './interval.js';
import type { Logger } from './log.js';
import type { ServeMetrics } from './telemetry.js';

/** Runs one refresh over a selection (core `refresh` bound to its context). */
export type RefreshFn = (selection: RefreshSelection) => Promise<RefreshResult>;

/** What the importer needs from outside. */
export interface ImporterDeps {
  refresh: RefreshFn;
  /** Streams to match push events against (read fresh for every batch). */
  listStreams: () => Promise<StreamView[]>;
  logger: Logger;
  metrics: ServeMetrics;
  /** Namespace to work in; undefined = every namespace of the folder. */
  namespace?: string;
  queueDepth?: number;
  /**
   * How long the first push of a batch waits for more before the import starts (default 1 s):
   * a push reaches serve as several deliveries within milliseconds, and a burst collapses into
   * one import instead of one per arrival.
   */
  settleMs?: number;
  /** Called after every refresh run (e.g. `--on-build` commands for triggered BuildConfigs). */
  afterImport?: (result: RefreshResult, trigger: string) => Promise<void>;
  /**
   * Asked before each scheduled pass; false leaves the pass to another replica (the holder of
   * the scheduler lease of `serve --git-push`).
   */
  claimSchedule?: () => Promise<boolean>;
}

/** A queued push with the sender it came from (for logs). */
interface QueuedPush {
  event: PushEvent;
  sender: Sender;
  /** Failed refresh runs this push was part of (a lock timeout or I/O error is retried). */
  attempts?: number;
}

/** Refresh runs a push may fail with (thrown errors, not per-tag failures) before it is given up. */
const MAX_ATTEMPTS = 3;

/** Serialises webhook-driven and scheduled refreshes. */
export class Importer {
  readonly queue: CoalescingQueue<QueuedPush>;
  private readonly buckets: { bucket: number; of: number }[] = [];
  private wake: (() => void) | undefined;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private busy = false;
  private onStop: (() => void) | undefined;

  constructor(private readonly deps: ImporterDeps) {
    this.queue = new CoalescingQueue<QueuedPush>(deps.queueDepth ?? 1000);
  }

  /** Offers a push event; repeats of the same repository and tag coalesce while they wait. */
  enqueue(event: PushEvent, sender: Sender): OfferResult {
    if (this.stopping) return 'dropped';
    const result = this.queue.offer(eventKey(event), { event, sender });
    if (result === 'dropped') {
      this.deps.metrics.queueDropped(sender);
      this.deps.logger.log('warn', 'queue-full', 'import queue is full; push event dropped', {
        sender,
        repository: event.repository,
        tag: event.tag,
        depth: this.queue.depth,
      });
    }
    this.notify();
    return result;
  }

  /** Asks for a scheduled refresh of one bucket of streams (ignored when that bucket is already waiting). */
  scheduleBucket(bucket: number, of: number): void {
    if (this.stopping || this.buckets.some((b) => b.bucket === bucket && b.of === of)) return;
    this.buckets.push({ bucket, of });
    this.notify();
  }

  /** Starts the worker loop. */
  start(): void {
    this.loopDone ??= this.loop();
  }

  /** True while a refresh runs. */
  get importing(): boolean {
    return this.busy;
  }

  /** Stops taking work and resolves once the refresh in progress (if any) has finished writing. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.onStop?.();
    this.notify();
    await this.loopDone;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      if (this.queue.depth > 0) {
        await this.settle();
        if (this.stopping) break; // no new import once stopping; what waits is logged below
        const batch = this.queue.drain();
        const ok = await this.guard('webhook', () => this.runWebhookBatch(batch));
        if (!ok) this.retry(batch);
      } else if (this.buckets.length > 0) {
        const b = this.buckets.shift()!;
        await this.guard('schedule', () => this.runBucket(b.bucket, b.of));
      } else await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const left = this.queue.drain().length;
    if (left > 0)
      this.deps.logger.log('warn', 'shutdown', 'push events not imported because serve is stopping', { count: left });
  }

  private async settle(): Promise<void> {
    const ms = this.deps.settleMs ?? 1000;
    if (ms <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      this.onStop = resolve;
    });
    clearTimeout(timer);
    this.onStop = undefined;
  }

  /** Runs one refresh job; false when it threw (logged and counted). */
  private async guard(trigger: string, run: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    try {
      await run();
      return true;
    } catch (err) {
      this.deps.metrics.importFailure(trigger, 'error');
      this.deps.logger.log('error', 'import-error', `refresh failed: ${(err as Error)?.message ?? String(err)}`, {
        trigger,
      });
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Puts the pushes of a failed run back (a held lock or an I/O error may pass), up to MAX_ATTEMPTS runs. */
  private retry(batch: QueuedPush[]): void {
    for (const item of batch) {
      const attempts = (item.attempts ?? 0) + 1;
      if (attempts >= MAX_ATTEMPTS || this.stopping) {
        this.deps.logger.log('error', 'push-dropped', 'push event not imported after repeated failures', {
          sender: item.sender,
          repository: item.event.repository,
          tag: item.event.tag,
          attempts,
        });
        continue;
      }
      this.queue.offer(eventKey(item.event), { ...item, attempts });
    }
  }

  private async runWebhookBatch(batch: QueuedPush[]): Promise<void> {
    const streams = await this.deps.listStreams();
    const scoped =
      this.deps.namespace === undefined ? streams : streams.filter((s) => s.namespace === this.deps.namespace);
    const keys = matchPushEvents(
      batch.map((b) => b.event),
      scoped,
    );
    if (keys.size === 0) {
      for (const { event, sender } of batch) {
        this.deps.logger.log('info', 'no-match', 'no stream tag imports this repository and tag', {
          sender,
          registry: event.registryHost,
          repository: event.repository,
          tag: event.tag,
        });
      }
      return;
    }
    await this.run(
      'webhook',
      { ...this.ns(), match: (t) => keys.has(tagKey(t.namespace, t.stream, t.tag)) },
      { events: batch.length, tags: [...keys] },
    );
  }

  private async runBucket(bucket: number, of: number): Promise<void> {
    if (!(await this.claimed(`${bucket + 1}/${of}`))) return;
    const match: RefreshSelection['match'] = of > 1 ? (t) => bucketOf(t.namespace, t.stream, of) === bucket : undefined;
    await this.run(
      'schedule',
      { ...this.ns(), scheduledOnly: true, ...(match ? { match } : {}) },
      { bucket: `${bucket + 1}/${of}` },
    );
  }

  /** Runs one full scheduled pass over every bucket at once (`serve --once`); undefined when left to another replica. */
  async runOnce(): Promise<RefreshResult | undefined> {
    if (!(await this.claimed('all'))) return undefined;
    return this.run('schedule', { ...this.ns(), scheduledOnly: true }, { bucket: 'all' });
  }

  private async claimed(bucket: string): Promise<boolean> {
    if (!this.deps.claimSchedule || (await this.deps.claimSchedule())) return true;
    this.deps.logger.log('info', 'schedule-skipped', 'scheduled pass left to the replica holding the lease', {
      bucket,
    });
    return false;
  }

  private ns(): Pick<RefreshSelection, 'namespace'> {
    return this.deps.namespace === undefined ? {} : { namespace: this.deps.namespace };
  }

  private async run(
    trigger: string,
    selection: RefreshSelection,
    fields: Record<string, string | number | string[]>,
  ): Promise<RefreshResult> {
    const { logger, metrics } = this.deps;
    metrics.importRun(trigger);
    logger.log('info', 'import-start', `${trigger} import started`, { trigger, ...fields });
    const started = performance.now();
    const result = await this.deps.refresh(selection);
    const ms = Math.round(performance.now() - started);
    reportOutcomes(trigger, result, logger, metrics);
    if (this.deps.afterImport) await this.deps.afterImport(result, trigger);
    const counts = { changed: 0, unchanged: 0, failed: 0 };
    for (const o of result.outcomes) counts[o.status]++;
    logger.log(
      counts.failed > 0 ? 'warn' : 'info',
      'import',
      `${trigger} import: ${result.outcomes.length} tag(s), ${counts.changed} changed, ${counts.failed} failed`,
      {
        trigger,
        ...fields,
        ...counts,
        files: result.changes.map((c) => c.path),
        durationMs: ms,
      },
    );
    return result;
  }
}

function reportOutcomes(trigger: string, result: RefreshResult, logger: Logger, metrics: ServeMetrics): void {
  for (const o of result.outcomes) {
    metrics.tagImport(trigger, o.status);
    const where = { trigger, namespace: o.namespace, stream: o.stream, tag: o.tag, from: o.from };
    if (o.status === 'changed')
      logger.log('info', 'tag-changed', `${o.namespace}/${o.stream}:${o.tag} changed`, {
        ...where,
        oldDigest: o.oldDigest,
        newDigest: o.newDigest,
      });
    if (o.status === 'failed') {
      metrics.importFailure(trigger, o.error?.reason ?? 'Unknown');
      logger.log(
        'warn',
        'tag-failed',
        `${o.namespace}/${o.stream}:${o.tag} import failed: ${o.error?.message ?? 'unknown error'}`,
        { ...where, reason: o.error?.reason },
      );
    }
  }
  for (const w of result.triggers.updated) {
    logger.log('info', 'triggered', `${w.kind.toLowerCase()}/${w.name} updated`, {
      trigger,
      namespace: w.namespace,
      file: w.file,
      images: w.changes.map((c) => `${c.container}=${c.to}`),
    });
  }
  for (const b of result.triggers.builds)
    logger.log('info', 'build-triggered', `buildconfig/${b.name} triggered by ${b.image}`, {
      trigger,
      namespace: b.namespace,
      file: b.file,
    });
  for (const warning of result.triggers.warnings) logger.log('warn', 'trigger-warning', warning, { trigger });
}
