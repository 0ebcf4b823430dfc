/**
 * Everything a command may touch of the outside world, passed in so tests can run the CLI
 * in-process (ARCHITECTURE.md rule 4): streams, environment, working directory, clock.
 */
export interface CliIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  stdin?: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Current time; tests pass a fixed clock. */
  now: () => Date;
}

/** The IO of the real process. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}
