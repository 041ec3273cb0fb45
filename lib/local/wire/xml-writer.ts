/**
 * The little XML the query protocol answers with: elements built as strings, no whitespace
 * between them (the SDKs' parsers keep whitespace text, so none is added), text escaped.
 */

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };

/**
 * Text content made safe for an element: `&`, `<` and `>` escaped, and a carriage return written
 * as `&#xD;`, since an XML parser turns a literal CR (or CR LF) into LF and the text would not
 * come back as sent (an SQS message body may hold #xD).
 */
export function escapeXmlText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => ESCAPES[c]!).replace(NOT_XML_CHARACTERS, '\ufffd');
}

/**
 * Characters XML 1.0 cannot carry at all, not even as character references (its Char
 * production: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF): a parser
 * refuses the whole document. SQS refuses them in message bodies and attribute values, so only
 * text the engine echoes (a bad parameter quoted in an error message) holds them; they are
 * written as U+FFFD, so the answer stays a document every client can read.
 */
const NOT_XML_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `<name>content</name>`, `content` being XML already (empty: `<name/>`). */
export function xmlElement(name: string, content: string, attributes = ''): string {
  const open = attributes === '' ? name : `${name} ${attributes}`;
  return content === '' ? `<${open}/>` : `<${open}>${content}</${name}>`;
}

/** `<name>text</name>` with `text` escaped. */
export function xmlText(name: string, text: string): string {
  return xmlElement(name, escapeXmlText(text));
}
