/**
 * The IAM permissions a wire request needs: its action (`service:Action`), the resource ARN and
 * the request's condition keys, per the Service Authorization Reference ("Actions, resources,
 * and condition keys for Amazon EventBridge / Amazon SQS / Amazon DynamoDB",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
 * - PutEvents needs `events:PutEvents` on the bus once per entry, with that entry's
 *   `events:source` and `events:detail-type` ("Using IAM policy conditions in Amazon
 *   EventBridge", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
 * - SQS batch actions need the permission of the single action (`sqs:SendMessage` for
 *   SendMessageBatch, …).
 * - DynamoDB transactions need the permission of each item's action (`dynamodb:PutItem` for a
 *   Put, `dynamodb:ConditionCheckItem` for a ConditionCheck); a Query or Scan of an index needs it
 *   on the index ARN.
 * - KMS requests need `kms:<Action>` on the key ARN, also when they name the key by an alias
 *   (with `kms:RequestAlias`), and Decrypt on the key its ciphertext names; the encryption context
 *   is the condition keys `kms:EncryptionContext:<key>`; CreateAlias / UpdateAlias / DeleteAlias
 *   need the permission on the alias and on the key ("AWS KMS condition keys",
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html; "Controlling access
 *   to aliases", https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html).
 * Every request arrives over the engine's loopback endpoint, which stands in for AWS's TLS
 * endpoint: `aws:SecureTransport` is "true" (the TLS-only queue policies Busline writes deny it
 * "false").
 */
export interface PermissionCheck {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request (besides the global ones the authorizer adds). */
  readonly context?: Readonly<Record<string, string>>;
  /** The event's detail-type, when the request publishes one (for journal and hints). */
  readonly topic?: string;
}

export interface Coordinates {
  readonly account: string;
  readonly region: string;
}

type Input = Readonly<Record<string, unknown>>;

const text = (input: Input, name: string): string | undefined => (typeof input[name] === 'string' ? input[name] as string : undefined);

export function eventBridgePermissions(action: string, input: Input, at: Coordinates): PermissionCheck[] {
  const busArn = (nameOrArn: string | undefined) => {
    const bus = nameOrArn ?? 'default';
    return bus.startsWith('arn:') ? bus : `arn:aws:events:${at.region}:${at.account}:event-bus/${bus}`;
  };
  const eventsAction = `events:${action}`;
  switch (action) {
    case 'PutEvents': {
      const entries = Array.isArray(input['Entries']) ? input['Entries'] as Input[] : [];
      return entries.map((entry) => {
        const topic = text(entry ?? {}, 'DetailType');
        const source = text(entry ?? {}, 'Source');
        return {
          action: eventsAction, resource: busArn(text(entry ?? {}, 'EventBusName')),
          context: { ...(topic !== undefined && { 'events:detail-type': topic }), ...(source !== undefined && { 'events:source': source }) },
          ...(topic !== undefined && { topic }),
        };
      });
    }
    case 'PutRule': case 'DeleteRule': case 'DescribeRule': case 'EnableRule': case 'DisableRule': case 'ListTargetsByRule': {
      return [{ action: eventsAction, resource: ruleArn(at, text(input, 'EventBusName'), text(input, 'Name') ?? '') }];
    }
    case 'PutTargets': case 'RemoveTargets':
      return [{ action: eventsAction, resource: ruleArn(at, text(input, 'EventBusName'), text(input, 'Rule') ?? '') }];
    case 'CreateEventBus': case 'DeleteEventBus': case 'DescribeEventBus':
      return [{ action: eventsAction, resource: busArn(text(input, 'Name')) }];
    case 'PutPermission': case 'RemovePermission':
      return [{ action: eventsAction, resource: busArn(text(input, 'EventBusName')) }];
    default:
      return [{ action: eventsAction, resource: '*' }];
  }
}

function ruleArn(at: Coordinates, bus: string | undefined, name: string): string {
  const busName = bus === undefined ? 'default' : bus.slice(bus.lastIndexOf('/') + 1);
  return `arn:aws:events:${at.region}:${at.account}:rule/${busName === 'default' ? '' : `${busName}/`}${name}`;
}

const SQS_BATCH = /^(SendMessage|DeleteMessage|ChangeMessageVisibility)Batch$/;

export function sqsPermissions(action: string, input: Input, at: Coordinates): PermissionCheck[] {
  const sqsAction = `sqs:${action.replace(SQS_BATCH, '$1')}`;
  const queueArn = (name: string) => `arn:aws:sqs:${at.region}:${at.account}:${name}`;
  const url = text(input, 'QueueUrl');
  if (url !== undefined) return [{ action: sqsAction, resource: queueArn(url.replace(/\/$/, '').split('/').pop()!) }];
  const name = text(input, 'QueueName');
  if (name !== undefined) return [{ action: sqsAction, resource: queueArn(name) }];
  const source = text(input, 'SourceArn');
  if (source !== undefined) return [{ action: sqsAction, resource: source }];
  return [{ action: sqsAction, resource: '*' }];
}

