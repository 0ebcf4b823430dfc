/**
 * oc's describe field helpers (openshift/oc pkg/helpers/describe/helpers.go: tabbedString,
 * formatString, formatTime, formatMapStringString, formatAnnotations, formatMeta), writing
 * tab-separated text that Go's tabwriter then aligns with real TABs.
 */
import type { ObjectMeta } from '../domain/types.js';
import { relativeTime } from './humanize.js';
import { tabwrite, DESCRIBE_TABWRITER } from './tabwriter.js';

/** What an empty value prints as. */
export const EMPTY = '<none>';

/** The text being built for one describe block (stands in for the Go tabwriter.Writer). */
export class DescribeWriter {
  private readonly parts: string[] = [];
  constructor(readonly now: Date) {}

  /** Writes raw text (may contain TABs and newlines). */
  write(s: string): void {
    this.parts.push(s);
  }

  /** `Label:` then one `\t<line>` per line of the value (`<none>` when empty). */
  formatString(label: string, v: string | number | boolean | undefined | null): void {
    const text = v === undefined || v === null || String(v) === '' ? EMPTY : String(v);
    this.write(`${label}:`);
    for (const line of text.split('\n')) this.write(`\t${line}\n`);
  }

  /** `Label:\t<age> ago`. */
  formatTime(label: string, t: string | null | undefined): void {
    this.write(`${label}:\t${relativeTime(this.now, t)} ago\n`);
  }

  /** Sorted `k=v` lines, the first after the label, the rest after an empty cell; `<none>` when empty. */
  formatMapStringString(label: string, items: Record<string, string> | null | undefined): void {
    const keys = Object.keys(items ?? {}).sort(compareStrings);
    if (keys.length === 0) {
      this.formatString(label, '');
      return;
    }
    keys.forEach((key, i) => {
      const kv = `${key}=${(items as Record<string, string>)[key]}`;
      if (i === 0) this.formatString(label, kv);
      else this.write(`\t${kv}\n`);
    });
  }

  /** `Description:` (the `description` annotation, if set) then `Annotations:` with the rest. */
  formatAnnotations(annotations: Record<string, string> | null | undefined, prefix = ''): void {
    const rest: Record<string, string> = { ...(annotations ?? {}) };
    const description = rest.description ?? '';
    delete rest.description;
    if (description.length > 0) this.formatString(`${prefix}Description`, description);
    this.formatMapStringString(`${prefix}Annotations`, rest);
  }

  /** Name, Namespace (if set), Created (if set), Labels, Description/Annotations. */
  formatMeta(m: ObjectMeta): void {
    this.formatString('Name', m.name ?? '');
    if (m.namespace) this.formatString('Namespace', m.namespace);
    if (isSetTime(m.creationTimestamp)) this.formatTime('Created', m.creationTimestamp);
    this.formatMapStringString('Labels', m.labels);
    this.formatAnnotations(m.annotations);
  }

  /** The aligned text (tabwriter flush). */
  toString(): string {
    return tabwrite(this.parts.join(''), DESCRIBE_TABWRITER);
  }
}

/** Runs `fn` against a fresh writer and returns the aligned text (helpers.go tabbedString). */
export function tabbedString(now: Date, fn: (out: DescribeWriter) => void): string {
  const out = new DescribeWriter(now);
  fn(out);
  return out.toString();
}

/** True for a timestamp that is set and not Go's zero time. */
export function isSetTime(t: string | null | undefined): t is string {
  if (!t) return false;
  const ms = Date.parse(t);
  return !Number.isNaN(ms) && !t.startsWith('0001-01-01');
}

/** Byte-wise string order, as Go's sort.Strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
