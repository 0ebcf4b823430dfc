/**
 * `--on-build CMD`: what stands in for OpenShift starting a Build when a BuildConfig's
 * ImageChange trigger fires. CMD is the user's own command line and runs through `/bin/sh -c`;
 * everything taken from objects reaches it only through environment variables, never through
 * the command text, so a name or image in a file cannot inject shell code.
 *
 * No wait is unbounded: each run has a time limit. The hook runs as the leader of a process group
 * of its own, so on expiry the whole group — the shell and whatever it started — gets SIGTERM,
 * then SIGKILL after a grace period; output pipes still held open by a process that left the group
 * are closed after that grace too. While a hook runs, a SIGINT, SIGTERM or SIGHUP of isctl is passed
 * on to its group (being a group of its own, the terminal's Ctrl-C no longer reaches it directly).
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
  /** The longest one hook run may take (default DEFAULT_BUILD_HOOK_TIMEOUT_MS). */
  timeoutMs?: number;
  /** How long a timed-out hook has between SIGTERM and SIGKILL (default 5 s). */
  killGraceMs?: number;
}

/**
 * The default limit of one hook run. A hook stands in for OpenShift *starting* a Build — the
 * trigger controller creates the Build and does not wait for it — so ten minutes is generous for
 * a command that starts (or even runs) a build, and short enough that a hung one does not hold
 * `serve`'s next passes for long.
 */
export const DEFAULT_BUILD_HOOK_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_KILL_GRACE_MS = 5000;

/** The outcome of one hook run. */
export interface BuildHookResult {
  build: TriggeredBuild;
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The run outlived the time limit and its process group was killed. */
  timedOut: boolean;
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
  const timeoutMs = options.timeoutMs ?? DEFAULT_BUILD_HOOK_TIMEOUT_MS;
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  return new Promise((resolve) => {
    // detached: the shell leads a new process group (and session), which a kill of -pid reaches whole.
    const child = spawn('/bin/sh', ['-c', cmd], {
      env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    };
    const forward = (signal: NodeJS.Signals) => {
      killGroup(signal);
      // Alone with this signal, isctl ends as it would have without the hook running (serve and
      // others that listen for it decide for themselves).
      if (process.listenerCount(signal) === 1) {
        release();
        process.kill(process.pid, signal);
      }
    };
    const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const s of forwarded) process.on(s, forward);
    const release = () => {
      for (const s of forwarded) process.off(s, forward);
    };
    const finish = (r: Omit<BuildHookResult, 'build' | 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      release();
      resolve({ build, ...r, stdout, stderr, timedOut });
    };
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      options.onOutput?.('stdout', s);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      options.onOutput?.('stderr', s);
    });
    timers.push(
      setTimeout(() => {
        timedOut = true;
        killGroup('SIGTERM');
        timers.push(
          setTimeout(() => {
            killGroup('SIGKILL');
            // A process that left the group may still hold the pipes: stop waiting for them.
            timers.push(
              setTimeout(() => {
                child.stdout.destroy();
                child.stderr.destroy();
                finish({ exitCode: child.exitCode, signal: child.signalCode });
              }, graceMs),
            );
          }, graceMs),
        );
      }, timeoutMs),
    );
    child.on('error', (err) => {
      stderr += String(err.message);
      finish({ exitCode: 127, signal: null });
    });
    child.on('close', (exitCode, signal) => finish({ exitCode, signal }));
  });
}
