/**
 * Shared budget of the property-based tests: how many generated cases per parser (10,000 in CI;
 * `node scripts/fuzz-million.mjs` sets ISCTL_FUZZ_RUNS=1000000) and the per-case time bound that
 * turns a hang or a catastrophic regex backtrack into a failing case instead of a stuck run.
 */
import { expect } from 'vitest';

/** Generated cases per property (env ISCTL_FUZZ_RUNS, default 10,000). */
export const FUZZ_RUNS = Math.max(1, Number(process.env.ISCTL_FUZZ_RUNS ?? 10_000) || 10_000);

/** fast-check seed (env ISCTL_FUZZ_SEED) so a CI failure can be replayed locally. */
export const FUZZ_SEED = process.env.ISCTL_FUZZ_SEED ? Number(process.env.ISCTL_FUZZ_SEED) : undefined;

/** Longest one parser call may take (ms); generous for a loaded 2-core CI box, far below a hang. */
export const CASE_BOUND_MS = Number(process.env.ISCTL_FUZZ_CASE_MS ?? 1_000);

/** fast-check parameters shared by every property. */
export function fcParams(runs = FUZZ_RUNS): { numRuns: number; seed?: number; endOnFailure: boolean } {
  return { numRuns: runs, ...(FUZZ_SEED !== undefined ? { seed: FUZZ_SEED } : {}), endOnFailure: true };
}

/** Vitest timeout for a property: room for every case at a realistic average plus slack. */
export function propertyTimeout(runs = FUZZ_RUNS, avgMs = 2): number {
  return 60_000 + runs * avgMs;
}

/**
 * Runs `fn` once and reports what happened: its value, or the thrown error. Fails the case when
 * the call took longer than CASE_BOUND_MS (a synchronous parser cannot be interrupted, so a
 * super-linear input shows up as a slow case long before it becomes a hang).
 */
export function timed<T>(label: string, fn: () => T, boundMs = CASE_BOUND_MS): { value?: T; error?: unknown } {
  const start = performance.now();
  let out: { value?: T; error?: unknown };
  try {
    out = { value: fn() };
  } catch (error) {
    out = { error };
  }
  const ms = performance.now() - start;
  if (ms > boundMs) expect.fail(`${label} took ${ms.toFixed(0)} ms (bound ${boundMs} ms)`);
  return out;
}

/** Fails unless `error` is an instance of one of `types` with a non-empty message. */
export function expectTypedError(
  error: unknown,
  types: (abstract new (...a: never[]) => Error)[],
  input: unknown,
): void {
  const ok = types.some((t) => error instanceof t);
  if (!ok) {
    const what = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    expect.fail(`untyped error ${what} for input ${JSON.stringify(input)?.slice(0, 300)}`);
  }
  expect((error as Error).message.length).toBeGreaterThan(0);
}