const TRANSACT_ITEM_ACTION: Readonly<Record<string, string>> = {
  Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem',
};

export function dynamoDbPermissions(action: string, input: Input, at: Coordinates): PermissionCheck[] {
  const tableArn = (table: string) => (table.startsWith('arn:') ? table : `arn:aws:dynamodb:${at.region}:${at.account}:table/${table}`);
  if (action === 'TransactWriteItems' || action === 'TransactGetItems') {
    const items = Array.isArray(input['TransactItems']) ? input['TransactItems'] as Input[] : [];
    return items.flatMap((item) => Object.entries(item ?? {}).flatMap(([kind, op]) => {
      const table = text((op ?? {}) as Input, 'TableName');
      const itemAction = TRANSACT_ITEM_ACTION[kind];
      return table !== undefined && itemAction ? [{ action: `dynamodb:${itemAction}`, resource: tableArn(table) }] : [];
    }));
  }
  const dynamoAction = `dynamodb:${action}`;
  const requestItems = input['RequestItems'];
  if (requestItems !== null && typeof requestItems === 'object') {
    return Object.keys(requestItems).map((table) => ({ action: dynamoAction, resource: tableArn(table) }));
  }
  const table = text(input, 'TableName');
  if (table === undefined) return [{ action: dynamoAction, resource: '*' }];
  const index = text(input, 'IndexName');
  return [{ action: dynamoAction, resource: index !== undefined ? `${tableArn(table)}/index/${index}` : tableArn(table) }];
}

export function lambdaInvokePermissions(functionNameOrArn: string, at: Coordinates): PermissionCheck[] {
  const arn = functionNameOrArn.startsWith('arn:') ? functionNameOrArn : `arn:aws:lambda:${at.region}:${at.account}:function:${functionNameOrArn}`;
  return [{ action: 'lambda:InvokeFunction', resource: arn }];
}

/** How the engine's KMS names keys, for the permission checks of a KMS request. */
export interface KmsKeyLookup {
  /** The key ARN of a key id, key ARN, alias name or alias ARN, when it names a key. */
  arnOf(identifier: string): string | undefined;
  /** The key ARN a ciphertext blob names, when it is one of the engine's. */
  arnOfCiphertext(ciphertext: Buffer): string | undefined;
}

const KMS_CRYPTO = new Set(['Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncrypt']);

export function kmsPermissions(action: string, input: Input, at: Coordinates, keys: KmsKeyLookup): PermissionCheck[] {
  const kmsAction = `kms:${action}`;
  const arn = (resource: string) => `arn:aws:kms:${at.region}:${at.account}:${resource}`;
  const named = text(input, 'KeyId') ?? text(input, 'TargetKeyId');
  const aliasName = (id: string | undefined) => (id === undefined ? undefined : id.startsWith('alias/') ? id : id.startsWith(arn('alias/')) ? id.slice(arn('').length) : undefined);
  const keyArn = (id: string) => keys.arnOf(id) ?? (id.startsWith('arn:') ? id : arn(id.startsWith('alias/') ? id : `key/${id}`));
  const context: Record<string, string> = {};
  if (KMS_CRYPTO.has(action)) {
    const encryption = input['EncryptionContext'];
    if (encryption !== null && typeof encryption === 'object') {
      for (const [k, v] of Object.entries(encryption)) if (typeof v === 'string') context[`kms:EncryptionContext:${k}`] = v;
    }
  }
  const alias = aliasName(text(input, 'KeyId'));
  if (alias !== undefined) context['kms:RequestAlias'] = alias;
  switch (action) {
    case 'CreateKey': case 'ListKeys': case 'ListAliases':
      return [{ action: kmsAction, resource: '*', context }];
    case 'CreateAlias': case 'UpdateAlias': case 'DeleteAlias': {
      const name = text(input, 'AliasName') ?? '';
      const target = text(input, 'TargetKeyId') ?? keys.arnOf(name);
      return [{ action: kmsAction, resource: arn(name), context }, ...(target !== undefined ? [{ action: kmsAction, resource: keyArn(target), context }] : [])];
    }
    case 'Decrypt': {
      if (named !== undefined) return [{ action: kmsAction, resource: keyArn(named), context }];
      const blob = text(input, 'CiphertextBlob');
      const owner = blob !== undefined ? keys.arnOfCiphertext(Buffer.from(blob, 'base64')) : undefined;
      return [{ action: kmsAction, resource: owner ?? '*', context }];
    }
    default:
      return [{ action: kmsAction, resource: named !== undefined ? keyArn(named) : '*', context }];
  }
}
