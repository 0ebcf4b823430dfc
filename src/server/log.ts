/**
 * Structured logs of `serve`: one line per event to stderr, JSON (`--log-format json`, the
 * default, for log collectors) or `key=value` text for humans. Callers never pass secrets.
 */
import { escapeLine } from '../domain/escape.js';

/** Log output format. */
export type LogFormat = 'json' | 'text';

/** Severity of a log line. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Fields attached to a log line. */
export type LogFields = Record<string, string | number | boolean | string[] | undefined>;

/** Writes structured log lines. */
export interface Logger {
  log(level: LogLevel, event: string, message: string, fields?: LogFields): void;
}

/** A logger writing one line per call to `write` (usually stderr). */
export function createLogger(
  format: LogFormat,
  write: (line: string) => void,
  now: () => Date = () => new Date(),
): Logger {
  return {
    log(level, event, message, fields = {}) {
      const time = now().toISOString();
      const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      if (format === 'json') {
        write(`${JSON.stringify({ time, level, event, msg: message, ...clean })}\n`);
        return;
      }
      const kv = Object.entries(clean)
        .map(([k, v]) => `${k}=${formatValue(v)}`)
        .join(' ');
      // Webhook senders fill these fields: a terminal reading the log gets no control characters.
      write(`${time} ${level.toUpperCase().padEnd(5)} ${escapeLine(message)}${kv ? ` ${kv}` : ''}\n`);
    },
  };
}

function formatValue(v: unknown): string {
  const s = Array.isArray(v) ? v.join(',') : String(v);
  return /[\s"=]/.test(s) || s === '' ? escapeLine(JSON.stringify(s)) : escapeLine(s);
}
