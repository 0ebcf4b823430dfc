/**
 * The status document of `serve`: what `GET /api/v1/status` returns and what the page at `GET /`
 * renders (README "Status page" documents the shape). Plain JSON data: times are RFC 3339 strings
 * of the server's clock, absent values are null (never left out), lists are bounded.
 */
import type { FlowGraph } from '../../core/graph.js';

/** Where a tag stands, worst first in every list the page shows. */
export type TagState = 'heldBack' | 'failed' | 'pending' | 'reference' | 'ok';

/** A trigger that follows a tag: the workload and how it follows. */
export interface TagFollower {
  /** The graph node id of the workload (`wl:<namespace>/<Kind>/<name>`). */
  id: string;
  /** `deployment/web`, `dc/api`, `bc/app` (namespace-qualified when it lives elsewhere). */
  label: string;
  /** The trigger as the graph names it, e.g. `trigger (web)`, `ImageChange manual`. */
  trigger: string;
  /** False for paused and `automatic: false` triggers. */
  active: boolean;
}

/** One tag of a stream. */
export interface TagStatus {
  name: string;
  state: TagState;
  /** spec.tags[].from; null for a tag only in status. */
  source: { kind: string; name: string; namespace: string | null } | null;
  scheduled: boolean;
  /** status.tags[].items[0]: the image the tag points at now. */
  digest: string | null;
  dockerImageReference: string | null;
  /** When the current image was recorded (items[0].created). */
  importedAt: string | null;
  /** When this `serve` last imported the tag (since it started), whatever came of it. */
  checkedAt: string | null;
  /** ImportSuccess=False: reason, message and since when. */
  failure: { reason: string; message: string; since: string | null } | null;
  /** Set when a version policy kept the tag on its current image (the tag outcome's `heldBack`). */
  heldBack: { reason: string; message: string } | null;
  /** Graph node id of the tag (`tag:<namespace>/<stream>:<tag>`). */
  id: string;
  /** Workloads whose triggers follow the tag. */
  followers: TagFollower[];
}

/** One ImageStream. */
export interface StreamStatus {
  namespace: string;
  name: string;
  /** spec.dockerImageRepository (a whole-repository import), else null. */
  dockerImageRepository: string | null;
  tags: TagStatus[];
}

/** One refresh run of `serve` (or one webhook push nothing imports). */
export interface ImportRun {
  /** When it finished. */
  at: string;
  trigger: 'schedule' | 'webhook' | string;
  /** `2/4` for a scheduled bucket; null for webhook runs. */
  bucket: string | null;
  durationMs: number | null;
  tags: number;
  changed: number;
  failed: number;
  outcome: 'ok' | 'failed' | 'error' | 'no-match';
  /** Why it failed (`error`), or what matched nothing (`no-match`). */
  message: string | null;
  /** `namespace/stream:tag` of the tags whose image changed (at most 20). */
  changedTags: string[];
}

/**
 * One webhook delivery, or a run of alike ones in a row that named no repository (blob pushes
 * Distribution reports as ignored, refusals, duplicates): `count` of them, from `firstAt` to `at`.
 */
export interface Delivery {
  at: string;
  firstAt: string;
  count: number;
  sender: string;
  /** `host/repository:tag` the delivery named (only for deliveries that authenticated). */
  repositories: string[];
  /** accepted, duplicate, ignored, dropped, unauthorized, bad_request, too_large. */
  outcome: string;
  /** Why it was refused, or what it held. */
  message: string | null;
}

/** The scheduler of `serve`. */
export interface SchedulerStatus {
  intervalSeconds: number;
  /** As --interval takes it, e.g. `15m`. */
  interval: string;
  buckets: number;
  /** One bucket of streams is imported every interval/buckets. */
  bucketSeconds: number;
  /** When the next bucket is handed to the importer; null once stopped. */
  nextRunAt: string | null;
  /** 1-based bucket number of that run. */
  nextBucket: number | null;
  /** The last scheduled run. */
  lastRun: ImportRun | null;
}

/** The whole document. */
export interface StatusDocument {
  kind: 'ServeStatus';
  apiVersion: 'isctl/v1';
  generatedAt: string;
  /** How often the page asks for a new document. */
  refreshSeconds: number;
  serve: {
    listen: string;
    /** The namespace served; null = every namespace of the folder. */
    namespace: string | null;
    startedAt: string;
    webhooks: boolean;
    /** `loopback`: no login (loopback listener); `token`: the page needs the UI token or webhook secret. */
    access: 'loopback' | 'token';
    queueDepth: number;
    importing: boolean;
  };
  summary: { streams: number; tags: number; failed: number; heldBack: number; pending: number };
  scheduler: SchedulerStatus;
  /** Streams with held-back or failing tags first, then by namespace and name. */
  streams: StreamStatus[];
  /** Files of the folder that could not be read (they are never rewritten). */
  problems: { file: string; message: string }[];
  /** Newest first, at most 50. */
  imports: ImportRun[];
  /** Newest first, at most 50. */
  deliveries: Delivery[];
  /** Registry repository → tag → trigger → workload, as `isctl graph -o json` prints it. */
  graph: FlowGraph;
}
