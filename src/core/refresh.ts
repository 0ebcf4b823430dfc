/**
 * `refresh`: re-import every registry-sourced tag of the selected streams, record what changed
 * as OpenShift would, and apply triggers. (Contract first; the implementation lands with issue 4.)
 */
import type { CoreContext, TriggerReport } from './context.js';
import type { FileChange } from '../state/types.js';

/** Which tags a refresh looks at. */
export interface RefreshSelection {
  /** Namespace to refresh; undefined = every namespace (-A). */
  namespace?: string;
  /** Stream names (empty = all streams of the namespace). */
  streams?: string[];
  /** Only tags with importPolicy.scheduled: true (what OpenShift's scheduler re-imports). */
  scheduledOnly?: boolean;
  /** Extra filter, e.g. from a webhook: only tags whose source matches. */
  match?: (tag: { namespace: string; stream: string; tag: string; from: string }) => boolean;
}

/** How a refresh runs. */
export interface RefreshOptions {
  dryRun?: boolean;
  /** Called as tags finish (for progress output). */
  onProgress?: (done: number, total: number, current: string, failures: number) => void;
}

/** What happened to one tag. */
export interface TagRefreshOutcome {
  namespace: string;
  stream: string;
  tag: string;
  from: string;
  status: 'unchanged' | 'changed' | 'failed';
  oldDigest?: string;
  newDigest?: string;
  error?: { reason: string; message: string };
}

/** The result of a refresh: per-tag outcomes, file changes (with before/after text) and triggers. */
export interface RefreshResult {
  outcomes: TagRefreshOutcome[];
  changes: FileChange[];
  triggers: TriggerReport;
}

/** Re-imports the selected tags. */
export async function refresh(ctx: CoreContext, selection: RefreshSelection, options: RefreshOptions = {}): Promise<RefreshResult> {
  void ctx;
  void selection;
  void options;
  throw new Error('refresh: not implemented yet');
}
