/**
 * The surgical editor: walks the parsed YAML/JSON node tree next
 * to the old and new values of a document and records text splices only where they differ —
 * a scalar replaced in place (keeping its quoting), a map entry added after its neighbour or
 * removed with its line, a list item inserted (TagEvents are prepended, as OpenShift records
 * history newest first) or removed. New structure is rendered in the file's own style.
 */
import { isAlias, isMap, isScalar, isSeq, visit } from 'yaml';
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { alignLists } from './align.js';
import { EditError } from './edit-error.js';
import { jsonEqual } from './equal.js';
import { renderFlow, renderKey, renderYamlBlock, renderYamlFlowScalar, renderYamlScalar } from './render.js';
import { lineEndAfter, lineIndent, lineStart, startsLine, trimEnd } from './splice.js';
import type { SpliceList } from './splice.js';
import { columnOf } from './style.js';
import type { FileStyle } from './style.js';

/** Where a value sits: the whole document, the value of a map entry, or a list item. */
export type Slot =
  | { kind: 'root'; flow: boolean; multiline: boolean }
  | { kind: 'pair'; pair: Pair; flow: boolean; multiline: boolean }
  | { kind: 'item'; flow: boolean; multiline: boolean };

type Obj = Record<string, unknown>;
type Range = [number, number, number];
interface Span {
  start: number;
  end: number;
}

function rangeOf(node: unknown): Range | undefined {
  return (node as { range?: Range } | null | undefined)?.range ?? undefined;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : isObj(v) && Object.keys(v).length > 0;
}

function keyOf(p: Pair): string {
  return String(isScalar(p.key) ? p.key.value : p.key);
}

/** Records the splices that turn the text of one value into the rendering of another. */
export class TreeEditor {
  constructor(
    private readonly src: string,
    private readonly style: FileStyle,
    private readonly out: SpliceList,
  ) {}

  /** Edits the node holding `before` so that it holds `after`. */
  editValue(node: Node | null | undefined, before: unknown, after: unknown, slot: Slot): void {
    if (jsonEqual(before, after)) return;
    if (node && !isAlias(node) && rangeOf(node)) {
      if (isMap(node) && isObj(before) && isObj(after) && nonEmpty(before) && nonEmpty(after))
        return this.editMap(node, before, after, slot);
      if (isSeq(node) && Array.isArray(before) && Array.isArray(after) && before.length > 0 && after.length > 0)
        return this.editSeq(node, before, after, slot);
    }
    this.replace(node, after, slot, before);
  }

  private childSlot(node: YAMLMap | YAMLSeq): { flow: boolean; multiline: boolean } {
    const r = rangeOf(node)!;
    return { flow: this.style.json || !!node.flow, multiline: this.src.slice(r[0], r[1]).includes('\n') };
  }

  private editMap(node: YAMLMap, before: Obj, after: Obj, slot: Slot): void {
    const pairs = node.items as Pair[];
    const byKey = new Map(pairs.map((p) => [keyOf(p), p]));
    const has = (o: Obj, k: string) => Object.hasOwn(o, k) && o[k] !== undefined;
    if (pairs.length !== Object.keys(before).length || !Object.keys(before).every((k) => byKey.has(k)))
      return this.replace(node, after, slot, before);
    const removed = pairs.map((p, i) => (has(after, keyOf(p)) ? -1 : i)).filter((i) => i >= 0);
    const kept = pairs.map((_, i) => i).filter((i) => !removed.includes(i));
    if (kept.length === 0) return this.replace(node, after, slot, before);
    // New keys go after the nearest preceding key that already existed, else after the last kept one.
    const inserts = new Map<number, [string, unknown][]>();
    let anchor = kept[kept.length - 1];
    let seenExisting = false;
    for (const [k, v] of Object.entries(after)) {
      if (v === undefined) continue;
      if (has(before, k)) {
        anchor = pairs.indexOf(byKey.get(k)!);
        seenExisting = true;
      } else {
        const at = seenExisting ? anchor : kept[kept.length - 1];
        inserts.set(at, [...(inserts.get(at) ?? []), [k, v]]);
      }
    }
    const cs = this.childSlot(node);
    if (!cs.flow && !this.canRemoveBlockPairs(pairs, removed)) return this.replace(node, after, slot, before);
    for (const i of kept)
      this.editValue(pairs[i].value as Node, before[keyOf(pairs[i])], after[keyOf(pairs[i])], {
        kind: 'pair',
        pair: pairs[i],
        ...cs,
      });
    if (cs.flow) {
      const spans = pairs.map((p) => ({ start: rangeOf(p.key)![0], end: this.pairEnd(p) }));
      const texts = new Map(
        [...inserts].map(([a, entries]) => [
          a,
          entries.map(
            ([k, v]) => `${renderKey(k, this.style, true)}: ${this.flowText(v, spans[a].start, cs.multiline)}`,
          ),
        ]),
      );
      return this.flowSplices(spans, removed, texts, new Map(), cs.multiline);
    }
    for (const i of removed) this.removeBlockPair(pairs, i);
    const col = ' '.repeat(columnOf(this.src, rangeOf(pairs[0].key)![0]));
    for (const [a, entries] of inserts)
      this.insertLines(
        lineEndAfter(this.src, this.pairEnd(pairs[a])),
        renderYamlBlock(Object.fromEntries(entries), col, this.style),
      );
  }

