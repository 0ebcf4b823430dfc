import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/server/metrics.js';
import { createServeMetrics, instrumentImageSource } from '../../src/server/telemetry.js';
import type { ImageSource } from '../../src/registry/types.js';

describe('Prometheus text format', () => {
  it('renders counters, gauges and histograms with HELP, TYPE and escaped labels', () => {
    const r = new MetricsRegistry();
    const c = r.counter('x_total', 'Things.');
    c({ sender: 'quay', result: 'accepted' });
    c({ result: 'accepted', sender: 'quay' }, 2);
    c({ sender: 'a"b\\c\nd', result: 'x' });
    let depth = 3;
    r.gauge('q_depth', 'Depth.', () => depth);
    const h = r.histogram('lat_seconds', 'Latency.', [0.1, 1]);
    h(0.05, { op: 'resolve' });
    h(0.5, { op: 'resolve' });
    h(5, { op: 'resolve' });
    depth = 7;
    expect(r.render()).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{result="accepted",sender="quay"} 3',
        'x_total{result="x",sender="a\\"b\\\\c\\nd"} 1',
        '# HELP q_depth Depth.',
        '# TYPE q_depth gauge',
        'q_depth 7',
        '# HELP lat_seconds Latency.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{op="resolve",le="0.1"} 1',
        'lat_seconds_bucket{op="resolve",le="1"} 2',
        'lat_seconds_bucket{op="resolve",le="+Inf"} 3',
        'lat_seconds_sum{op="resolve"} 5.55',
        'lat_seconds_count{op="resolve"} 3',
        '',
      ].join('\n'),
    );
  });

  it('serve metrics declare every family up front and time registry calls', async () => {
    const m = createServeMetrics();
    m.bindQueueDepth(() => 2);
    let t = 0;
    const fake: ImageSource = {
      resolve: async () => {
        t += 20;
        throw new Error('unreachable');
      },
      listTags: async () => {
        t += 300;
        return ['a'];
      },
      close: async () => undefined,
    };
    const src = instrumentImageSource(fake, m, () => t);
    await expect(
      src.resolve({ transport: 'docker', raw: 'x', ref: { registry: '', namespace: '', name: 'x', tag: '', id: '' } }),
    ).rejects.toThrow('unreachable');
    await src.listTags({
      transport: 'docker',
      raw: 'x',
      ref: { registry: '', namespace: '', name: 'x', tag: '', id: '' },
    });
    const text = m.registry.render();
    for (const name of [
      'isctl_webhook_deliveries_total',
      'isctl_imports_total',
      'isctl_import_failures_total',
      'isctl_import_runs_total',
      'isctl_import_queue_dropped_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} counter`);
    }
    expect(text).toContain('isctl_import_queue_depth 2');
    expect(text).toContain(
      'isctl_registry_request_duration_seconds_bucket{operation="resolve",result="error",le="0.025"} 1',
    );
    expect(text).toContain(
      'isctl_registry_request_duration_seconds_bucket{operation="listTags",result="ok",le="0.25"} 0',
    );
    expect(text).toContain('isctl_registry_request_duration_seconds_count{operation="listTags",result="ok"} 1');
  });
});
