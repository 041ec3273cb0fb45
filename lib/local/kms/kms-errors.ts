/**
 * KMS errors as the JSON 1.1 protocol carries them: body `{"__type": "<Name>", "message"}`, HTTP
 * 400 for the caller's faults (412 for DryRunOperationException) ("Common Errors" and each operation's "Errors", AWS KMS API
 * Reference, https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).
 */
export type KmsErrorType =
  | 'AlreadyExistsException'
  | 'DisabledException'
  | 'DryRunOperationException'
  | 'IncorrectKeyException'
  | 'InvalidCiphertextException'
  | 'InvalidKeyUsageException'
  | 'InvalidMarkerException'
  | 'MalformedPolicyDocumentException'
  | 'NotAuthorizedException'
  | 'NotFoundException'
  | 'UnsupportedOperationException'
  | 'ValidationException';

export class KmsError extends Error {
  override readonly name = 'KmsError';
  /** 400, but 412 for DryRunOperationException (the request would have succeeded). */
  readonly httpStatus: number;

  constructor(readonly type: KmsErrorType, message: string) {
    super(message);
    this.httpStatus = type === 'DryRunOperationException' ? 412 : 400;
  }
}

/** AWS's wording of a failed input constraint ("1 validation error detected: Value … at '…' failed to satisfy constraint: …"). */
export function constraintError(member: string, value: unknown, constraint: string): KmsError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
  return new KmsError('ValidationException', `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}
