/**
 * `--on-build CMD`: runs the user's command once per BuildConfig whose ImageChange trigger fired,
 * with the build's identity in its environment (never interpolated into a shell line).
 */
import { spawn } from 'node:child_process';
import type { TriggeredBuild } from '../core/context.js';
import type { CliIO } from './io.js';

/** Runs `command` (through `sh -c`, as the user wrote it) for each triggered build, in order. */
export async function runOnBuild(command: string | undefined, builds: readonly TriggeredBuild[], io: CliIO): Promise<void> {
  if (!command) return;
  for (const b of builds) {
    const code = await new Promise<number>((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: io.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...io.env,
          ISCTL_BUILD_NAME: b.name,
          ISCTL_BUILD_NAMESPACE: b.namespace,
          ISCTL_BUILD_IMAGE: b.image,
          ISCTL_BUILD_FILE: b.file,
          ISCTL_BUILD_TRIGGER: b.trigger,
        },
      });
      child.stdout.on('data', (d: Buffer) => io.stdout.write(d.toString()));
      child.stderr.on('data', (d: Buffer) => io.stderr.write(d.toString()));
      child.on('error', () => resolve(127));
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) io.stderr.write(`warning: --on-build command exited with ${code} for buildconfig/${b.name}\n`);
  }
}
