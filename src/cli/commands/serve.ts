/**
 * `isctl serve`: re-import scheduled tags every --interval and receive registry webhooks.
 * Thin wiring: read flags and the secret, build the context, start
 * src/server, stop gracefully on SIGTERM/SIGINT. `--once` runs one scheduled pass for cron jobs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from '../command.js';
import { commandPath } from '../command.js';
import { changesExitCode, diffExitCode, renderError, type ExitCode } from '../errors.js';
import { globalOptions, type GlobalOptions, type Program } from '../globals.js';
import { buildCoreContext } from '../context.js';
import { addSignatureOptions } from '../signature-policy.js';
import type { LoadReport } from '../../state/store.js';
import { printChanges } from '../report.js';
import { addOnBuildOptions, type OnBuild, readOnBuild, runOnBuild } from '../on-build.js';
import { noSignals, type CliIO } from '../io.js';
import { refresh, type RefreshSelection } from '../../core/refresh.js';
import type { CoreContext, TriggeredBuild } from '../../core/context.js';
import type { ImageStream } from '../../domain/types.js';
import { UsageError } from '../../domain/errors.js';
import { renderRefreshSummary } from '../../output/changes.js';
import { startServe, parseListenAddress } from '../../server/index.js';
import { Importer } from '../../server/importer.js';
import { parseInterval } from '../../server/interval.js';
import { createLogger, type Logger, type LogFormat } from '../../server/log.js';
import type { StreamView } from '../../server/matcher.js';
import { createServeMetrics, instrumentImageSource } from '../../server/telemetry.js';
import { readServeGitFlags, startServeGit } from '../serve-git.js';

const examples = `
Examples:
  # Re-import scheduled tags every 15 minutes; no webhooks (no secret configured)
  isctl serve --dir ./cluster

  # Also receive registry webhooks on 127.0.0.1:8080/webhooks/{distribution,dockerhub,quay,harbor,github}
  isctl serve --webhook-secret-file /run/secrets/isctl-webhook --interval 5m

  # One scheduled pass for a cron job: exit 0 nothing changed, 1 something changed, 2 errors
  isctl serve --once

  # Status page on all interfaces (open http://HOST:8080/, user name anything, password the token)
  isctl serve --listen :8080 --ui-token-file /run/secrets/isctl-ui

  # Work in a clone of its own and push every change; run as many replicas as you like
  isctl serve --git-push --git-url https://git.example.com/team/cluster.git --dir /var/lib/isctl/cluster

The status page (GET /) and its data (GET /api/v1/status) are read-only. On a loopback --listen
they need no login; on any other address they need the --ui-token-file token (ISCTL_UI_TOKEN), or
else the webhook secret, as the password of the browser's login prompt or as
"Authorization: Bearer TOKEN"; with neither they stay closed. serve speaks plain HTTP: put a TLS
proxy in front of it when the page is reached over a network.

Senders authenticate with the secret: "Authorization: Bearer SECRET" (Distribution
notifications.endpoints[].headers, Harbor "Auth Header"), "?token=SECRET" in the URL (Docker Hub,
Quay), or the HMAC-SHA256 signature GitHub computes with the secret (X-Hub-Signature-256).

Distribution (registry config.yml), pull events skipped:
  notifications:
    endpoints:
      - name: isctl
        url: http://127.0.0.1:8080/webhooks/distribution
        headers: { Authorization: [Bearer SECRET] }
        ignore:
          mediatypes: [application/x-none]   # 2.8 ignores "actions" unless this is non-empty
          actions: [pull]
`;

/** Reads the webhook secret from --webhook-secret-file or ISCTL_WEBHOOK_SECRET; undefined when neither is set. */
export function readWebhookSecret(file: string | undefined, io: CliIO): string | undefined {
  return readSecret(file, 'ISCTL_WEBHOOK_SECRET', 'webhook secret', 'shared secret', io);
}

