/**
 * Which property of a resource names a customer managed KMS key. Such a key is not emulated:
 * locally the data is stored as is, and neither the key policy nor the roles' `kms:` grants are
 * checked, so a permission missing on AWS (or a disabled key) shows only after deploy. The
 * engine says so with a warning, not with the quiet note it gives other encryption settings.
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
  'encrypted with a customer managed KMS key, which is not emulated: its data is stored unencrypted locally, and the key policy and the kms: grants of the roles are not checked, so a missing permission or a disabled key fails only on AWS';
