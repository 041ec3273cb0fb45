import type * as kms from 'aws-cdk-lib/aws-kms';

/**
 * How an EventFlow encrypts what it stores at rest: the events on its bus and in its
 * archive, the messages in every subscription's queue and dead-letter queue, and the
 * dedupe table's records.
 *
 * - `FlowEncryption.awsManaged()` (the default): keys AWS owns and manages — EventBridge's
 *   AWS owned key for the bus and archive, SSE-SQS for the queues, DynamoDB's AWS managed key
 *   for the table. Nothing to manage, nothing to pay; you cannot audit or revoke their use.
 * - `FlowEncryption.customerManaged(key?)`: one KMS key of your account encrypts all of them;
 *   the flow writes into the key policy and the functions' roles exactly the permissions each
 *   service and function needs (docs/security.md lists them).
 */
export class FlowEncryption {
  /** Keys owned and managed by AWS for every resource. The default. */
  static awsManaged(): FlowEncryption {
    return new FlowEncryption(false, undefined);
  }

  /**
   * A customer managed KMS key encrypts the bus, the archive, every queue and DLQ and the
   * dedupe table.
   *
   * @param key a symmetric encryption key of the stack's account and Region. Give a key made in
   * the app (`new kms.Key(...)`) so the flow can add its key-policy statements; an imported key
   * (`kms.Key.fromKeyArn`) cannot be changed by the app, so synth warns and lists the statements
   * to add to its policy yourself.
   * @default - the flow creates one: `<flow>/Key`, a symmetric key with automatic yearly rotation
   * turned on, kept (RemovalPolicy.RETAIN) when the stack is deleted so archived data stays readable
   */
  static customerManaged(key?: kms.IKey): FlowEncryption {
    return new FlowEncryption(true, key);
  }

  private constructor(
    /** Whether a customer managed key is used. */
    readonly isCustomerManaged: boolean,
    /** The key given to `customerManaged(key)`; absent when the flow creates its own or uses AWS's. */
    readonly key: kms.IKey | undefined,
  ) {}
}
