/**
 * Deterministic ids for events published from a handler: a name-based UUID (version 5 layout,
 * SHA-1 of a namespace and the name) of the run's identity (the dedupe key, else
 * `<subscription>#<event id>`), the topic and the publish's ordinal within the run. A re-run of
 * the same event (after a crash between publish and commit) republishes the SAME ids, so
 * downstream dedupe drops the second copies.
 *
 * Synchronous (node:crypto, which dedupe-key.ts loads anyway): Web Crypto's digest answers on a
 * later turn of the event loop, from the thread pool, which scattered the records of a batch so
 * that their events no longer met in one shared PutEvents call (publish-batcher.ts).
 */
import { createHash } from 'node:crypto';

/** The namespace of Busline's handler-published event ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('5c1f0e7a9b8d4c3e8f21a6b0d4e7c913', 'hex');

export function publishedEventId(idBase: string, topic: string, ordinal: number): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${idBase}\n${topic}\n${ordinal}`, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
