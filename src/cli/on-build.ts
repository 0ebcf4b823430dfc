/**
 * `--on-build CMD`: runs the user's command once per BuildConfig whose ImageChange trigger fired
 * (src/cli/build-hooks.ts), streaming its output; a hook that fails or outlives
 * `--on-build-timeout` fails the command.
 */
import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { TriggeredBuild } from '../core/context.js';
import { DEFAULT_BUILD_HOOK_TIMEOUT_MS, runBuildHooks } from './build-hooks.js';
import type { CliIO } from './io.js';
import { escapeControls } from '../domain/escape.js';
import { UsageError } from '../domain/errors.js';
import { parseRequestTimeout } from '../registry/request-timeout.js';

/** The hook of one command: what to run and for how long at most. */
export interface OnBuild {
  command: string;
  timeoutMs: number;
}

/** The flags of one command that runs hooks. */
export interface OnBuildFlags {
  onBuild?: string;
  onBuildTimeout?: string;
}

/** Declares --on-build and --on-build-timeout. */
export function addOnBuildOptions<A extends unknown[], O extends OptionValues, G extends OptionValues>(
  cmd: Command<A, O, G>,
) {
  return cmd
    .option(
      '--on-build <command>',
      'Run COMMAND once for each BuildConfig whose ImageChange trigger fired (env ISCTL_BUILD_*)',
    )
    .option(
      '--on-build-timeout <duration>',
      'With --on-build: stop a run of COMMAND (and every process it started) after this long and fail ' +
        '(e.g. 90s, 10m; env ISCTL_ON_BUILD_TIMEOUT, default 10m)',
    );
}

/**
 * Reads the hook flags when the command starts, so a bad limit is refused before anything is
 * fetched or written. The limit reads as --request-timeout does (whole seconds or a duration; 0
 * is refused: no wait is unbounded).
 */
export function readOnBuild(flags: OnBuildFlags, io: CliIO): OnBuild | undefined {
  let timeoutMs = DEFAULT_BUILD_HOOK_TIMEOUT_MS;
  if (flags.onBuildTimeout !== undefined) {
    if (!flags.onBuild)
      throw new UsageError('--on-build-timeout needs --on-build: it limits how long the --on-build command may run');
    timeoutMs = parseRequestTimeout(flags.onBuildTimeout, '--on-build-timeout');
  } else {
    const env = io.env.ISCTL_ON_BUILD_TIMEOUT;
    if (env !== undefined && env !== '') timeoutMs = parseRequestTimeout(env, 'ISCTL_ON_BUILD_TIMEOUT');
  }
  return flags.onBuild ? { command: flags.onBuild, timeoutMs } : undefined;
}

/** `90000` → `1m30s`, as the limit is written on the command line. */
function durationText(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

/**
 * Runs the hook for each triggered build, in order; ISCTL_BUILD_FILE is absolute against `stateDir`.
 * Returns how many hook runs failed. A build that did not start must not pass unnoticed in a script
 * or CI job, so a failing or timed-out hook fails the command (after every hook ran), naming its
 * BuildConfig.
 */
export async function runOnBuild(
  hook: OnBuild | undefined,
  builds: readonly TriggeredBuild[],
  io: CliIO,
  stateDir: string,
): Promise<number> {
  if (!hook || builds.length === 0) return 0;
  const results = await runBuildHooks([...builds], hook.command, io.env, {
    stateDir,
    cwd: io.cwd,
    timeoutMs: hook.timeoutMs,
    onOutput: (stream, chunk) => (stream === 'stdout' ? io.stdout : io.stderr).write(chunk),
  });
  let failures = 0;
  for (const r of results) {
    if (r.exitCode === 0 && !r.timedOut) continue;
    failures++;
    const of = `for buildconfig/${r.build.name} in namespace ${r.build.namespace}`;
    const text = r.timedOut
      ? `error: --on-build command did not finish within ${durationText(hook.timeoutMs)} ${of}: ` +
        'it and every process it started were stopped; raise --on-build-timeout (or ISCTL_ON_BUILD_TIMEOUT) ' +
        'if it needs longer\n'
      : `error: --on-build command ${r.exitCode === null ? `was killed by ${r.signal}` : `exited with ${r.exitCode}`} ${of}\n`;
    io.stderr.write(escapeControls(text));
  }
  return failures;
}
