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
  return text.replace(/[&<>\r]/g, (c) => ESCAPES[c]!);
}

/** `<name>content</name>`, `content` being XML already (empty: `<name/>`). */
export function xmlElement(name: string, content: string, attributes = ''): string {
  const open = attributes === '' ? name : `${name} ${attributes}`;
  return content === '' ? `<${open}/>` : `<${open}>${content}</${name}>`;
}

/** `<name>text</name>` with `text` escaped. */
export function xmlText(name: string, text: string): string {
  return xmlElement(name, escapeXmlText(text));
}
