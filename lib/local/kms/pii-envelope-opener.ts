/**
 * Opening the envelopes of `"x-busline-pii": "encrypt"` fields (lib/runtime/pii-envelope.ts) with
 * the engine's own KMS keys, so the journal can mask the values a handler received, logged or
 * wrote although the event itself holds only ciphertext (journal-pii-masking.ts). No IAM check:
 * this is the engine reading its own state, and what it finds is used to mask, never written.
 */
import { encryptionContext, envelopeProblem, openValue } from '../../runtime/pii-envelope.ts';
import type { EnvelopeOpener } from '../../schema/topic-pii.ts';
import type { KmsService } from './kms-service.ts';

/** An opener on `kms`: the field's value, or undefined for an envelope no key of the engine opens. */
export function piiEnvelopeOpener(kms: KmsService): EnvelopeOpener {
  return (topic, path, envelope) => {
    if (envelopeProblem(envelope)) return undefined;
    let dataKey: Buffer | undefined;
    try {
      dataKey = kms.decrypt(Buffer.from(envelope.key as string, 'base64'), encryptionContext(topic)).plaintext;
      return openValue(dataKey, topic, path, envelope);
    } catch {
      // Not the engine's key, another context, altered: nothing to mask with (the event shows its envelope).
      return undefined;
    } finally {
      dataKey?.fill(0);
    }
  };
}
