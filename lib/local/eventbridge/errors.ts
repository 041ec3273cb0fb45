/**
 * EventBridge errors as AWS JSON 1.1 reports them: body `{"__type": "<Name>", "message"}`,
 * HTTP 400 for client faults.
 */
export type EventBridgeErrorType =
  | 'ResourceNotFoundException'
  | 'ValidationException'
  | 'InvalidEventPatternException'
  | 'ResourceAlreadyExistsException'
  | 'LimitExceededException'
  | 'ThrottlingException'
  | 'InternalException';

export class EventBridgeError extends Error {
  override readonly name = 'EventBridgeError';
  constructor(
    readonly type: EventBridgeErrorType,
    message: string,
    readonly httpStatus = type === 'InternalException' ? 500 : 400,
  ) {
    super(message);
  }
}
