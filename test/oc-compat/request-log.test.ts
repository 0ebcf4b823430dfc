/**
 * `-v` request lines as oc writes them: klog's header (k8s.io/klog/v2 internal/buffer/buffer.go
 * FormatHeader: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] `, microseconds of the wall clock, the
 * pid in 7 columns) naming the line of client-go v0.32.1 transport/round_trippers.go
 * (debuggingRoundTripper.RoundTrip) that logs each message.
 */
import { describe, expect, it } from 'vitest';
import { createRequestTrace, epochMicros } from '../../src/output/request-log.js';
import type { TraceEvent } from '../../src/registry/http.js';

// 2026-12-07 10:00:00.123456 local time, in epoch microseconds.
const AT = new Date(2026, 11, 7, 10, 0, 0, 123).getTime() * 1000 + 456;

const event: TraceEvent = {
  method: 'GET',
  url: 'https://quay.io/v2/org/app/manifests/1.0',
  status: 200,
  durationMs: 12,
  requestHeaders: { accept: 'application/json', authorization: 'Bearer <masked>' },
  responseHeaders: { 'docker-content-digest': 'sha256:aa' },
};

function trace(level: number): string {
  let out = '';
  createRequestTrace(
    level,
    (t) => (out += t),
    () => AT,
    12345,
  )!(event);
  return out;
}

describe('-v request lines carry klog’s header', () => {
  it('-v=6: microseconds, the pid right-aligned, round_trippers.go:560 (the URL timing line)', () => {
    expect(trace(6)).toBe(
      'I1207 10:00:00.123456   12345 round_trippers.go:560] GET https://quay.io/v2/org/app/manifests/1.0 200 OK in 12 milliseconds\n',
    );
  });

  it('-v=8: each message with the line that logs it (request 470/476/480, response 581/584/587)', () => {
    const h = (line: number) => `I1207 10:00:00.123456   12345 round_trippers.go:${line}] `;
    expect(trace(8)).toBe(
      `${h(470)}GET https://quay.io/v2/org/app/manifests/1.0\n` +
        `${h(476)}Request Headers:\n` +
        `${h(480)}    Accept: application/json\n` +
        `${h(480)}    Authorization: Bearer <masked>\n` +
        `${h(581)}Response Status: 200 OK in 12 milliseconds\n` +
        `${h(584)}Response Headers:\n` +
        `${h(587)}    Docker-Content-Digest: sha256:aa\n`,
    );
  });

  it('the default clock is the wall clock to the microsecond', () => {
    const before = Date.now() * 1000;
    const t = epochMicros();
    expect(Number.isInteger(t)).toBe(true);
    expect(Math.abs(t - before)).toBeLessThan(1_000_000);
  });
});
