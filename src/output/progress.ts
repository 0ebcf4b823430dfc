/**
 * Progress of long runs (`refresh`, `import-image --all`) on stderr: one line redrawn in place
 * (`\r` + erase-line), shown only on a terminal — never when stderr is piped, in CI, or with
 * `-o` (machine-readable output), as kubectl and skopeo keep progress off non-TTY streams.
 */
import { readPullSpec } from '../domain/pullspec.js';
import { escapeLine } from '../domain/escape.js';

/** Where a run is: tags finished of the total, the source just finished, failures so far. */
export interface ProgressState {
  verb: string;
  done: number;
  total: number;
  current: string;
  failures: number;
}

/** The registry host of a pull spec (`docker.io` for Docker Hub names, `oci` for layouts). */
export function registryHost(pullSpec: string): string {
  const spec = readPullSpec(pullSpec);
  if (spec.transport === 'invalid') return pullSpec.split('/')[0];
  if (spec.transport === 'oci') return 'oci';
  return spec.ref.registry || 'docker.io';
}

/** One progress line, e.g. `refreshing 12/40 tags (quay.io), 1 failed`, cut to `width` columns. */
export function renderProgress(s: ProgressState, width = 0): string {
  const failed = s.failures > 0 ? `, ${s.failures} failed` : '';
  const line = `${s.verb} ${s.done}/${s.total} ${s.total === 1 ? 'tag' : 'tags'} (${escapeLine(registryHost(s.current))})${failed}`;
  return width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line;
}

/** A stream progress can be drawn on. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Draws progress lines at most every `intervalMs` (the last one always) and erases them at the end. */
export interface ProgressWriter {
  update(done: number, total: number, current: string, failures: number): void;
  /** Erases the line (call before printing results). */
  clear(): void;
}

/** Options of a progress writer. */
export interface ProgressOptions {
  verb: string;
  /** False when output is machine-readable (`-o json`) or progress is otherwise unwanted. */
  enabled: boolean;
  env?: Record<string, string | undefined>;
  intervalMs?: number;
  now?: () => number;
}

const ERASE = '\r\x1b[K';

/** A throttled writer on `stream`, or undefined when progress must stay silent (not a TTY, CI, -o). */
export function createProgressWriter(stream: ProgressStream, options: ProgressOptions): ProgressWriter | undefined {
  const env = options.env ?? {};
  if (!options.enabled || !stream.isTTY || (env.CI && env.CI !== 'false') || env.TERM === 'dumb') return undefined;
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 100;
  let last = -Infinity;
  let drawn = false;
  return {
    update(done, total, current, failures) {
      const t = now();
      if (t - last < interval && done < total) return;
      last = t;
      drawn = true;
      stream.write(ERASE + renderProgress({ verb: options.verb, done, total, current, failures }, stream.columns ?? 0));
    },
    clear() {
      if (drawn) stream.write(ERASE);
      drawn = false;
    },
  };
}
