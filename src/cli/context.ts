/**
 * The composition root: the only place that builds a CoreContext (the state folder, the registry
 * client sharing the folder's blob store, the clock, the namespace, the cluster settings and the
 * trigger controller) from the global options and the environment. Commands get everything
 * they hand to core from here.
 */
import path from 'node:path';
import { type LoadReport, openStateStore } from '../state/store.js';
import type { MirrorSetObject } from '../registry/mirrors.js';
import { stateReporter } from './state-report.js';
import type { ImageSourceOptions } from '../registry/index.js';
import type { ImageSource } from '../registry/types.js';
import { createTriggerHook } from '../core/triggers/controller/controller.js';
import { LISTING_VIEWS } from '../core/listing-views.js';
import type { BlobStore } from '../state/types.js';
import type { CoreContext } from '../core/context.js';
import type { GlobalOptions } from './globals.js';
import type { CliIO } from './io.js';
import { createRequestTrace, createWaitNotice } from '../output/request-log.js';
import { escapeLine } from '../domain/escape.js';
import { requireRequestNamespace } from '../domain/validation.js';
import { createProvenanceStore } from '../state/provenance.js';
import { loadSignaturePolicy, type SignatureFlags } from './signature-policy.js';

/** Options that change how the context is built. */
export interface ContextOptions {
  /** Nothing may be written, not even the blob cache. */
  dryRun?: boolean;
  /** Connections per registry (default 8). */
  maxConnectionsPerRegistry?: number;
  /** maxImagesBulkImportedPerRepository (default 50, -1 = no limit). */
  maxBulkImport?: number;
  /** Wraps the registry client, e.g. to count requests for `serve`'s /metrics. */
  instrumentSource?: (source: ImageSource) => ImageSource;
  /**
   * Where what loading the folder found goes (unreadable files, repeated keys): by default printed
   * on stderr once per run, failing the run (src/cli/state-report.ts); null says nothing (completion).
   */
  stateReport?: ((found: LoadReport) => void) | null;
  /** An importing command's --signature-policy / --verify-signatures (src/cli/signature-policy.ts). */
  signatures?: SignatureFlags;
  /**
   * Who refuses a namespace that cannot be a URL path segment (`-n ..`), as client-go rest
   * Request.Namespace does before any request is sent. 'always' (the default): here, before the
   * folder is read. 'unless-all-namespaces': likewise, but not with -A, which sends no namespace (a
   * listing across all of them: get, describe, refresh…). 'use-case': the use case checks each
   * namespace it would send a request to (tag's destinations and apply's objects may name their
   * own). 'none': -n is not sent at all (project shows the folder's; completion offers no names).
   */
  namespaceCheck?: 'always' | 'unless-all-namespaces' | 'use-case' | 'none';
  /**
   * How many errors the refused requests make in the aggregate kubectl's checkErr prints without
   * `error: ` (ErrorList); 0, the default, when one plain error reaches it. The resource builder's
   * ContinueOnErrorVisitor aggregates one error per name when there are several; get's table
   * path and describe wrap a listing's aggregate once more (get.go Run, describe.go Run).
   */
  namespaceErrors?: number;
}

/** What the context is built from: the global options (completion builds one from the words typed). */
export type ContextGlobals = Pick<
  GlobalOptions,
  | 'dir'
  | 'namespace'
  | 'allNamespaces'
  | 'internalRegistry'
  | 'registryConfig'
  | 'registriesConf'
  | 'verbosity'
  | 'requestTimeoutMs'
>;

