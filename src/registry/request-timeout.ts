/**
 * `--request-timeout` / `ISCTL_REQUEST_TIMEOUT`: the overall deadline of one registry request
 * (connect, headers, body, redirects and retries), read as kubectl reads its flag of that name
 * (client-go tools/clientcmd `ParseTimeout`): a whole number of seconds, or a Go duration such as
 * `30s`, `2m`, `1m30s`, `500ms`. kubectl's `0` (no timeout) is refused: isctl never waits
 * without bound.
 */
import { UsageError } from '../domain/errors.js';

/** The default deadline of one registry request. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds for `text`; `source` names where it came from, for the message. */
export function parseRequestTimeout(text: string, source = '--request-timeout'): number {
  const s = text.trim();
  let ms: number | undefined;
  if (/^\d+$/.test(s)) ms = Number(s) * 1000;
  else {
    const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
    let total = 0;
    let end = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      total += Number(m[1]) * UNITS[m[2]];
      end = re.lastIndex;
    }
    if (s.length > 0 && end === s.length) ms = Math.round(total);
  }
  if (ms === undefined)
    throw new UsageError(
      `invalid ${source} "${text}": use a whole number of seconds or a duration such as 30s, 2m or 1m30s`,
    );
  if (ms <= 0)
    throw new UsageError(
      `invalid ${source} "${text}": the timeout must be greater than 0 (isctl never waits without bound)`,
    );
  return ms;
}
