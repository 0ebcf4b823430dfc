/**
 * What a run tells about its registry requests on stderr: `-v` tracing as oc/kubectl levels it
 * (client-go transport/round_trippers.go `DebugWrappers`: 6 method, URL, status and time; 7 adds
 * the request headers and the response status; 8 and above the response headers too), in klog's
 * line format with the file and line client-go logs them from; and, on a terminal, which host a
 * slow request is waiting for. URLs and headers come redacted from the transport (credentials masked as `Bearer <masked>`); every value is escaped.
 */
import { STATUS_CODES } from 'node:http';
import type { TraceEvent } from '../registry/http.js';
import { escapeLine } from '../domain/escape.js';

/**
 * The line of client-go v0.32 transport/round_trippers.go (debuggingRoundTripper.RoundTrip) that
 * logs each kind of line, as klog names it in the header: the last client-go whose messages are
 * the text printed here (later ones log structured "Request"/"Response" entries).
 */
const LINE = {
  urlTiming: 560,
  justUrl: 470,
  requestHeaders: 476,
  requestHeader: 480,
  responseStatus: 581,
  responseHeaders: 584,
  responseHeader: 587,
} as const;

/** Wall-clock time in microseconds since the epoch (a Date has milliseconds only). */
export function epochMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** The `-v` tracer for `level`, or undefined below 6; `now` gives the time in epoch microseconds. */
export function createRequestTrace(
  level: number,
  write: (text: string) => void,
  now: () => number = epochMicros,
  pid = process.pid,
): ((e: TraceEvent) => void) | undefined {
  if (!(level >= 6)) return undefined;
  return (e) => {
    const at = now();
    const status = e.status
      ? `${e.status} ${STATUS_CODES[e.status] ?? ''}`.trim()
      : `(no answer: ${e.error ?? 'error'})`;
    const line = (n: number, s: string) => `${klogHeader(at, pid, n)}${escapeLine(s)}\n`;
    if (level < 7)
      return void write(line(LINE.urlTiming, `${e.method} ${e.url} ${status} in ${e.durationMs} milliseconds`));
    let out = line(LINE.justUrl, `${e.method} ${e.url}`) + line(LINE.requestHeaders, 'Request Headers:');
    for (const [k, v] of Object.entries(e.requestHeaders))
      out += line(LINE.requestHeader, `    ${headerName(k)}: ${v}`);
    out += line(LINE.responseStatus, `Response Status: ${status} in ${e.durationMs} milliseconds`);
    if (level >= 8) {
      out += line(LINE.responseHeaders, 'Response Headers:');
      for (const [k, v] of Object.entries(e.responseHeaders))
        out += line(LINE.responseHeader, `    ${headerName(k)}: ${v}`);
    }
    write(out);
  };
}

/**
 * klog's header (k8s.io/klog/v2 internal/buffer FormatHeader): `Lmmdd hh:mm:ss.uuuuuu threadid
 * file:line] `, local time, the pid right-aligned in 7 columns.
 */
export function klogHeader(micros: number, pid: number, line: number): string {
  const d = new Date(Math.floor(micros / 1000));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const us = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(us, 6)}`;
  return `I${p(d.getMonth() + 1)}${p(d.getDate())} ${time} ${String(pid).padStart(7)} round_trippers.go:${line}] `;
}

// Go's http.Header prints canonical names (Www-Authenticate, Docker-Content-Digest).
function headerName(k: string): string {
  return k.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** A stream a notice can be written to. */
export interface NoticeStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * "waiting for HOST" on a terminal: once per host and slow spell, when a request to it has had no
 * answer for 3 s (or a third of the deadline, if that is shorter). Undefined when `stream` is not
 * a terminal, in CI, or with TERM=dumb (as progress lines).
 */
export function createWaitNotice(
  stream: NoticeStream,
  env: Record<string, string | undefined>,
): { onWait: (host: string, timeoutMs: number) => () => void; close: () => void } | undefined {
  if (!stream.isTTY || (env.CI && env.CI !== 'false') || env.TERM === 'dumb') return undefined;
  const hosts = new Map<string, { inFlight: number; timer?: NodeJS.Timeout; told: boolean }>();
  return {
    onWait(host, timeoutMs) {
      let h = hosts.get(host);
      if (!h) {
        h = { inFlight: 0, told: false };
        hosts.set(host, h);
      }
      const state = h;
      state.inFlight++;
      if (!state.timer && !state.told) {
        const after = Math.min(3000, Math.floor(timeoutMs / 3));
        state.timer = setTimeout(() => {
          state.timer = undefined;
          if (state.inFlight === 0) return;
          state.told = true;
          // Erases a progress line first; progress redraws itself on its next update.
          stream.write(
            `\r\x1b[Kwaiting for ${escapeLine(host)} to answer (no answer for ${seconds(after)}; gives up after ${seconds(timeoutMs)}, --request-timeout)…\n`,
          );
        }, after);
        state.timer.unref();
      }
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        state.inFlight--;
        if (state.inFlight > 0) return;
        if (state.timer) clearTimeout(state.timer);
        hosts.delete(host);
      };
    },
    close() {
      for (const h of hosts.values()) if (h.timer) clearTimeout(h.timer);
      hosts.clear();
    },
  };
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`;
}
