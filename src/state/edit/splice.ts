/**
 * A list of text replacements on one source string, applied back to front so that the offsets
 * of the parsed nodes stay valid while edits are collected. Plus the line helpers the editor
 * uses to cut whole lines (keeping neighbouring comments untouched).
 */

/** One replacement of `src.slice(start, end)` by `text` (an insertion when start === end). */
export interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Collects splices and applies them in one pass. */
export class SpliceList {
  private readonly items: (Splice & { seq: number })[] = [];
  constructor(readonly src: string) {}

  /** Records a replacement; insertions at the same offset keep the order they were recorded in. */
  add(start: number, end: number, text: string): void {
    if (start === end && text === '') return;
    this.items.push({ start, end, text, seq: this.items.length });
  }

  get size(): number {
    return this.items.length;
  }

  /** The source with every splice applied; throws if two replacements overlap (a bug). */
  apply(): string {
    // Back to front; at one offset apply the deletion before the insertions, and the
    // insertions last-recorded first, so the final text reads in recording order.
    const sorted = [...this.items].sort(
      (a, b) => b.start - a.start || b.end - b.start - (a.end - a.start) || b.seq - a.seq,
    );
    // Applied back to front, that order reads front to back as the text is built here, once.
    const parts: string[] = [];
    let pos = 0;
    for (let i = sorted.length - 1; i >= 0; i--) {
      const s = sorted[i];
      if (s.start < pos) throw new Error(`internal error: overlapping edits at offset ${s.start}`);
      parts.push(this.src.slice(pos, s.start), s.text);
      pos = s.end;
    }
    parts.push(this.src.slice(pos));
    return parts.join('');
  }
}

/** Offset of the start of the line holding `pos`. */
export function lineStart(src: string, pos: number): number {
  return src.lastIndexOf('\n', pos - 1) + 1;
}

/** Offset just after the end of the line holding `pos` (after its newline), or the end of text. */
export function lineEndAfter(src: string, pos: number): number {
  if (pos > 0 && src[pos - 1] === '\n') return pos;
  const i = src.indexOf('\n', pos);
  return i < 0 ? src.length : i + 1;
}

/** True when only blanks precede `pos` on its line. */
export function startsLine(src: string, pos: number): boolean {
  return src.slice(lineStart(src, pos), pos).trim() === '';
}

/** The leading whitespace of the line holding `pos`. */
export function lineIndent(src: string, pos: number): string {
  const s = lineStart(src, pos);
  return /^[ \t]*/.exec(src.slice(s, pos))![0];
}

/** `end` moved back over trailing line breaks (block nodes' ranges include their last newline). */
export function trimEnd(src: string, start: number, end: number): number {
  let e = end;
  while (e > start && (src[e - 1] === '\n' || src[e - 1] === '\r')) e--;
  return e;
}
