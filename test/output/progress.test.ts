/** The progress line on stderr: its text and when it is drawn (on a real terminal: test/e2e/progress.test.ts). */
import { describe, expect, it } from 'vitest';
import { createProgressWriter, registryHost, renderProgress } from '../../src/output/progress.js';

const ERASE = '\r\x1b[K';

describe('progress rendering', () => {
  it('renders one line with host and failures, cut to the terminal width', () => {
    expect(renderProgress({ verb: 'refreshing', done: 3, total: 10, current: 'quay.io/acme/app:1', failures: 0 })).toBe(
      'refreshing 3/10 tags (quay.io)',
    );
    expect(renderProgress({ verb: 'refreshing', done: 1, total: 1, current: 'nginx', failures: 1 })).toBe(
      'refreshing 1/1 tag (docker.io), 1 failed',
    );
    expect(renderProgress({ verb: 'importing', done: 1, total: 2, current: 'oci:./layout:1.0', failures: 0 }, 20)).toBe(
      'importing 1/2 tags…',
    );
    expect(registryHost(`127.0.0.1:5000/a/b@sha256:${'a'.repeat(64)}`)).toBe('127.0.0.1:5000');
  });

  it('throttles redraws but always draws the last one, and is off without a TTY or in CI', () => {
    let out = '';
    let t = 0;
    const stream = { write: (s: string) => (out += s), isTTY: true };
    const w = createProgressWriter(stream, { verb: 'refreshing', enabled: true, now: () => t, intervalMs: 100 })!;
    w.update(1, 3, 'quay.io/a:1', 0);
    t = 50;
    w.update(2, 3, 'quay.io/a:2', 0);
    t = 60;
    w.update(3, 3, 'quay.io/a:3', 1);
    w.clear();
    expect(out).toBe(`${ERASE}refreshing 1/3 tags (quay.io)${ERASE}refreshing 3/3 tags (quay.io), 1 failed${ERASE}`);
    expect(createProgressWriter({ write: () => 0, isTTY: false }, { verb: 'x', enabled: true })).toBeUndefined();
    expect(createProgressWriter(stream, { verb: 'x', enabled: true, env: { CI: 'true' } })).toBeUndefined();
    expect(createProgressWriter(stream, { verb: 'x', enabled: false })).toBeUndefined();
  });
});
