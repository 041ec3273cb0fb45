/**
 * Which property of a resource names a customer managed KMS key. The engine serves KMS (the key
 * exists locally when the template declares it, and Encrypt / Decrypt / GenerateDataKey calls are
 * checked against the roles' `kms:` permissions), but its SQS, EventBridge and DynamoDB do not
 * encrypt at rest with the key: they store the data as is and make no KMS call on a sender's or
 * reader's behalf, so the `kms:` permissions AWS checks for them, and a disabled key's refusal,
 * show only after deploy. Key policies are not evaluated; rotation and grants are not modelled.
 * The engine says so with a warning, not with the quiet note it gives other encryption settings.
 */
import type { CfnResource } from './cloud-assembly.ts';

/** The queue setting SQS reads as its own AWS managed key, not the team's. */
const SQS_AWS_MANAGED_ALIAS = 'alias/aws/sqs';

/** The property naming a customer managed key, or undefined when the resource uses AWS's keys. */
export function customerManagedKeyProperty(resource: CfnResource): string | undefined {
  const p = resource.Properties ?? {};
  const named = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
  switch (resource.Type) {
    case 'AWS::Events::EventBus':
    case 'AWS::Events::Archive':
      return named(p.KmsKeyIdentifier) ? 'KmsKeyIdentifier' : undefined;
    case 'AWS::SQS::Queue':
      return named(p.KmsMasterKeyId) && p.KmsMasterKeyId !== SQS_AWS_MANAGED_ALIAS ? 'KmsMasterKeyId' : undefined;
    case 'AWS::DynamoDB::Table': {
      const sse = p.SSESpecification as { KMSMasterKeyId?: unknown } | undefined;
      return named(sse?.KMSMasterKeyId) ? 'SSESpecification' : undefined;
    }
    default:
      return undefined;
  }
}

export const CUSTOMER_MANAGED_KEY_WARNING =
  'encrypted with a customer managed KMS key, which is not emulated at rest: its data is stored unencrypted locally and the service makes no KMS call with the key, so the kms: permissions AWS checks when it is sent to or read from (kms:GenerateDataKey, kms:Decrypt), and a disabled key, fail only on AWS. The engine serves the key itself over KMS (Encrypt, Decrypt, GenerateDataKey, checked against the roles\' kms: permissions); its key policy is not evaluated and rotation and grants are not modelled';
