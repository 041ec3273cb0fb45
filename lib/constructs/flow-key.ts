import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { EventFlowDeclarationError } from './errors.ts';

const EVENTS = 'events.amazonaws.com';
/** The encryption context EventBridge binds to the data of a bus and of its archives. */
const BUS_CONTEXT = 'kms:EncryptionContext:aws:events:event-bus:arn';

/**
 * @internal The customer managed key of a flow and every permission on it that Busline writes:
 * the key-policy statements for EventBridge (the bus, its archive, its rules' deliveries to SQS)
 * and the function roles' use of the key through SQS and DynamoDB. Nothing else is granted:
 * publishers need no KMS permission (EventBridge encrypts with its own service principal).
 * The sources of each statement are listed in docs/security.md.
 */
export class FlowKey {
  /** Key-policy statements the app could not add (an imported key), for the synth warning. */
  private readonly unmanaged: iam.PolicyStatement[] = [];

  constructor(
    private readonly flow: Construct,
    readonly key: kms.IKey,
    /** ARN of the flow's bus, built from its name so the key does not depend on the bus. */
    private readonly busArn: string,
  ) {
    checkKey(flow, key, 'FlowEncryption.customerManaged()');
    this.addToKeyPolicy(new iam.PolicyStatement({
      sid: 'BuslineEventBridgeBus',
      principals: [new iam.ServicePrincipal(EVENTS)],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'aws:SourceAccount': Stack.of(flow).account,
          'aws:SourceArn': busArn,
          [BUS_CONTEXT]: busArn,
        },
      },
    }));
    // No condition: a DescribeKey request carries no encryption context (aws/aws-cdk#35411).
    this.addToKeyPolicy(new iam.PolicyStatement({
      sid: 'BuslineEventBridgeDescribeKey',
      principals: [new iam.ServicePrincipal(EVENTS)],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
    }));
    this.addToKeyPolicy(new iam.PolicyStatement({
      sid: 'BuslineEventBridgeArchive',
      principals: [new iam.ServicePrincipal(EVENTS)],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:ReEncrypt*'],
      resources: ['*'],
      conditions: { StringEquals: { [BUS_CONTEXT]: busArn } },
    }));
    // The rules' SendMessage to encrypted queues (targets and their DLQs): SQS asks KMS on
    // EventBridge's behalf, with the account but not the rule as source.
    this.addToKeyPolicy(new iam.PolicyStatement({
      sid: 'BuslineEventBridgeToQueues',
      principals: [new iam.ServicePrincipal(EVENTS)],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(flow).account } },
    }));
    if (this.unmanaged.length > 0) {
      const statements = JSON.stringify(Stack.of(flow).resolve(this.unmanaged.map((s) => s.toStatementJson())));
      Annotations.of(flow).addWarningV2('busline:kms-key-policy-not-managed',
        `the customer managed key ${key.node.path} is imported, so the app cannot add to its key policy: add these statements to it yourself, or EventBridge cannot use it and events are lost: ${statements}`);
    }
  }

  /**
   * What a subscription's function does with the key: receive from its queue (kms:Decrypt,
   * for the event source mapping) and send to its DLQ (kms:GenerateDataKey and kms:Decrypt),
   * both through SQS; read and write the dedupe table through DynamoDB.
   */
  grantFunction(grantee: iam.IGrantable): void {
    const region = Stack.of(this.flow).region;
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } },
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
    });
  }

  private addToKeyPolicy(statement: iam.PolicyStatement): void {
    if (!this.key.addToResourcePolicy(statement).statementAdded) this.unmanaged.push(statement);
  }
}

/**
 * A key the flow cannot use fails synth with the reason, at the flow's path: `given` names where
 * it was given (`FlowEncryption.customerManaged()`, `piiKey`).
 */
export function checkKey(flow: Construct, key: kms.IKey, given: string): void {
  if ('aliasName' in key) {
    throw new EventFlowDeclarationError(flow, `${given} was given the alias ${key.node.path}: grants and key policies need the key itself; pass the key (kms.Key, or kms.Key.fromKeyArn with its key ARN)`);
  }
  const stack = Stack.of(flow);
  for (const [what, keyValue, stackValue] of [['Region', key.env.region, stack.region], ['account', key.env.account, stack.account]] as const) {
    if (!Token.isUnresolved(keyValue) && !Token.isUnresolved(stackValue) && keyValue !== stackValue) {
      throw new EventFlowDeclarationError(flow, `the key ${key.node.path} given to ${given} is in ${what} ${keyValue}, the stack in ${stackValue}: EventBridge, SQS, DynamoDB and the runtime's KMS calls use a key of the flow's own account and Region; use a key of ${stackValue}`);
    }
  }
  if (key instanceof kms.Key) {
    const cfn = key.node.defaultChild as kms.CfnKey;
    const spec = cfn.keySpec ?? 'SYMMETRIC_DEFAULT';
    const usage = cfn.keyUsage ?? 'ENCRYPT_DECRYPT';
    if (spec !== 'SYMMETRIC_DEFAULT' || usage !== 'ENCRYPT_DECRYPT') {
      throw new EventFlowDeclarationError(flow, `the key ${key.node.path} given to ${given} has keySpec ${spec} / keyUsage ${usage}: EventBridge, SQS, DynamoDB and data keys (GenerateDataKey) need a symmetric encryption key (KeySpec.SYMMETRIC_DEFAULT, KeyUsage.ENCRYPT_DECRYPT)`);
    }
  }
}
