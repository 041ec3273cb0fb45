import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { topicEncryptPaths } from '../schema/pii.ts';
import { TOPIC_CONTEXT_KEY } from '../runtime/pii-envelope.ts';
import type { Topic } from './topic.ts';

/** The IAM condition key on the runtime's data keys' encryption context `{ "busline:topic": <topic> }`. */
const TOPIC_CONDITION = `kms:EncryptionContext:${TOPIC_CONTEXT_KEY}`;

/** The dotted paths of the fields a topic's schemas mark `"x-busline-pii": "encrypt"` (`cards.*.number`). */
export function encryptedFieldsOf(topic: Topic): string[] {
  return topicEncryptPaths(topic.schemas.versions).map((p) => p.join('.'));
}

/**
 * @internal The key of a flow's `"x-busline-pii": "encrypt"` fields and the two grants on it,
 * each for one topic's data keys only (`kms:EncryptionContext:busline:topic`): its publishers
 * may make data keys (kms:GenerateDataKey), its subscribers may decrypt them (kms:Decrypt).
 * The runtime calls KMS itself, not through a service, so no kms:ViaService condition applies.
 * IAM policies on the principals: the key policy must let the account's IAM policies allow use
 * of the key (the default key policy of a kms.Key does).
 */
export class PiiKey {
  constructor(readonly key: kms.IKey) {}

  /** kms:GenerateDataKey on the key, for `topic`'s data keys only: what a publisher of the topic needs. */
  grantEncrypt(grantee: iam.IGrantable, topic: Topic): iam.Grant {
    return this.grant(grantee, topic, 'kms:GenerateDataKey');
  }

  /** kms:Decrypt on the key, for `topic`'s data keys only: what a subscriber of the topic needs. */
  grantDecrypt(grantee: iam.IGrantable, topic: Topic): iam.Grant {
    return this.grant(grantee, topic, 'kms:Decrypt');
  }

  private grant(grantee: iam.IGrantable, topic: Topic, action: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [action],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { [TOPIC_CONDITION]: topic.name } },
    });
  }
}
