/**
 * Deterministic ids for events published from a handler: a name-based UUID (version 5 layout,
 * SHA-1 of a namespace and the name) of the run's identity (the dedupe key, else
 * `<subscription>#<event id>`), the topic and the publish's ordinal within the run. A re-run of
 * the same event (after a crash between publish and commit) republishes the SAME ids, so
 * downstream dedupe drops the second copies.
 */

/** The namespace of Busline's handler-published event ids (a fixed random UUID). */
const NAMESPACE = hexBytes('5c1f0e7a9b8d4c3e8f21a6b0d4e7c913');
const encoder = new TextEncoder();

export async function publishedEventId(idBase: string, topic: string, ordinal: number): Promise<string> {
  const name = encoder.encode(`${idBase}\n${topic}\n${ordinal}`);
  const input = new Uint8Array(NAMESPACE.length + name.length);
  input.set(NAMESPACE);
  input.set(name, NAMESPACE.length);
  // Web Crypto, not node:crypto (see trace-context.ts: no import cost at cold start).
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', input));
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(hash.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}
