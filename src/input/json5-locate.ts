/**
 * Where each value of a JSON5 document starts, by path, so that a schema error can name the
 * line and column of the field at fault. Runs only on text JSON5.parse already accepted.
 */

export interface Position {
  line: number;
  column: number;
}

/** path segments joined as `a.b[2].c` */
export function pathKey(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** Map from path key to the position of that value's first character. */
export function locateValues(text: string): Map<string, Position> {
  const out = new Map<string, Position>();
  let i = 0;
  let line = 1;
  let col = 1;
  const advance = (): void => {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
    i++;
  };
  const skipSpace = (): void => {
    for (;;) {
      const c = text[i];
      if (c === undefined) return;
      if (c === '/' && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') advance();
      } else if (c === '/' && text[i + 1] === '*') {
        advance();
        advance();
        while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) advance();
        advance();
        advance();
      } else if (/\s/.test(c) || c === '\uFEFF') advance();
      else return;
    }
  };
  const readString = (): string => {
    const quote = text[i];
    advance();
    let s = '';
    while (i < text.length && text[i] !== quote) {
      if (text[i] === '\\') {
        advance();
        if (text[i] === '\n') {
          advance();
          continue;
        }
      }
      s += text[i];
      advance();
    }
    advance();
    return s;
  };
  const readKey = (): string => {
    if (text[i] === '"' || text[i] === "'") return readString();
    let s = '';
    while (i < text.length && /[\w$]/.test(text[i]!)) {
      s += text[i];
      advance();
    }
    return s;
  };
  const value = (path: (string | number)[]): void => {
    skipSpace();
    out.set(pathKey(path), { line, column: col });
    const c = text[i];
    if (c === '{') {
      advance();
      for (;;) {
        skipSpace();
        if (text[i] === '}' || i >= text.length) break;
        const key = readKey();
        skipSpace();
        advance(); // ':'
        value([...path, key]);
        skipSpace();
        if (text[i] === ',') advance();
      }
      advance();
    } else if (c === '[') {
      advance();
      for (let n = 0; ; n++) {
        skipSpace();
        if (text[i] === ']' || i >= text.length) break;
        value([...path, n]);
        skipSpace();
        if (text[i] === ',') advance();
      }
      advance();
    } else if (c === '"' || c === "'") readString();
    else while (i < text.length && !/[\s,\]}/]/.test(text[i]!)) advance();
  };
  value([]);
  return out;
}

/** The position of the deepest located prefix of `path` (a missing key points at its parent). */
export function positionOf(located: Map<string, Position>, path: readonly (string | number)[]): Position {
  for (let n = path.length; n >= 0; n--) {
    const p = located.get(pathKey(path.slice(0, n)));
    if (p) return p;
  }
  return { line: 1, column: 1 };
}