/** Creates the dependencies of the core use cases for one command run. */
export function buildCoreContext(g: ContextGlobals, io: CliIO, options: ContextOptions = {}): CoreContext {
  const check = options.namespaceCheck ?? 'always';
  if (check === 'always' || (check === 'unless-all-namespaces' && !g.allNamespaces))
    requireRequestNamespace(g.namespace, options.namespaceErrors);
  const report = options.stateReport === undefined ? stateReporter(io) : options.stateReport;
  // The listing views of ImageStreams live in the object index: `get is -A` parses no unchanged file.
  const store = openStateStore(g.dir, { ...(report ? { report } : {}), views: LISTING_VIEWS });
  const blobs = options.dryRun ? readOnlyBlobs(store.blobs) : store.blobs;
  const signaturePolicy = options.signatures ? loadSignaturePolicy(options.signatures, io) : undefined;
  const provenance = createProvenanceStore(g.dir, { readOnly: Boolean(options.dryRun) });
  const lazy = lazyImageSource({
    blobs,
    provenance,
    ...(signaturePolicy ? { signaturePolicy } : {}),
    ...(g.registryConfig ? { registryConfig: g.registryConfig } : {}),
    ...(g.registriesConf ? { registriesConf: path.resolve(io.cwd, g.registriesConf) } : {}),
    // Mirror sets are cluster-scoped: every one in the folder applies, whatever -n says. Read from
    // the command's own snapshot of the folder when it has one (no second load of every file).
    mirrorSets: async () => {
      const snap = await store.read(g.namespace, { reuse: true });
      return ['ImageDigestMirrorSet', 'ImageTagMirrorSet'].flatMap((kind) =>
        snap.list(kind).map((o) => o.current as unknown as MirrorSetObject),
      );
    },
    env: io.env,
    ociBaseDir: g.dir,
    maxConnectionsPerRegistry: options.maxConnectionsPerRegistry ?? envNumber(io.env.ISCTL_MAX_CONNECTIONS) ?? 8,
    // ISCTL_HTTP2=0 keeps HTTPS registries on HTTP/1.1 (a proxy or registry that mishandles h2).
    http2: io.env.ISCTL_HTTP2 !== '0',
    ...(envNumber(io.env.ISCTL_HTTP2_STREAMS)
      ? { maxStreamsPerConnection: envNumber(io.env.ISCTL_HTTP2_STREAMS) }
      : {}),
    now: io.now,
    ...requestReporting(g, io),
  });
  const source = options.instrumentSource ? options.instrumentSource(lazy) : lazy;
  return {
    store,
    source,
    now: io.now,
    namespace: g.namespace,
    settings: { internalRegistry: g.internalRegistry, maxBulkImport: options.maxBulkImport ?? 50 },
    triggers: createTriggerHook({ now: io.now }),
    provenance,
  };
}

/** The request deadline, `-v` tracing and the terminal's "waiting for HOST" notice, all on stderr. */
function requestReporting(g: ContextGlobals, io: CliIO): Partial<ImageSourceOptions> {
  const write = (text: string) => io.stderr.write(text);
  // klog stamps its lines with the wall clock to the microsecond, not with the command's clock.
  const trace = createRequestTrace(g.verbosity, write);
  const notice = createWaitNotice(io.stderr, io.env);
  const onSource = g.verbosity >= 6 ? (line: string) => write(`${escapeLine(`mirrors: ${line}`)}\n`) : undefined;
  return {
    timeoutMs: g.requestTimeoutMs,
    ...(trace ? { trace } : {}),
    ...(onSource ? { onSource } : {}),
    ...(notice ? { onWait: notice.onWait } : {}),
  };
}

function readOnlyBlobs(b: BlobStore): BlobStore {
  return { get: (d) => b.get(d), has: (d) => b.has(d), put: async () => undefined, flush: async () => undefined };
}

function envNumber(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The registry client (and undici under it) is loaded on first use: read-only commands and
 * `--help` never pay for it, which keeps their start-up close to a bare `node`.
 */
function lazyImageSource(options: ImageSourceOptions): ImageSource {
  let loaded: Promise<ImageSource> | undefined;
  let source: ImageSource | undefined;
  const get = () => (loaded ??= import('../registry/index.js').then((m) => (source = m.createImageSource(options))));
  return {
    resolve: async (spec, o) => (await get()).resolve(spec, o),
    listTags: async (spec, o) => (await get()).listTags(spec, o),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
    // Loads the client now: its connections then open while the folder is still being read.
    prepare: (repositories) => {
      if (repositories.length === 0) return;
      get().then(
        (s) => s.prepare?.(repositories),
        () => undefined,
      );
    },
    // Never loaded: no request was made.
    requests: () => source?.requests?.() ?? [],
  };
}
