/**
 * A hex digest of a string in one call: SQS's MD5 of a message body (md5.ts) and a FIFO
 * queue's content-based deduplication id, the SHA-256 of the body (send.ts).
 */
import * as crypto from 'node:crypto';

/**
 * One-shot digest (crypto.hash, Node 20.12+): no Hash object per message, which is most of
 * the cost for a body of a few hundred bytes. Older Node falls back to createHash.
 */
export const hexDigest: (algorithm: 'md5' | 'sha256', text: string) => string =
  typeof crypto.hash === 'function' ? (algorithm, text) => crypto.hash(algorithm, text, 'hex') : (algorithm, text) => crypto.createHash(algorithm).update(text, 'utf8').digest('hex');
