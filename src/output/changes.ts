/**
 * Printing of what a writing command changed: unified diffs of the files, the workloads its
 * triggers rewrote, and (for refresh) one summary line per tag.
 */
import type { FileChange } from '../state/types.js';
import type { TriggerReport } from '../core/context.js';
import type { TagRefreshOutcome } from '../core/refresh.js';
import { unifiedDiff } from './diff.js';
import { escapeControls } from '../domain/escape.js';

/** The unified diffs of every changed file, in path order. */
export function renderDiffs(changes: readonly FileChange[], color: boolean): string {
  return [...changes]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((c) => unifiedDiff(c, { color }))
    .join('');
}

/** One line per workload rewritten by a trigger (stdout) and the trigger warnings (stderr). */
export function renderTriggerReport(reports: readonly TriggerReport[]): { lines: string[]; warnings: string[] } {
  const lines: string[] = [];
  const warnings: string[] = [];
  for (const r of reports) {
    for (const w of r.updated) {
      for (const c of w.changes)
        lines.push(`${w.kind.toLowerCase()}/${w.name}: container "${c.container}" image updated to ${c.to}`);
      if (w.rollout)
        lines.push(
          `${w.kind.toLowerCase()}/${w.name}: rolled out version ${w.rollout.latestVersion} (${w.rollout.message})`,
        );
    }
    for (const b of r.builds) lines.push(`buildconfig/${b.name}: build triggered by ${b.image}`);
    for (const m of r.markers ?? []) lines.push(`${m.file}:${m.line}: "${m.marker}" updated to ${m.to}`);
    warnings.push(...r.warnings.map((w) => `warning: ${w}`));
    warnings.push(...(r.markerProblems ?? []).map((p) => `error: ${p}`));
  }
  return { lines: lines.map((l) => escapeControls(l)), warnings: warnings.map((w) => escapeControls(w)) };
}

/** "1.2.7: min age 1h not reached (first seen …, 59m59s remaining)" or "1.2.7: NotFound: …". */
export function heldBackText(h: {
  tag: string;
  reason: string;
  message: string;
  until?: string;
  minAgeRemaining?: string;
}): string {
  if (h.reason === 'MinAge')
    return `${h.tag}: ${h.message}${h.minAgeRemaining ? ` (${h.minAgeRemaining} remaining)` : ''}`;
  return `${h.tag}: ${h.reason}: ${h.message}`;
}

function short(digest: string | undefined): string {
  if (!digest) return '<none>';
  const [alg, hex] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest;
}

/** The refresh summary: a line per changed or failed tag, then the counts. */
export function renderRefreshSummary(
  outcomes: readonly TagRefreshOutcome[],
  dryRun: boolean,
  triggers: readonly TriggerReport[] = [],
): { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const dry = dryRun ? ' (dry run)' : '';
  for (const o of outcomes) {
    const name = `${o.namespace}/${o.stream}:${o.tag}`;
    const p = o.policy;
    if (o.status === 'changed') {
      // A policy tag that moved names both versions: "1.2.5 -> 1.2.6".
      const moved = p?.chosen && p.previous && p.chosen !== p.previous ? ` ${p.previous} -> ${p.chosen}` : '';
      lines.push(`${name}${moved} ${short(o.oldDigest)} -> ${short(o.newDigest)}${dry}`);
    } else if (o.status === 'failed') errors.push(`error: tag ${name} failed: ${o.error?.message ?? ''}`);
    if (p?.heldBack) {
      const at = p.chosen ?? p.previous ?? '<none>';
      const where = o.status === 'changed' ? `took ${at} instead` : `stays at ${at}`;
      lines.push(escapeControls(`${name} held back ${heldBackText(p.heldBack)}; ${where}${dry}`));
    }
  }
  const changed = outcomes.filter((o) => o.status === 'changed').length;
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const held = outcomes.filter((o) => o.policy?.heldBack).length;
  let counts = `${count(outcomes.length, 'tag')} checked, ${changed} changed, ${held ? `${held} held back, ` : ''}${failed} failed`;
  // What the triggers changed is a change too, also when no tag moved (a workload catching up).
  const workloads = new Set(triggers.flatMap((t) => t.updated.map((w) => `${w.kind}/${w.namespace}/${w.name}`)));
  const builds = triggers.reduce((n, t) => n + t.builds.length, 0);
  if (workloads.size > 0) counts += `, ${count(workloads.size, 'workload')} updated by triggers`;
  if (builds > 0) counts += `, ${count(builds, 'build')} triggered`;
  lines.push(`${counts}${dry}`);
  return { lines, errors: errors.map((e) => escapeControls(e)) };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
