/**
 * The one escaping of text printed for humans. Text from registries (error messages, tag names),
 * from state files (`from.name`, condition messages) and from webhook senders may hold control
 * characters; on a terminal ESC sequences could retitle the window, clear the screen, recolour,
 * hide or forge lines. Every printer of human text passes what it did not write itself through
 * `escapeControls`: line feeds and tabs stay when `keepNewlines` (messages of several lines),
 * every other C0/C1 control (and DEL) is shown as `\xNN`. Machine formats (JSON, YAML) escape on
 * their own and are left alone.
 */

const CONTROLS_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const CONTROLS_ALL = /[\u0000-\u001f\u007f-\u009f]/g;

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** `text` with control characters shown as `\xNN` (line feeds and tabs kept unless `keepNewlines` is false). */
export function escapeControls(text: string, keepNewlines = true): string {
  return text.replace(keepNewlines ? CONTROLS_KEEP_LINES : CONTROLS_ALL, hex);
}

/** For one-line fields (a table cell, a log value): every control character escaped, line feeds too. */
export function escapeLine(text: string): string {
  return escapeControls(text, false);
}
