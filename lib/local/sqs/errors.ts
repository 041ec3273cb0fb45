/**
 * SQS errors as the JSON protocol reports them: `__type` is the Smithy shape
 * (`com.amazonaws.sqs#QueueDoesNotExist`), and the `x-amzn-query-error` header carries the
 * legacy query error code and fault (`AWS.SimpleQueueService.NonExistentQueue;Sender`),
 * which the SDKs use as the error code (the service is awsQueryCompatible).
 */
export type SqsErrorShape =
  | 'QueueDoesNotExist'
  | 'QueueNameExists'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'TooManyEntriesInBatchRequest'
  | 'BatchRequestTooLong'
  | 'EmptyBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'InvalidBatchEntryId'
  | 'InvalidAttributeName'
  | 'InvalidAttributeValue'
  | 'InvalidMessageContents'
  | 'UnsupportedOperation'
  | 'ResourceNotFoundException'
  | 'InvalidParameterValue'
  | 'MissingParameter'
  | 'InvalidAction'
  | 'OverLimit';

const QUERY_CODE: Record<SqsErrorShape, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  ReceiptHandleIsInvalid: 'ReceiptHandleIsInvalid',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  InvalidAttributeName: 'InvalidAttributeName',
  InvalidAttributeValue: 'InvalidAttributeValue',
  InvalidMessageContents: 'InvalidMessageContents',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  ResourceNotFoundException: 'ResourceNotFoundException',
  InvalidParameterValue: 'InvalidParameterValue',
  MissingParameter: 'MissingParameter',
  InvalidAction: 'InvalidAction',
  OverLimit: 'OverLimit',
};

/**
 * HTTP status of the shapes SQS does not answer with 400 (the service model's httpError of each
 * error shape, as the AWS SDKs carry it: OverLimit 403, ReceiptHandleIsInvalid and
 * ResourceNotFoundException 404).
 */
const HTTP_STATUS: Partial<Record<SqsErrorShape, number>> = {
  OverLimit: 403,
  ReceiptHandleIsInvalid: 404,
  ResourceNotFoundException: 404,
};

export class SqsError extends Error {
  override readonly name = 'SqsError';
  constructor(
    readonly shape: SqsErrorShape,
    message: string,
    readonly httpStatus = HTTP_STATUS[shape] ?? 400,
  ) {
    super(message);
  }

  /** `com.amazonaws.sqs#<Shape>` for the body's `__type`. */
  get wireType(): string {
    return `com.amazonaws.sqs#${this.shape}`;
  }

  /** Value of the `x-amzn-query-error` header. */
  get queryError(): string {
    return `${QUERY_CODE[this.shape]};${this.httpStatus >= 500 ? 'Receiver' : 'Sender'}`;
  }

  /** The legacy code (what SDK clients expose as the error code, e.g. in batch results). */
  get code(): string {
    return QUERY_CODE[this.shape];
  }
}

export function queueDoesNotExist(name: string): SqsError {
  return new SqsError('QueueDoesNotExist', `The specified queue does not exist: ${name}`);
}

export function invalidParameter(message: string): SqsError {
  return new SqsError('InvalidParameterValue', message);
}
