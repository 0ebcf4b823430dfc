/**
 * `--on-build CMD`: what stands in for OpenShift starting a Build when a BuildConfig's
 * ImageChange trigger fires. CMD is the user's own command line and runs through `/bin/sh -c`;
 * everything taken from objects reaches it only through environment variables, never through
 * the command text, so a name or image in a file cannot inject shell code.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TriggeredBuild } from '../core/context.js';

/** Where and how the hook runs. */
export interface BuildHookOptions {
  /** State folder: ISCTL_BUILD_FILE is made absolute against it. */
  stateDir?: string;
  cwd?: string;
  /** Receives the hook's output as it arrives (default: collected only). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}

/** The outcome of one hook run. */
export interface BuildHookResult {
  build: TriggeredBuild;
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment a hook sees for one build: the caller's env plus ISCTL_BUILD_*. */
export function buildHookEnv(
  build: TriggeredBuild,
  env: Record<string, string | undefined>,
  stateDir?: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  out.ISCTL_BUILD_NAME = build.name;
  out.ISCTL_BUILD_NAMESPACE = build.namespace;
  out.ISCTL_BUILD_IMAGE = build.image;
  out.ISCTL_BUILD_FILE = stateDir && build.file ? path.join(stateDir, build.file) : build.file;
  out.ISCTL_BUILD_TRIGGER = build.trigger;
  if (build.version !== undefined) out.ISCTL_BUILD_VERSION = String(build.version);
  return out;
}

/** Runs `cmd` once per triggered build, one after the other, and reports each exit status. */
export async function runBuildHooks(
  builds: TriggeredBuild[],
  cmd: string,
  env: Record<string, string | undefined>,
  options: BuildHookOptions = {},
): Promise<BuildHookResult[]> {
  const results: BuildHookResult[] = [];
  for (const build of builds)
    results.push(await runOne(build, cmd, buildHookEnv(build, env, options.stateDir), options));
  return results;
}

function runOne(
  build: TriggeredBuild,
  cmd: string,
  env: Record<string, string>,
  options: BuildHookOptions,
): Promise<BuildHookResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', cmd], { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      options.onOutput?.('stdout', s);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      options.onOutput?.('stderr', s);
    });
    child.on('error', (err) =>
      resolve({ build, exitCode: 127, signal: null, stdout, stderr: stderr + String(err.message) }),
    );
    child.on('close', (exitCode, signal) => resolve({ build, exitCode, signal, stdout, stderr }));
  });
}
