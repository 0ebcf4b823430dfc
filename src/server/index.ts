/**
 * `serve`: the scheduler, the webhook listener and the import worker put together, with a
 * graceful stop (stop accepting, let the refresh in progress finish its atomic write, then
 * resolve). Everything outside — refresh, the streams, logs, time — is injected.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeliveryDeduper } from './dedupe.js';
import { BodyBudget, createRequestHandler } from './http.js';
import { Importer, type ImporterDeps, type RefreshFn } from './importer.js';
import type { StreamView } from './matcher.js';
import type { Logger } from './log.js';
import { Scheduler, realTimers, type Timers } from './scheduler.js';
import { createServeMetrics, type ServeMetrics } from './telemetry.js';
import { formatInterval } from './interval.js';
import { UsageError } from '../domain/errors.js';
import type { Snapshot } from '../state/types.js';
import { ActivityLog, observingLogger } from './status/activity.js';
import { uiAccess } from './status/access.js';
import { buildStatus, folderView, type FolderView } from './status/model.js';
import { createStatusRoutes, StatusService } from './status/routes.js';

/** Where to listen. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** How `serve` runs. */
export interface ServeOptions {
  listen: ListenAddress;
  intervalMs: number;
  /** Shared webhook secret; undefined keeps the webhook endpoints closed (scheduler only). */
  secret?: string;
  /** Namespace to work in; undefined = every namespace. */
  namespace?: string;
  /** Largest webhook body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** Webhook body bytes held at once over all connections (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Open connections at once; more are closed on arrival (default 128). */
  maxConnections?: number;
  /** Headers must arrive within this long (default 10 s), the body within bodyTimeoutMs after them (default 10 s). */
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Most distinct push events waiting for import (default 1000). */
  queueDepth?: number;
  /** How long a push waits for repeats before its import starts (default 1 s). */
  settleMs?: number;
  /** Delivery ids remembered for de-duplication (default 10000). */
  dedupeCapacity?: number;
  /** Token the status page asks for (also on loopback); without one, see status/access.ts. */
  uiToken?: string;
  /** How often the status page refreshes (default 5 s). */
  refreshSeconds?: number;
}

/** What `serve` gets from outside. */
export interface ServeDeps {
  refresh: RefreshFn;
  listStreams: () => Promise<StreamView[]>;
  logger: Logger;
  metrics?: ServeMetrics;
  timers?: Timers;
  /** Called after every refresh run (e.g. `--on-build`). */
  afterImport?: ImporterDeps['afterImport'];
  /** Reads the folder for the status page (streams, workloads, problems); else it shows listStreams only. */
  readState?: () => Promise<Snapshot>;
  /** The clock of the status page (default Date.now). */
  now?: () => number;
  /** Asked before each scheduled pass (the scheduler lease of `--git-push`). */
  claimSchedule?: ImporterDeps['claimSchedule'];
  /** More members of /healthz (e.g. `git`). */
  health?: () => Record<string, unknown>;
}

/** A running `serve`. */
export interface ServeHandle {
  /** The address actually bound (port 0 gives a free port). */
  address: ListenAddress;
  metrics: ServeMetrics;
  importer: Importer;
  /** Webhook body bytes held now and at most so far. */
  bodyBytes: { readonly inUse: number; readonly peak: number; readonly limit: number };
  /** Stops accepting, waits for the refresh in progress, and closes everything. */
  stop(reason?: string): Promise<void>;
}

/** Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` (all interfaces) or `PORT` (loopback). */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const t = text.trim();
  const bare = /^(\d{1,5})$/.exec(t);
  const m = bare ? undefined : /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(t);
  const port = Number(bare ? bare[1] : m?.[3]);
  if ((!bare && !m) || port > 65535) return undefined;
  if (bare) return { host: '127.0.0.1', port };
  const host = m![1] ?? (m![2] === '' ? '0.0.0.0' : m![2]);
  return { host, port };
}

function listen(server: Server, address: ListenAddress): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
      const why =
        err.code === 'EADDRINUSE'
          ? 'the address is already in use'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.message;
      reject(new UsageError(`cannot listen on ${where}: ${why}`, 'pass --listen with a free HOST:PORT'));
    });
    server.listen(address.port, address.host, () => {
      server.removeAllListeners('error');
      const a = server.address() as AddressInfo;
      resolve({ host: a.address, port: a.port });
    });
  });
}

