/**
 * Runs the real `git` command: a child process with an argument array (never a shell), stdin
 * closed unless input is given, a time limit, and an environment that cannot make git wait for
 * a password nor point it at another repository than the one the state folder is in.
 */
import { spawn } from 'node:child_process';
import { GitError } from './errors.js';

/** How one git command runs. */
export interface GitRunOptions {
  cwd: string;
  /** The environment the command starts from (the user's: credential helpers, SSH agents, config). */
  env: Record<string, string | undefined>;
  /** Bytes for stdin; without it stdin is closed, so nothing can wait on a prompt. */
  input?: string;
  /** Kill the command after this long (default 120 s). */
  timeoutMs?: number;
  /** Extra variables for this command only (e.g. GIT_INDEX_FILE). */
  extraEnv?: Record<string, string>;
}

/** What a git command printed and how it ended. */
export interface GitOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Default time limit of one git command. */
export const DEFAULT_GIT_TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Variables that would make git work on another repository or index than the one holding the
 * state folder (they are set when isctl runs inside a git hook of some other repository).
 */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

/** The environment of a git child process. */
export function gitEnvironment(
  env: Record<string, string | undefined>,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !REPOSITORY_VARIABLES.includes(k)) out[k] = v;
  // Never ask for a user name or password on a terminal: fail instead (the time limit bounds the rest).
  out.GIT_TERMINAL_PROMPT = '0';
  return { ...out, ...extra };
}

/** Removes the user:password part of URLs in git's messages, so no credential reaches a log. */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

/** Runs `git ARGS` and resolves with its exit code and output (a non-zero exit is not an error here). */
export function runGit(args: string[], options: GitRunOptions): Promise<GitOutput> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn('git', args, {
        cwd: options.cwd,
        env: gitEnvironment(options.env, options.extraEnv),
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      reject(noGit(err));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_OUTPUT) into.push(chunk);
    };
    child.stdout!.on('data', collect(out));
    child.stderr!.on('data', collect(err));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(noGit(e));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = redactUrls(Buffer.concat(err).toString('utf8'));
      if (timedOut) {
        reject(
          new GitError(
            'Timeout',
            `git ${args.find((a) => !a.startsWith('-')) ?? ''} did not finish within ${Math.round(timeoutMs / 1000)} s`,
            'check that the remote is reachable, or raise ISCTL_GIT_TIMEOUT (seconds)',
            stderr,
          ),
        );
        return;
      }
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // git may exit before reading all of it
      child.stdin!.end(options.input);
    }
  });
}

function noGit(err: unknown): GitError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT')
    return new GitError('NoGit', 'git is not installed or not on PATH', 'install git (2.25 or newer)');
  return new GitError('Failed', `cannot run git: ${(err as Error)?.message ?? String(err)}`);
}

/** The last lines git printed on stderr, for a message (hints and blank lines dropped). */
export function gitMessage(stderr: string, lines = 6): string {
  const kept = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '' && !l.startsWith('hint:'));
  return kept.slice(-lines).join('\n');
}
