/**
 * Everything a command may touch of the outside world, passed in so tests can run the CLI
 * in-process: streams, environment, working directory, clock and process signals. Only
 * src/cli/main.ts builds the real one from `process`.
 */
export interface CliIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  stdin?: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Current time; tests pass a fixed clock. */
  now: () => Date;
  /** SIGTERM/SIGINT of the process; absent in-process (nothing then interrupts a command). */
  signals?: SignalSource;
}

/** Interrupts a long-running command (serve) listens to. */
export interface SignalSource {
  /**
   * Starts listening: `received` resolves with the first SIGTERM or SIGINT. A second one ends the
   * process at once, after `onForced` was told (writes are atomic, files stay whole).
   */
  listen(onForced: (signal: NodeJS.Signals) => void): { received: Promise<NodeJS.Signals>; release(): void };
}

/** A source that never fires, for IO that has no process behind it. */
export const noSignals: SignalSource = {
  listen: () => ({ received: new Promise<NodeJS.Signals>(() => {}), release: () => {} }),
};