  private pairEnd(p: Pair): number {
    const k = rangeOf(p.key)![1];
    const v = rangeOf(p.value);
    return v ? Math.max(k, v[1]) : k;
  }

  /** A first key that shares its line with `- ` can only be removed by joining the next key onto that line. */
  private canRemoveBlockPairs(pairs: Pair[], removed: number[]): boolean {
    return removed.every(
      (i) =>
        startsLine(this.src, rangeOf(pairs[i].key)![0]) ||
        (i + 1 < pairs.length && !removed.includes(i + 1) && startsLine(this.src, rangeOf(pairs[i + 1].key)![0])),
    );
  }

  private removeBlockPair(pairs: Pair[], i: number): void {
    const start = rangeOf(pairs[i].key)![0];
    if (startsLine(this.src, start))
      this.out.add(lineStart(this.src, start), lineEndAfter(this.src, this.pairEnd(pairs[i])), '');
    else this.out.add(start, rangeOf(pairs[i + 1].key)![0], '');
  }

  /** Inserts whole lines at a line boundary `pos`. */
  private insertLines(pos: number, text: string): void {
    const needsBreak = pos === this.src.length && this.src.length > 0 && !this.src.endsWith('\n');
    this.out.add(pos, pos, (needsBreak ? this.style.eol : '') + text + this.style.eol);
  }

  private editSeq(node: YAMLSeq, before: unknown[], after: unknown[], slot: Slot): void {
    const items = node.items as Node[];
    if (items.length !== before.length || items.some((n) => !rangeOf(n)))
      return this.replace(node, after, slot, before);
    const matches = alignLists(before, after);
    if (matches.length === 0) return this.replace(node, after, slot, before);
    const matchedOld = new Set(matches.map((m) => m.oldIndex));
    const removed = items.map((_, i) => i).filter((i) => !matchedOld.has(i));
    const after_: Map<number, unknown[]> = new Map();
    const before_: unknown[] = [];
    let m = -1;
    after.forEach((v, j) => {
      while (m + 1 < matches.length && matches[m + 1].newIndex <= j) m++;
      if (m >= 0 && matches[m].newIndex === j) return;
      if (m < 0) before_.push(v);
      else after_.set(matches[m].oldIndex, [...(after_.get(matches[m].oldIndex) ?? []), v]);
    });
    const cs = this.childSlot(node);
    const dashes = cs.flow ? [] : items.map((n) => this.dashOf(n));
    if (!cs.flow && dashes.some((d) => d < 0 || !startsLine(this.src, d)))
      return this.replace(node, after, slot, before);
    for (const { oldIndex, newIndex } of matches)
      this.editValue(items[oldIndex], before[oldIndex], after[newIndex], { kind: 'item', ...cs });
    const first = matches[0].oldIndex;
    if (cs.flow) {
      const spans = items.map((n) => ({ start: rangeOf(n)![0], end: rangeOf(n)![1] }));
      const texts = (vs: unknown[]) => vs.map((v) => this.flowText(v, spans[first].start, cs.multiline));
      return this.flowSplices(
        spans,
        removed,
        new Map([...after_].map(([a, vs]) => [a, texts(vs)])),
        new Map(before_.length ? [[first, texts(before_)]] : []),
        cs.multiline,
      );
    }
    for (const i of removed)
      this.out.add(lineStart(this.src, dashes[i]), lineEndAfter(this.src, rangeOf(items[i])![1]), '');
    const render = (vs: unknown[]) => this.renderItems(vs, dashes[first], items[first]);
    if (before_.length)
      this.out.add(
        lineStart(this.src, dashes[first]),
        lineStart(this.src, dashes[first]),
        render(before_) + this.style.eol,
      );
    for (const [a, vs] of after_) this.insertLines(lineEndAfter(this.src, rangeOf(items[a])![1]), render(vs));
  }

