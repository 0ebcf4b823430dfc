/**
 * Human-readable durations and sizes exactly as docker/go-units formats them (vendored by oc and
 * openshift-apiserver): `HumanDuration` for ages and `HumanSize` for image sizes
 * (the AGE column of printer.go and the Size line of describer.go DescribeImage).
 */

/** Go's time.Duration saturates at ±(2^63-1) ns; a zero time.Time therefore gives "292 years". */
const MAX_DURATION_NS = 9223372036854775807n;

/** go-units HumanDuration of a duration in milliseconds ("Less than a second", "About an hour", "3 days"…). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  // hours are rounded (int(d.Hours() + 0.5)); days/weeks/months derive from the rounded hours.
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** The age of `t` at `now` as go-units prints it, with Go's duration saturation for absurd or zero times. */
export function relativeTime(now: Date, t: Date | string | null | undefined): string {
  const when = t === null || t === undefined || t === '' ? GO_ZERO_TIME : typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(when.getTime())) return humanDuration(Number(MAX_DURATION_NS / 1_000_000n));
  let ms = now.getTime() - when.getTime();
  const maxMs = Number(MAX_DURATION_NS / 1_000_000n);
  if (ms > maxMs) ms = maxMs;
  return humanDuration(ms);
}

/** Go's zero time.Time (0001-01-01T00:00:00Z), what an unset timestamp means. */
export const GO_ZERO_TIME = new Date('0001-01-01T00:00:00Z');

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSize: decimal units, `%.4g` (3409 → "3.409kB", 4430 → "4.43kB", 0 → "0B"). */
export function humanSize(size: number): string {
  let v = size;
  let i = 0;
  while (v >= 1000 && i < DECIMAL_UNITS.length - 1) {
    v = v / 1000;
    i++;
  }
  return `${formatG4(v)}${DECIMAL_UNITS[i]}`;
}

/** Go's `%.4g`: 4 significant digits, trailing zeros dropped, exponent form only when out of range. */
export function formatG4(v: number): string {
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  let s = v.toPrecision(4);
  // Go switches to %e when the exponent is < -4 or >= the precision.
  if (s.includes('e') || exp < -4 || exp >= 4) {
    const [mant, e] = v.toExponential(3).split('e');
    const m = stripZeros(mant);
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  s = stripZeros(s);
  return s;
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}
