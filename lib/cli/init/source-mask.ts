/**
 * Blanks out what a structural search must not look inside: comments, and the contents of
 * string, template and regular-expression literals. Every blanked character becomes a space
 * (line breaks are kept), quotes and delimiters stay, so offsets in the masked text are
 * offsets in the source. `class`, `{` or `EventFlow` written in a comment or a string is then
 * never taken for code.
 *
 * A lexer, not a parser: a regular expression is told from a division by the character before
 * the slash. When that guess is wrong the braces no longer balance, and the caller finds no
 * safe place to edit, which is the outcome to want from a file it does not understand.
 */
export function maskSource(source: string): string {
  const out = source.split('');
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to; i++) if (out[i] !== '\n' && out[i] !== '\r') out[i] = ' ';
  };
  // Brace depth of each open `${` in template literals, innermost last.
  const templateDepths: number[] = [];
  let depth = 0;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      const stop = endOfQuoted(source, i, c);
      blank(i + 1, stop - 1);
      i = stop;
    } else if (c === '`' || (c === '}' && templateDepths.length > 0 && templateDepths[templateDepths.length - 1] === depth)) {
      // A template literal, or the rest of one after a `${…}` expression closes.
      if (c === '}') templateDepths.pop();
      const { stop, opensExpression } = endOfTemplateChunk(source, i + 1);
      blank(i + 1, opensExpression ? stop - 2 : stop - 1);
      if (opensExpression) templateDepths.push(depth);
      i = stop;
    } else if (c === '/' && startsRegex(source, i)) {
      const close = closingSlashOfRegex(source, i);
      blank(i + 1, close);
      i = close + 1;
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      i++;
    }
  }
  return out.join('');
}

/** Index just past the closing quote (or the line end of an unterminated string). */
function endOfQuoted(source: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else if (c === '\n') return i;
    else i++;
  }
  return source.length;
}

/** From just after a backtick or a `}` closing `${`: index past the closing backtick, or past the next `${`. */
function endOfTemplateChunk(source: string, start: number): { stop: number; opensExpression: boolean } {
  let i = start;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') i += 2;
    else if (c === '`') return { stop: i + 1, opensExpression: false };
    else if (c === '$' && source[i + 1] === '{') return { stop: i + 2, opensExpression: true };
    else i++;
  }
  return { stop: source.length, opensExpression: false };
}

const REGEX_AFTER = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_AFTER_WORD = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|void|yield|await|delete|throw|new)$/;

/** Whether the `/` at `i` opens a regular expression (judged by what precedes it). */
function startsRegex(source: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && /\s/.test(source[j]!)) j--;
  if (j < 0) return true;
  const prev = source[j]!;
  if (REGEX_AFTER.has(prev)) return true;
  return REGEX_AFTER_WORD.test(source.slice(Math.max(0, j - 10), j + 1));
}

/** Index of a regular expression literal's closing slash (its flags are plain letters after it). */
function closingSlashOfRegex(source: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') i += 2;
    else if (c === '\n') return i;
    else if (c === '[') { inClass = true; i++; }
    else if (c === ']') { inClass = false; i++; }
    else if (c === '/' && !inClass) return i;
    else i++;
  }
  return source.length;
}