  /**
   * Block list items at the dash column of `sibling`, with the same gap between `-` and the
   * content as the sibling (`-   name:` stays `-   name:`).
   */
  private renderItems(values: unknown[], dash: number, sibling: Node): string {
    const dashCol = columnOf(this.src, dash);
    const start = rangeOf(sibling)![0];
    const sameLine = !this.src.slice(dash, start).includes('\n');
    const gap = sameLine ? start - dash : 2;
    const text = renderYamlBlock(values, ' '.repeat(dashCol), this.style);
    if (gap <= 2 || values.some((v) => !isObj(v))) return text;
    const pad = ' '.repeat(gap - 2);
    const itemIndent = ' '.repeat(dashCol + 2);
    return text
      .split(this.style.eol)
      .map((l) =>
        l.startsWith(`${' '.repeat(dashCol)}- `)
          ? `${' '.repeat(dashCol)}-${' '.repeat(gap - 1)}${l.slice(dashCol + 2)}`
          : l.startsWith(itemIndent)
            ? pad + l
            : l,
      )
      .join(this.style.eol);
  }

  /** Offset of the `-` that introduces a block sequence item, or -1. */
  private dashOf(item: Node): number {
    let d = rangeOf(item)![0] - 1;
    while (d >= 0 && ' \t\r\n'.includes(this.src[d])) d--;
    return d >= 0 && this.src[d] === '-' ? d : -1;
  }

  private flowText(v: unknown, siblingStart: number, multiline: boolean): string {
    return renderFlow(v, lineIndent(this.src, siblingStart), this.style, multiline);
  }

  /** Removals and insertions inside a flow collection (`{…}`, `[…]`, and all of JSON), commas included. */
  private flowSplices(
    spans: Span[],
    removed: number[],
    insertAfter: Map<number, string[]>,
    insertBefore: Map<number, string[]>,
    multiline: boolean,
  ): void {
    const firstKept = spans.findIndex((_, i) => !removed.includes(i));
    const sep = (i: number) => (multiline ? this.style.eol + lineIndent(this.src, spans[i].start) : ' ');
    for (const i of removed) {
      if (i < firstKept) this.out.add(spans[i].start, spans[i + 1].start, '');
      else this.out.add(spans[i - 1].end, spans[i].end, '');
    }
    for (const [i, texts] of insertBefore)
      this.out.add(spans[i].start, spans[i].start, texts.map((t) => `${t},${sep(i)}`).join(''));
    for (const [i, texts] of insertAfter)
      this.out.add(spans[i].end, spans[i].end, texts.map((t) => `,${sep(i)}${t}`).join(''));
  }

  /** Replaces a whole value (or fills an empty one) with a rendering of `value`. */
  private replace(node: Node | null | undefined, value: unknown, slot: Slot, before?: unknown): void {
    const r = rangeOf(node);
    const present = !!r && r[1] > r[0];
    const sameKind = (isMap(node) && isObj(value)) || (isSeq(node) && Array.isArray(value));
    if (present && sameKind && nonEmpty(value)) this.checkLossless(node as YAMLMap | YAMLSeq, before, value);
    if (this.style.json || slot.flow) {
      if (!present) throw new Error('internal error: empty value in a flow collection');
      const text =
        !this.style.json && typeof value === 'string'
          ? renderYamlFlowScalar(value, isScalar(node) ? node.type : undefined)
          : renderFlow(value, lineIndent(this.src, r![0]), this.style, slot.multiline);
      return this.out.add(r![0], r![1], text);
    }
    const blockNode = present && (isMap(node) || isSeq(node)) && !(node as YAMLMap).flow;
    if (!nonEmpty(value)) {
      const text = Array.isArray(value)
        ? '[]'
        : isObj(value)
          ? '{}'
          : renderYamlScalar(value, isScalar(node) ? node.type : undefined);
      if (present && !blockNode) return this.out.add(r![0], trimEnd(this.src, r![0], r![1]), text);
      if (slot.kind === 'root') return this.out.add(r ? r[0] : 0, r ? trimEnd(this.src, r[0], r[1]) : 0, text);
      const from = this.indicatorEnd(node, slot);
      return this.out.add(from, present ? trimEnd(this.src, r![0], r![1]) : from, ` ${text}`);
    }
    this.replaceWithBlock(node, value, slot, present);
  }

