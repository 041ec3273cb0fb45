/**
 * Message attributes (and message system attributes) as SendMessage takes them: checked,
 * stored (binary values base64-encoded, as on the wire and on disk), sized, and given back.
 */
import { invalidParameter } from './errors.ts';
import type { StoredAttribute } from './queue.ts';
import type { MessageAttributeValue } from './types.ts';

const ATTRIBUTE_NAME = /^(?!\.)(?!(?:aws|amazon)\.)(?!.*\.\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;

/** Checks the attributes and returns them as stored (undefined when there are none). */
export function storedAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
  parameter: string,
): Record<string, StoredAttribute> | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  if (names.length > 10) throw invalidParameter(`Number of ${parameter} (${names.length}) exceeds the allowed maximum of 10.`);
  const out: Record<string, StoredAttribute> = {};
  for (const name of names) {
    const value = attributes[name]!;
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalidParameter(`Message attribute name "${name}" is invalid: up to 256 of A-Z a-z 0-9 _ - ., not starting with AWS. or Amazon., no leading, trailing or double period.`);
    }
    const type = value?.DataType;
    if (typeof type !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(type)) {
      throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type "${String(type)}"; use String, Number or Binary (optionally with a .custom suffix).`);
    }
    if (type.startsWith('Binary')) {
      if (!value.BinaryValue) throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      out[name] = { DataType: type, BinaryValue: Buffer.from(value.BinaryValue).toString('base64') };
    } else {
      if (typeof value.StringValue !== 'string' || value.StringValue.length === 0) {
        throw invalidParameter(`The message attribute '${name}' must contain a non-empty message attribute value for message attribute type '${type}'.`);
      }
      if (type.startsWith('Number') && !Number.isFinite(Number(value.StringValue))) {
        throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number: "${value.StringValue}".`);
      }
      out[name] = { DataType: type, StringValue: value.StringValue };
    }
  }
  return out;
}

/** Bytes the attributes add to a message's size: each name, data type and value. */
export function attributesSize(attrs: Readonly<Record<string, StoredAttribute>> | undefined): number {
  if (!attrs) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(attrs)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.StringValue !== undefined ? Buffer.byteLength(value.StringValue) : Buffer.from(value.BinaryValue ?? '', 'base64').length;
  }
  return size;
}

/** Stored attributes as ReceiveMessage gives them back (binary values as bytes). */
export function liveAttributes(attrs: Readonly<Record<string, StoredAttribute>>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attrs)) {
    out[name] = value.BinaryValue !== undefined
      ? { DataType: value.DataType, BinaryValue: Buffer.from(value.BinaryValue, 'base64') }
      : { DataType: value.DataType, StringValue: value.StringValue ?? '' };
  }
  return out;
}
