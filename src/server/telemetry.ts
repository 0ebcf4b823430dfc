/**
 * The metrics `serve` exposes at /metrics, and an ImageSource wrapper that times every registry
 * call into the latency histogram (the digest always comes from the registry, so this is the
 * cost a push or a schedule causes).
 */
import type { ImageSource } from '../registry/types.js';
import { MetricsRegistry } from './metrics.js';

/** The counters, gauges and histograms of `serve`. */
export interface ServeMetrics {
  registry: MetricsRegistry;
  delivery(sender: string, result: string): void;
  importRun(trigger: string): void;
  tagImport(trigger: string, result: string): void;
  importFailure(trigger: string, reason: string): void;
  queueDropped(sender: string): void;
  registryLatency(seconds: number, operation: string, result: string): void;
  /** Sets where the queue-depth gauge reads from (the queue is created after the metrics). */
  bindQueueDepth(read: () => number): void;
}

/** Creates the metric families of `serve`. */
export function createServeMetrics(): ServeMetrics {
  const registry = new MetricsRegistry();
  let queueDepth = (): number => 0;
  const delivery = registry.counter(
    'isctl_webhook_deliveries_total',
    'Webhook deliveries by sender and result (accepted, duplicate, ignored, unauthorized, bad_request, too_large, dropped).',
  );
  const importRun = registry.counter(
    'isctl_import_runs_total',
    'Refresh runs started, by trigger (webhook, schedule).',
  );
  const tagImport = registry.counter(
    'isctl_imports_total',
    'Tags imported, by trigger and result (unchanged, changed, failed).',
  );
  const importFailure = registry.counter(
    'isctl_import_failures_total',
    'Failed tag imports and failed refresh runs, by trigger and reason.',
  );
  const dropped = registry.counter(
    'isctl_import_queue_dropped_total',
    'Push events dropped because the import queue was full.',
  );
  registry.gauge('isctl_import_queue_depth', 'Push events waiting in the import queue.', () => queueDepth());
  const latency = registry.histogram(
    'isctl_registry_request_duration_seconds',
    'Duration of registry calls (resolve, listTags) in seconds.',
  );
  return {
    registry,
    delivery: (sender, result) => delivery({ sender, result }),
    importRun: (trigger) => importRun({ trigger }),
    tagImport: (trigger, result) => tagImport({ trigger, result }),
    importFailure: (trigger, reason) => importFailure({ trigger, reason }),
    queueDropped: (sender) => dropped({ sender }),
    registryLatency: (seconds, operation, result) => latency(seconds, { operation, result }),
    bindQueueDepth: (read) => {
      queueDepth = read;
    },
  };
}

/** Wraps an ImageSource so every resolve/listTags call is timed into `metrics`. */
export function instrumentImageSource(
  source: ImageSource,
  metrics: Pick<ServeMetrics, 'registryLatency'>,
  clock: () => number = () => performance.now(),
): ImageSource {
  const timed = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    const start = clock();
    try {
      const v = await call();
      metrics.registryLatency((clock() - start) / 1000, operation, 'ok');
      return v;
    } catch (err) {
      metrics.registryLatency((clock() - start) / 1000, operation, 'error');
      throw err;
    }
  };
  return {
    resolve: (spec, options) => timed('resolve', () => source.resolve(spec, options)),
    listTags: (spec, options) => timed('listTags', () => source.listTags(spec, options)),
    close: () => source.close(),
    requests: () => source.requests?.() ?? [],
  };
}