  /**
   * Re-rendering a collection that keeps some of its content in place (the editor could not
   * align it) is only allowed when it loses nothing nobody edited: no comment inside it, and no
   * value left where it was that is written differently from how it would be rendered (`0x1F`,
   * `1.10`, a quoted string, a big integer). Otherwise the file is refused with the reason, as a
   * re-render would change bytes nobody touched. A collection whose content all changes may be
   * re-rendered.
   */
  private checkLossless(node: YAMLMap | YAMLSeq, before: unknown, value: unknown): void {
    const r = rangeOf(node)!;
    const end = trimEnd(this.src, r[0], r[1]);
    let shared = false;
    let lossy: string | undefined;
    // Whole lines of content the edit removes: a comment on them goes with what it annotated.
    const gone: [number, number][] = [];
    const walk = (n: unknown, b: unknown, a: unknown, from?: number): void => {
      const nr = rangeOf(n);
      if (a === undefined && b !== undefined && nr) {
        const start = from ?? nr[0];
        const ls = lineStart(this.src, start);
        if (/^[ \t-]*$/.test(this.src.slice(ls, start)))
          gone.push([ls, lineEndAfter(this.src, trimEnd(this.src, nr[0], nr[1]))]);
        return;
      }
      if (isScalar(n)) {
        const sr = rangeOf(n);
        if (!sr || a === undefined || !jsonEqual(a, b)) return;
        shared = true;
        const text = this.src.slice(sr[0], sr[1]);
        if (lossy === undefined && !this.rendersAs(n.value, text)) lossy = text;
      } else if (isMap(n)) {
        for (const p of n.items as Pair[]) {
          const k = keyOf(p);
          walk(p.value, isObj(b) ? b[k] : undefined, isObj(a) ? a[k] : undefined, rangeOf(p.key)?.[0]);
        }
      } else if (isSeq(n)) {
        (n.items as unknown[]).forEach((item, i) => {
          const dash = isScalar(item) || isMap(item) || isSeq(item) ? this.dashOf(item as Node) : -1;
          walk(
            item,
            Array.isArray(b) ? b[i] : undefined,
            Array.isArray(a) ? a[i] : undefined,
            dash >= 0 ? dash : undefined,
          );
        });
      }
    };
    walk(node, before, value);
    if (!shared) return;
    if (lossy !== undefined)
      throw new EditError(`the edit would rewrite the block around ${lossy}, an unchanged value written another way`);
    const scalars: [number, number][] = [];
    visit(node, {
      Scalar: (_, sc) => {
        const sr = rangeOf(sc);
        if (sr) scalars.push([sr[0], sr[1]]);
      },
    });
    for (let i = this.src.indexOf('#', r[0]); i >= 0 && i < end; i = this.src.indexOf('#', i + 1)) {
      const inScalar = scalars.some(([a, b]) => i >= a && i < b);
      const removed = gone.some(([a, b]) => i >= a && i < b);
      if (!inScalar && !removed && (i === 0 || ' \t\n'.includes(this.src[i - 1])))
        throw new EditError('the edit would rewrite a block that holds a comment, and the comment would be lost');
    }
  }

  /** True when `text` is how the editor would write `v` anyway. */
  private rendersAs(v: unknown, text: string): boolean {
    if (this.style.json) return JSON.stringify(v) === text;
    return renderYamlScalar(v) === text || renderYamlFlowScalar(v) === text;
  }

  private replaceWithBlock(node: Node | null | undefined, value: unknown, slot: Slot, present: boolean): void {
    const r = rangeOf(node);
    const end = present ? trimEnd(this.src, r![0], r![1]) : -1;
    if (slot.kind === 'root')
      return this.out.add(r ? r[0] : 0, present ? end : r ? r[0] : 0, renderYamlBlock(value, '', this.style));
    const from = this.indicatorEnd(node, slot);
    // A comment after the old value on its line must stay a comment: left where it is, the new
    // block's last line would take it in (inside a `|-` scalar it would even become content).
    const valueEnd = present ? end : from;
    const comment = /^[ \t]+#[^\r\n]*/.exec(this.src.slice(valueEnd))?.[0] ?? '';
    if (slot.kind === 'item') {
      const dashCol = columnOf(this.src, from - 1);
      const lines = renderYamlBlock([value], ' '.repeat(dashCol), this.style).slice(dashCol).split(this.style.eol);
      lines[0] += comment;
      return this.out.add(from - 1, valueEnd + comment.length, lines.join(this.style.eol));
    }
    const keyCol = columnOf(this.src, rangeOf(slot.pair.key)![0]);
    const step = Array.isArray(value) && !this.style.indentSeq ? 0 : this.style.unit.length;
    this.out.add(
      from,
      valueEnd + comment.length,
      comment + this.style.eol + renderYamlBlock(value, ' '.repeat(keyCol + step), this.style),
    );
  }

  /** Offset just after the `:` of a map entry or the `-` of a list item holding `node`. */
  private indicatorEnd(node: Node | null | undefined, slot: Slot): number {
    if (slot.kind === 'pair') {
      const k = this.src.indexOf(':', rangeOf(slot.pair.key)![1]);
      if (k < 0) throw new Error('internal error: no ":" after a key');
      return k + 1;
    }
    const d = node ? this.dashOf(node) : -1;
    if (d < 0) throw new Error('internal error: no "-" before a list item');
    return d + 1;
  }
}
