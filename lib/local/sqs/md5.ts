/**
 * The MD5 digests SQS returns and the SDKs verify (MD5OfMessageBody, MD5OfMessageAttributes,
 * MD5OfMessageSystemAttributes). The attribute digest is over the attributes sorted by name,
 * each encoded as: name, data type (each as 4-byte big-endian length + UTF-8 bytes), one
 * transport byte (1 = String/Number, 2 = Binary), then the value (length + bytes).
 */
import * as crypto from 'node:crypto';
import type { MessageAttributeValue } from './types.ts';
import { hexDigest } from './hex-digest.ts';

export function md5Hex(text: string): string {
  return hexDigest('md5', text);
}

export function md5OfAttributes(attributes: Readonly<Record<string, MessageAttributeValue>> | undefined): string | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = crypto.createHash('md5');
  for (const name of names) {
    const value = attributes[name]!;
    writeLengthPrefixed(hash, Buffer.from(name, 'utf8'));
    writeLengthPrefixed(hash, Buffer.from(value.DataType, 'utf8'));
    if (value.DataType.startsWith('Binary')) {
      hash.update(Uint8Array.of(2));
      writeLengthPrefixed(hash, value.BinaryValue ?? new Uint8Array());
    } else {
      hash.update(Uint8Array.of(1));
      writeLengthPrefixed(hash, Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function writeLengthPrefixed(hash: crypto.Hash, bytes: Uint8Array): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}
