/**
 * `--on-build CMD`: runs the user's command once per BuildConfig whose ImageChange trigger fired
 * (src/cli/build-hooks.ts), streaming its output; a hook that fails fails the command.
 */
import type { TriggeredBuild } from '../core/context.js';
import { runBuildHooks } from './build-hooks.js';
import type { CliIO } from './io.js';
import { escapeControls } from '../domain/escape.js';

/**
 * Runs `command` for each triggered build, in order; ISCTL_BUILD_FILE is absolute against `stateDir`.
 * Returns how many hook runs failed. A build that did not start must not pass unnoticed in a script
 * or CI job, so a failing hook fails the command (after every hook ran), naming its BuildConfig.
 */
export async function runOnBuild(
  command: string | undefined,
  builds: readonly TriggeredBuild[],
  io: CliIO,
  stateDir: string,
): Promise<number> {
  if (!command || builds.length === 0) return 0;
  const results = await runBuildHooks([...builds], command, io.env, {
    stateDir,
    cwd: io.cwd,
    onOutput: (stream, chunk) => (stream === 'stdout' ? io.stdout : io.stderr).write(chunk),
  });
  let failures = 0;
  for (const r of results) {
    if (r.exitCode === 0) continue;
    failures++;
    const how = r.exitCode === null ? `was killed by ${r.signal}` : `exited with ${r.exitCode}`;
    io.stderr.write(
      escapeControls(
        `error: --on-build command ${how} for buildconfig/${r.build.name} in namespace ${r.build.namespace}\n`,
      ),
    );
  }
  return failures;
}
