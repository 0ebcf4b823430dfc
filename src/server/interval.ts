/**
 * `--interval` durations and the bucketed spreading of scheduled imports, after OpenShift's
 * scheduled image controller (openshift-controller-manager scheduled_image_controller.go: 2 buckets
 * below 10 min, 4 up to 1 h, 8 above).
 */
import { UsageError } from '../domain/errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `30s`, `5m`, `1h`, `1h30m`, `90s` (Go duration style) into milliseconds; at least 1 s. */
export function parseInterval(text: string): number {
  const s = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  if (s.length === 0 || matched !== s.length) {
    throw new UsageError(`invalid interval "${text}": use a duration such as 30s, 5m, 1h or 1h30m`);
  }
  if (total < 1000) throw new UsageError(`invalid interval "${text}": the interval must be at least 1s`);
  return Math.round(total);
}

/** Formats milliseconds the way --interval accepts them (e.g. `1h30m`, `15m`, `30s`). */
export function formatInterval(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return out || `${ms}ms`;
}

/** How many buckets an interval is split into (OpenShift factory.go Buckets()). */
export function bucketCount(intervalMs: number): number {
  if (intervalMs < 10 * 60_000) return 2;
  if (intervalMs <= 60 * 60_000) return 4;
  return 8;
}

/** The bucket a stream belongs to: a stable hash of `namespace/name`, so each stream is visited once per interval. */
export function bucketOf(namespace: string, stream: string, buckets: number): number {
  let h = 2166136261;
  for (const c of `${namespace}/${stream}`) {
    h ^= c.codePointAt(0) as number;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h % buckets;
}