/** Starts the listener, the scheduler and the worker. */
export async function startServe(options: ServeOptions, deps: ServeDeps): Promise<ServeHandle> {
  const metrics = deps.metrics ?? createServeMetrics();
  const now = deps.now ?? Date.now;
  // The status page shows what the log says (deliveries, runs) and each tag's last outcome.
  const activity = new ActivityLog(now);
  const logger = observingLogger(deps.logger, activity);
  const importer = new Importer({
    refresh: deps.refresh,
    listStreams: deps.listStreams,
    logger,
    metrics,
    ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    queueDepth: options.queueDepth ?? 1000,
    ...(options.settleMs !== undefined ? { settleMs: options.settleMs } : {}),
    afterImport: async (result, trigger) => {
      activity.recordRefresh(result);
      await deps.afterImport?.(result, trigger);
    },
    ...(deps.claimSchedule ? { claimSchedule: deps.claimSchedule } : {}),
  });
  metrics.bindQueueDepth(() => importer.queue.depth);
  const started = Date.now();
  const bodyBudget = new BodyBudget(options.maxBufferedBytes ?? 8 * 1024 * 1024);
  const handler = createRequestHandler({
    secret: options.secret,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    budget: bodyBudget,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
    dedupe: new DeliveryDeduper(options.dedupeCapacity ?? 10_000),
    enqueue: (event, sender) => importer.enqueue(event, sender),
    metrics,
    logger,
    health: () => ({
      webhooks: options.secret !== undefined,
      queueDepth: importer.queue.depth,
      importing: importer.importing,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      ...deps.health?.(),
    }),
  });
  const scheduler = new Scheduler(
    options.intervalMs,
    (b, n) => importer.scheduleBucket(b, n),
    deps.timers ?? realTimers,
  );
  const access = uiAccess(options.listen.host, options.uiToken, options.secret);
  let listening = '';
  const status = new StatusService(async () => {
    let folder: FolderView | undefined;
    let readError: string | undefined;
    try {
      folder = deps.readState
        ? folderView(await deps.readState(), options.namespace)
        : { streams: await deps.listStreams(), graph: { nodes: [], edges: [] }, problems: [] };
    } catch (err) {
      readError = `cannot read the state folder: ${(err as Error)?.message ?? String(err)}`;
    }
    return buildStatus({
      now: now(),
      folder,
      ...(readError !== undefined ? { readError } : {}),
      namespace: options.namespace,
      activity,
      scheduler: {
        intervalMs: options.intervalMs,
        buckets: scheduler.buckets,
        tickMs: scheduler.tickMs,
        nextRun: scheduler.nextRun,
      },
      serve: {
        listen: listening,
        startedAt: new Date(started).toISOString(),
        webhooks: options.secret !== undefined,
        access: access.mode === 'loopback' ? 'loopback' : 'token',
        queueDepth: importer.queue.depth,
        importing: importer.importing,
      },
      refreshSeconds: options.refreshSeconds ?? 5,
      secrets: [options.secret, options.uiToken].filter((s): s is string => s !== undefined),
    });
  }, now);
  const statusRoutes = createStatusRoutes({ access, service: status, logger });
  // Node checks its header and request timeouts every connectionsCheckingInterval (30 s by default):
  // once a second keeps a slow sender from holding a connection much past them.
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    if (!statusRoutes(req, res)) handler(req, res);
  });
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = headersTimeoutMs + (options.bodyTimeoutMs ?? 10_000) + 1000;
  server.maxConnections = options.maxConnections ?? 128;
  const address = await listen(server, options.listen);
  listening = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  logger.log('info', 'start', `serve listening on http://${listening}`, {
    host: address.host,
    port: address.port,
    interval: formatInterval(options.intervalMs),
    buckets: scheduler.buckets,
    webhooks: options.secret !== undefined,
    namespace: options.namespace ?? '(all)',
    statusPage: access.mode === 'token' ? `token (${access.source})` : access.mode,
  });
  if (access.mode === 'closed') {
    logger.log(
      'warn',
      'status-page-closed',
      `the status page is closed: ${listening} is not a loopback address and no UI token or webhook secret is configured (--ui-token-file or ISCTL_UI_TOKEN)`,
    );
  }
  if (options.secret === undefined) {
    logger.log(
      'warn',
      'webhooks-disabled',
      'no webhook secret configured (--webhook-secret-file or ISCTL_WEBHOOK_SECRET): webhook endpoints are closed, running the scheduler only',
    );
  }
  importer.start();
  scheduler.start();
  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop'): Promise<void> =>
    (stopping ??= (async () => {
      logger.log('info', 'stopping', `stopping (${reason}): no new deliveries; waiting for the import in progress`, {
        importing: importer.importing,
      });
      scheduler.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await importer.stop();
      server.closeAllConnections();
      await closed;
      logger.log('info', 'stopped', 'serve stopped');
    })());
  return { address, metrics, importer, bodyBytes: bodyBudget, stop };
}