/** Reads a secret from its file flag or its environment variable (a file keeps it out of `ps`). */
function readSecret(file: string | undefined, env: string, what: string, holding: string, io: CliIO) {
  let secret: string | undefined;
  if (file !== undefined) {
    try {
      secret = readFileSync(path.resolve(io.cwd, file), 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new UsageError(
        `cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        `pass a readable file holding the ${holding}`,
      );
    }
    if (secret.trim() === '')
      throw new UsageError(
        `the ${what} file ${file} is empty`,
        `write the ${holding} into it, e.g. openssl rand -hex 32 > FILE`,
      );
  } else if (io.env[env] !== undefined && io.env[env] !== '') {
    secret = io.env[env];
  }
  return secret;
}

function parseFlags(opts: Flags): {
  format: LogFormat;
  listen: NonNullable<ReturnType<typeof parseListenAddress>>;
  intervalMs: number;
  maxBodyBytes: number;
  queueDepth: number;
} {
  const format = opts.logFormat;
  if (format !== 'json' && format !== 'text')
    throw new UsageError(`invalid --log-format "${format}": use json or text`);
  const listen = parseListenAddress(opts.listen);
  if (!listen) throw new UsageError(`invalid --listen "${opts.listen}": use HOST:PORT, [IPv6]:PORT, :PORT or PORT`);
  const positive = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`invalid --${name} "${v}": use a whole number above 0`);
    return n;
  };
  return {
    format,
    listen,
    intervalMs: parseInterval(opts.interval),
    maxBodyBytes: positive('max-body-bytes', opts.maxBodyBytes),
    queueDepth: positive('queue-depth', opts.queueDepth),
  };
}

/** `--on-build CMD`: run the command for each BuildConfig a refresh triggered (as `refresh --on-build`). */
function onBuild(hook: OnBuild | undefined, io: CliIO, g: GlobalOptions) {
  if (!hook) return {};
  return {
    // The server keeps running: runOnBuild reports a failed hook on stderr.
    afterImport: async (r: { triggers: { builds: TriggeredBuild[] } }) => {
      await runOnBuild(hook, r.triggers.builds, io, g.dir);
    },
  };
}

/** `-n`/ISCTL_NAMESPACE restrict serve to one namespace; otherwise it serves the whole folder. */
function servedNamespace(cmd: Cmd, io: CliIO, g: GlobalOptions): string | undefined {
  // An empty -n or ISCTL_NAMESPACE names none (as readGlobals reads them).
  const explicit = cmd.optsWithGlobals().namespace || io.env.ISCTL_NAMESPACE || undefined;
  return g.allNamespaces || explicit === undefined ? undefined : g.namespace;
}

function streamLister(ctx: CoreContext, g: GlobalOptions): () => Promise<StreamView[]> {
  return async () => {
    const snap = await ctx.store.read(g.namespace);
    return snap
      .list<ImageStream>('ImageStream')
      .map((s) => ({ namespace: s.namespace, name: s.name, stream: s.object }));
  };
}

async function action(opts: Flags, cmd: Cmd, io: CliIO): Promise<ExitCode> {
  const g = globalOptions(cmd, io);
  const flags = parseFlags(opts);
  const hook = readOnBuild(opts, io);
  const secret = readWebhookSecret(opts.webhookSecretFile, io);
  const uiToken = readSecret(opts.uiTokenFile, 'ISCTL_UI_TOKEN', 'UI token', 'token', io);
  const logger = createLogger(flags.format, (l) => io.stderr.write(l), io.now);
  const metrics = createServeMetrics();
  const gitFlags = readServeGitFlags(opts, flags.intervalMs);
  const namespace = servedNamespace(cmd, io, g);
  // A file of the folder that cannot be read is logged once, as an event of the log format in use.
  const told = new Set<string>();
  const stateReport = ({ problems, warnings }: LoadReport): void => {
    for (const [level, list] of [['error', problems] as const, ['warn', warnings] as const])
      for (const p of list) {
        if (told.has(p.message)) continue;
        told.add(p.message);
        logger.log(level, 'state_file', p.message, p.hint ? { hint: p.hint } : {});
      }
  };
  const build = (): CoreContext =>
    buildCoreContext(g, io, {
      instrumentSource: (source) => instrumentImageSource(source, metrics),
      stateReport,
      signatures: opts,
      namespaceCheck: 'unless-all-namespaces',
    });
  // With --git-push the clone is made ready (cloned, repaired) before the folder is opened.
  const withGit = gitFlags
    ? await startServeGit({
        io,
        dir: g.dir,
        flags: gitFlags,
        context: build,
        namespace,
        logger,
        metrics,
      })
    : undefined;
  const ctx = withGit?.ctx ?? build();
  const git = withGit?.git;
  const run = git ? git.refresh : (sel: RefreshSelection) => refresh(ctx, sel);
  const gitDeps = git ? { claimSchedule: git.claimSchedule, health: git.health } : {};
  try {
    if (opts.once)
      return await once(cmd, io, g, opts, {
        run,
        listStreams: streamLister(ctx, g),
        logger,
        metrics,
        namespace,
        ...(git ? { claimSchedule: git.claimSchedule } : {}),
      });
    // Signals are caught before the listener starts so an early SIGTERM still stops gracefully.
    const signals = (io.signals ?? noSignals).listen((signal) =>
      logger.log('warn', 'forced', `second ${signal}: exiting without waiting for the import in progress`),
    );
    try {
      const handle = await startServe(
        {
          listen: flags.listen,
          intervalMs: flags.intervalMs,
          maxBodyBytes: flags.maxBodyBytes,
          queueDepth: flags.queueDepth,
          ...(secret !== undefined ? { secret } : {}),
          ...(uiToken !== undefined ? { uiToken } : {}),
          ...(namespace !== undefined ? { namespace } : {}),
        },
        {
          refresh: run,
          listStreams: streamLister(ctx, g),
          readState: () => ctx.store.read(g.namespace),
          now: () => io.now().getTime(),
          logger,
          metrics,
          ...onBuild(hook, io, g),
          ...gitDeps,
        },
      );
      await handle.stop(await signals.received);
      await git?.release();
      return 0;
    } finally {
      signals.release();
    }
  } finally {
    await ctx.source.close();
  }
}

async function once(
  cmd: Cmd,
  io: CliIO,
  g: GlobalOptions,
  opts: Flags,
  d: {
    run: (s: RefreshSelection) => ReturnType<typeof refresh>;
    listStreams: () => Promise<StreamView[]>;
    logger: Logger;
    metrics: ReturnType<typeof createServeMetrics>;
    namespace: string | undefined;
    claimSchedule?: () => Promise<boolean>;
  },
): Promise<ExitCode> {
  const importer = new Importer({
    refresh: d.run,
    listStreams: d.listStreams,
    logger: d.logger,
    metrics: d.metrics,
    ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
    ...(d.claimSchedule ? { claimSchedule: d.claimSchedule } : {}),
  });
  let result;
  try {
    result = await importer.runOnce();
  } catch (err) {
    // --once promises 1 for "changed": an error exits with more, as kubectl diff's CheckDiffErr.
    const rendered = renderError(err, commandPath(cmd));
    io.stderr.write(rendered.text);
    return diffExitCode(rendered);
  }
  if (!result) {
    io.stderr.write('the scheduled pass is left to the replica holding the scheduler lease\n');
    return 0;
  }
  const summary = renderRefreshSummary(result.outcomes, false, [result.triggers]);
  for (const e of summary.errors) io.stderr.write(`${e}\n`);
  for (const l of summary.lines) io.stdout.write(`${l}\n`);
  printChanges(io, result.changes, [result.triggers], g.color);
  const hooksFailed = await runOnBuild(readOnBuild(opts, io), result.triggers.builds, io, g.dir);
  const failed = result.outcomes.some((o) => o.status === 'failed') || hooksFailed > 0;
  const changed = result.outcomes.some((o) => o.status === 'changed') || result.changes.length > 0;
  // The codes of `refresh --exit-code`: 0 no change, 1 changes, 2 failures, 3 changes with failures.
  return changesExitCode(changed, failed);
}

function define(program: Program) {
  const cmd = program
    .command('serve')
    .summary('Re-import scheduled tags periodically and receive registry webhooks')
    .description(
      'Run until SIGTERM/SIGINT: every --interval, re-import the tags with importPolicy.scheduled: true (spread over the ' +
        'interval as OpenShift does) and apply triggers; with a webhook secret, also accept push notifications from ' +
        'Distribution, Docker Hub, Quay, Harbor and GitHub on /webhooks/<sender> and re-import the matching tags (the digest ' +
        'is always read from the registry). /healthz and /metrics (Prometheus) are always served, and a read-only status ' +
        'page at / (its data as JSON at /api/v1/status; see below for who may read it). Logs go to stderr. ' +
        'Every namespace of the folder is served unless -n (or ISCTL_NAMESPACE) names one.',
    )
    .option('--listen <addr>', 'Address to listen on (HOST:PORT, :PORT for all interfaces)', '127.0.0.1:8080')
    .option('--interval <duration>', 'How often every scheduled tag is re-imported (30s, 5m, 1h, 1h30m)', '15m')
    .option(
      '--once',
      'Run one scheduled pass and exit: 0 nothing changed, 1 something changed, 2 something failed, ' +
        '3 something changed (written) and something failed (as refresh --exit-code)',
    )
    .option(
      '--webhook-secret-file <file>',
      'File holding the shared webhook secret (env ISCTL_WEBHOOK_SECRET); without one no webhook endpoint is opened',
    )
    .option(
      '--ui-token-file <file>',
      'File holding the token the status page asks for (env ISCTL_UI_TOKEN); needed when --listen is not loopback ' +
        'unless the webhook secret is used instead',
    )
    .option(
      '--git-push',
      'After every scheduled pass and webhook batch, commit what changed and push it to the ' +
        "clone's upstream; --dir must be a clone of serve's own (README: several replicas)",
    )
    .option('--git-url <url>', 'With --git-push: clone from URL into --dir when it is missing or empty, or damaged')
    .option('--author <author>', 'With --git-push: author of the commits, "Name <email>"')
    .option(
      '--message-template <template>',
      'With --git-push: commit message as a JSONPath template over the document refresh -o json prints',
    )
    .option(
      '--lease-duration <duration>',
      'With --git-push: how long the scheduler lease lasts without renewal (default two scheduler ticks, at least 30s)',
    )
    .option(
      '--lease-ref <ref>',
      'With --git-push: the ref holding the scheduler lease (default refs/isctl/lease/NAMESPACE/BRANCH)',
    )
    .option('--log-format <format>', 'Log lines on stderr: json or text', 'json')
    .option('--max-body-bytes <n>', 'Largest webhook body accepted (413 above)', '1048576')
    .option('--queue-depth <n>', 'Most distinct pushes waiting for import; more are refused with 503', '1000')
    .addHelpText('after', examples);
  return addSignatureOptions(addOnBuildOptions(cmd));
}

type Cmd = ReturnType<typeof define>;
type Flags = ReturnType<Cmd['opts']>;

/** Registers `serve`. */
export const serveCommand: CommandModule = {
  register(program, { io, action: exits }) {
    define(program).action(exits((opts, cmd) => action(opts, cmd, io)));
  },
};
