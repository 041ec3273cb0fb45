/**
 * IP addresses and CIDR blocks as AWS reads them. AWS only treats text as an
 * address when it looks like one (four dotted decimal parts, or hex digits and
 * colons with at least one colon: no zone ids, no dotted IPv4 tail), then parses
 * it strictly. An address becomes a fixed-width bigint (32 or 128 bits) so a
 * CIDR block is a plain numeric range.
 */
import { InvalidEventPatternError } from './errors.ts';

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

export function looksLikeIp(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

/** Parse an address; undefined when the text is not a valid IPv4/IPv6 literal. */
export function parseIp(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): IpAddress | undefined {
  let value = 0n;
  for (const part of text.split('.')) {
    // Leading zeros are refused as ambiguous (octal or decimal?), as current Java runtimes do.
    if (part.length > 3 || (part.length > 1 && part.startsWith('0'))) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return { version: 4, value };
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return { version: 6, value };
}

export interface CidrBlock {
  readonly text: string;
  readonly version: 4 | 6;
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * Parse `address/bits`. Like AWS, the range runs from the address as written
 * (host bits are not cleared) to the address with all host bits set, and a
 * full-length mask (/32, /128) is refused.
 */
export function parseCidr(text: string): CidrBlock {
  const parts = text.split('/');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // Java's split drops trailing empties
  if (parts.length !== 2) throw new InvalidEventPatternError("Malformed CIDR, one '/' required");
  const [addressText = '', bitsText = ''] = parts;
  if (!/^[+-]?[0-9]+$/.test(bitsText) || Math.abs(Number(bitsText)) > 2147483647) {
    throw new InvalidEventPatternError('Malformed CIDR, mask bits must be an integer');
  }
  const bits = Number(bitsText);
  if (bits < 0) throw new InvalidEventPatternError('Malformed CIDR, mask bits must not be negative');
  const address = parseIp(addressText);
  if (!address) {
    throw new InvalidEventPatternError(
      looksLikeIp(addressText) ? `Invalid IP address: ${addressText}` : `Nonstandard IP address: ${addressText}`,
    );
  }
  const width = address.version === 4 ? 32 : 128;
  if (bits >= width) {
    throw new InvalidEventPatternError(`IPv${address.version} mask bits must be < ${width}`);
  }
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  return { text, version: address.version, low: address.value, high: address.value | hostMask };
}
