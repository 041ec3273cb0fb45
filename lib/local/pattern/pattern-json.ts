/**
 * A small JSON reader for pattern text. AWS reads patterns with a streaming
 * parser, so we need what `JSON.parse` throws away:
 *  - every member of an object in order, duplicates included (AWS processes a
 *    repeated key twice: a later leaf replaces an earlier one, two objects merge);
 *  - the text of each number (`300.0`, `3.018e2`), to apply AWS's numeric limits
 *    to the number as written.
 * Error messages mimic the ones AWS returns for malformed JSON. Like AWS's
 * parser, reading stops at the end of the first JSON value: text after the
 * pattern's closing brace is not read, so it cannot make the pattern invalid.
 */
import { InvalidEventPatternError } from './errors.ts';

export type JsonNode =
  | { readonly kind: 'object'; readonly members: ReadonlyArray<{ readonly key: string; readonly value: JsonNode }> }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string; readonly value: number }
  | { readonly kind: 'true' | 'false' | 'null' };

const MAX_DEPTH = 1000;

export function readPatternJson(text: string): JsonNode {
  const reader = new Reader(text);
  reader.skipWhitespace();
  return reader.value(0);
}

class Reader {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    throw new InvalidEventPatternError(`${message} at line ${line}, column ${column}`);
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail('Pattern nesting is too deep');
    const c = this.text[this.pos];
    switch (c) {
      case '{': return this.object(depth);
      case '[': return this.array(depth);
      case '"': return { kind: 'string', value: this.string() };
      case undefined: return this.fail('Unexpected end-of-input: expected a JSON value');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.keyword();
    }
  }

  private object(depth: number): JsonNode {
    this.pos++; // {
    const members: Array<{ key: string; value: JsonNode }> = [];
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', members };
    }
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c !== '"') {
        if (c === undefined) this.fail('Unexpected end-of-input: expected a field name');
        this.fail(`Unexpected character (${describeChar(c)}): was expecting double-quote to start field name`);
      }
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') {
        this.fail(`Unexpected character (${describeChar(this.text[this.pos])}): was expecting a colon to separate field name and value`);
      }
      this.pos++;
      this.skipWhitespace();
      members.push({ key, value: this.value(depth + 1) });
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ',') { this.pos++; continue; }
      if (next === '}') { this.pos++; return { kind: 'object', members }; }
      this.fail(`Unexpected character (${describeChar(next)}): was expecting comma to separate Object entries`);
    }
  }

  private array(depth: number): JsonNode {
    this.pos++; // [
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      this.skipWhitespace();
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      const next = this.text[this.pos];
      if (next === ',') { this.pos++; continue; }
      if (next === ']') { this.pos++; return { kind: 'array', items }; }
      this.fail(`Unexpected character (${describeChar(next)}): was expecting comma to separate Array entries`);
    }
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos; // opening quote
    let out = '';
    let chunkStart = start;
    for (;;) {
      if (this.pos >= t.length) this.fail('Unexpected end-of-input in a string value');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) { // closing quote
        out += t.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail(`Illegal unquoted character (CTRL-CHAR, code ${c}): has to be escaped using backslash to be included in string value`);
      if (c === 0x5c) { // backslash
        out += t.slice(chunkStart, this.pos);
        const e = t[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = t.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Unexpected character in a \\u escape: expected 4 hex digits');
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default:
            this.pos -= 1;
            this.fail(`Unrecognized character escape ${describeChar(e)}`);
        }
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private number(): JsonNode {
    const t = this.text;
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(t.slice(this.pos, this.pos + 400));
    if (!match || match[0] === '-') this.fail(`Invalid numeric value: '${t.slice(this.pos, this.pos + 10)}'`);
    const text = match[0];
    const after = t[this.pos + text.length];
    if (after !== undefined && /[0-9A-Za-z.]/.test(after)) {
      if (/^-?0[0-9]/.test(t.slice(this.pos))) this.fail('Invalid numeric value: Leading zeroes not allowed');
      this.fail(`Invalid numeric value: '${t.slice(this.pos, this.pos + text.length + 5)}'`);
    }
    this.pos += text.length;
    return { kind: 'number', text, value: Number(text) };
  }

  private keyword(): JsonNode {
    const word = /^[A-Za-z0-9_$'\-.+]+/.exec(this.text.slice(this.pos, this.pos + 200))?.[0] ?? this.text[this.pos] ?? '';
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return { kind: word };
    }
    if (word.startsWith("'")) {
      this.fail(`Unexpected character (${describeChar("'")}): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
    }
    this.fail(`Unrecognized token '${word}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
  }
}

function describeChar(c: string | undefined): string {
  if (c === undefined) return 'end-of-input';
  return `'${c}' (code ${c.charCodeAt(0)})`;
}
