/**
 * Where a JSON text stops being JSON, as line and column, without quoting any of it: parser
 * messages echo the text around the error (V8: `Unexpected token 'h', ..."assword": hunter2}"…`),
 * and a credentials file or an OCI layout must never have its content printed.
 */

/** Line and column (1-based) of the first JSON syntax error in `text`, or undefined when it parses. */
export function jsonSyntaxErrorAt(text: string): { line: number; column: number } | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const scalar = () => {
    const c = text[i];
    if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else fail();
  };
  // A state machine with an explicit stack: no recursion, so no nesting or length overflows it.
  type Expect = 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'commaOrEnd';
  const stack: string[] = [];
  let expect: Expect = 'value';
  try {
    for (;;) {
      ws();
      if (i >= text.length) {
        if (stack.length === 0 && expect === 'commaOrEnd') return undefined;
        fail();
      }
      const c = text[i];
      if (expect === 'value' || expect === 'valueOrEnd') {
        if (expect === 'valueOrEnd' && c === ']') {
          stack.pop();
          i++;
          expect = 'commaOrEnd';
        } else if (c === '{' || c === '[') {
          stack.push(c === '{' ? '}' : ']');
          i++;
          expect = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
        } else {
          scalar();
          expect = 'commaOrEnd';
        }
      } else if (expect === 'key' || expect === 'keyOrEnd') {
        if (expect === 'keyOrEnd' && c === '}') {
          stack.pop();
          i++;
          expect = 'commaOrEnd';
        } else if (c === '"') {
          string();
          expect = 'colon';
        } else fail();
      } else if (expect === 'colon') {
        if (c !== ':') fail();
        i++;
        expect = 'value';
      } else {
        const close = stack[stack.length - 1];
        if (close === undefined) fail();
        if (c === ',') {
          i++;
          expect = close === '}' ? 'key' : 'value';
        } else if (c === close) {
          stack.pop();
          i++;
        } else fail();
      }
    }
  } catch (e) {
    if (!(e instanceof SyntaxAt)) throw e;
    const before = text.slice(0, Math.min(e.offset, text.length));
    const lines = before.split('\n');
    return { line: lines.length, column: lines[lines.length - 1].length + 1 };
  }
}

class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super('json syntax');
  }
}

/** A key given twice in one JSON object: the key, the path to that object, and where the second one starts. */
export interface DuplicateJsonKey {
  key: string;
  /** Keys and array indexes from the document down to the object holding the key twice. */
  path: (string | number)[];
  line: number;
  column: number;
}

/**
 * The first key any object of `text` gives twice (compared after unescaping, so `"a"` and
 * `"\u0061"` are the same key), or undefined. `JSON.parse` keeps the last one silently; a file
 * whose meaning depends on that is refused where Go's containers/image refuses it
 * (signature/internal/json.go ParanoidUnmarshalJSONObject: `Duplicate key`). `text` must be
 * JSON (JSON.parse accepted it).
 */
export function duplicateJsonKey(text: string): DuplicateJsonKey | undefined {
  type Frame = { keys: Set<string>; key?: string } | { index: number };
  const stack: Frame[] = [];
  let expectKey = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      const top = stack[stack.length - 1];
      if (expectKey && top && 'keys' in top) {
        const key = JSON.parse(text.slice(start, i)) as string;
        if (top.keys.has(key)) {
          const lines = text.slice(0, start).split('\n');
          return {
            key,
            path: stack.slice(0, -1).map((f) => ('keys' in f ? (f.key ?? '') : f.index)),
            line: lines.length,
            column: lines[lines.length - 1].length + 1,
          };
        }
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      continue;
    }
    if (c === '{') {
      stack.push({ keys: new Set() });
      expectKey = true;
    } else if (c === '[') stack.push({ index: 0 });
    else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top && 'keys' in top) expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
  return undefined;
}
