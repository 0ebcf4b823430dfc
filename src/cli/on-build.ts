/**
 * `--on-build CMD`: runs the user's command once per BuildConfig whose ImageChange trigger fired
 * (src/core/triggers/build-hooks.ts), streaming its output and warning when it fails.
 */
import type { TriggeredBuild } from '../core/context.js';
import { runBuildHooks } from './build-hooks.js';
import type { CliIO } from './io.js';

/** Runs `command` for each triggered build, in order; ISCTL_BUILD_FILE is absolute against `stateDir`. */
export async function runOnBuild(
  command: string | undefined,
  builds: readonly TriggeredBuild[],
  io: CliIO,
  stateDir: string,
): Promise<void> {
  if (!command || builds.length === 0) return;
  const results = await runBuildHooks([...builds], command, io.env, {
    stateDir,
    cwd: io.cwd,
    onOutput: (stream, chunk) => (stream === 'stdout' ? io.stdout : io.stderr).write(chunk),
  });
  for (const r of results) {
    if (r.exitCode !== 0)
      io.stderr.write(
        `warning: --on-build command exited with ${r.exitCode ?? r.signal} for buildconfig/${r.build.name}\n`,
      );
  }
}
