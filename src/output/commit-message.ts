/**
 * Commit messages of `--commit`: by default a subject naming what moved and a body listing every
 * stream tag that moved (old → new digest) and every workload rolled out; with
 * `--message-template` a kubectl JSONPath template (the `-o jsonpath=` language) rendered over
 * the document `-o json` prints for the run.
 */
import type { CommitFacts } from '../core/gitops.js';
import { renderJsonPath } from './jsonpath.js';

/** The default message for a change. */
export function defaultCommitMessage(facts: CommitFacts, files: readonly string[]): string {
  const { tags, workloads } = facts;
  const lines: string[] = [];
  for (const t of tags) lines.push(`${t.namespace}/${t.stream}:${t.tag} ${t.oldDigest ?? '(none)'} → ${t.newDigest}`);
  for (const w of workloads) {
    const rollout = w.latestVersion !== undefined ? ` rollout ${w.latestVersion}` : '';
    const images = w.images.length > 0 ? `: ${w.images.join(', ')}` : '';
    lines.push(`${w.kind.toLowerCase()} ${w.namespace}/${w.name}${rollout}${images}`);
  }
  if (lines.length === 0) for (const f of files) lines.push(`${f} updated`);
  return `${subject(facts, files)}\n\n${lines.join('\n')}\n`;
}

function subject(facts: CommitFacts, files: readonly string[]): string {
  const { command, tags, workloads } = facts;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (tags.length === 1 && workloads.length <= 1) {
    const t = tags[0];
    const w = workloads.length === 1 ? `, ${workloads[0].kind.toLowerCase()} ${workloads[0].name} rolled out` : '';
    return `isctl ${command}: ${t.namespace}/${t.stream}:${t.tag} → ${t.newDigest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1')}${w}`;
  }
  const parts: string[] = [];
  if (tags.length > 0) parts.push(`${plural(tags.length, 'image tag', 'image tags')} moved`);
  if (workloads.length === 1 && tags.length === 0)
    parts.push(`${workloads[0].kind.toLowerCase()} ${workloads[0].namespace}/${workloads[0].name} rolled out`);
  else if (workloads.length > 0) parts.push(`${plural(workloads.length, 'workload', 'workloads')} rolled out`);
  if (parts.length === 0) parts.push(`${plural(files.length, 'file', 'files')} updated`);
  return `isctl ${command}: ${parts.join(', ')}`;
}

/** Renders `--message-template` over the run's `-o json` document. */
export function templateCommitMessage(template: string, data: unknown): string {
  return renderJsonPath(template, data);
}
