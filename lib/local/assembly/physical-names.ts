/**
 * Physical names for resources the template leaves unnamed, shaped like the names
 * CloudFormation generates (`<stack>-<logicalId>-<13 random characters>`), so a person
 * recognises `Signups-UsersTable1A2B3C4D-…` locally as they would in the console.
 * The suffix is a hash of stack and logical id rather than random, so names are stable
 * across restarts of the engine (queue state on disk is keyed by them).
 */
import { createHash } from 'node:crypto';

const SUFFIX_LENGTH = 13;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Maximum name lengths per resource type, from each service's limits. */
const MAX_LENGTH: Record<string, number> = {
  'AWS::SQS::Queue': 80,
  'AWS::Lambda::Function': 64,
  'AWS::Events::Rule': 64,
  'AWS::Events::Archive': 48,
  'AWS::DynamoDB::Table': 255,
  'AWS::IAM::Role': 64,
};

export function generatedName(stackName: string, logicalId: string, resourceType: string, suffixAfter = ''): string {
  const digest = createHash('sha256').update(`${stackName}/${logicalId}`).digest();
  let suffix = '';
  for (let i = 0; i < SUFFIX_LENGTH; i++) suffix += ALPHABET[digest[i]! % ALPHABET.length];
  const max = (MAX_LENGTH[resourceType] ?? 128) - suffixAfter.length;
  const head = `${stackName}-${logicalId}`.slice(0, Math.max(1, max - SUFFIX_LENGTH - 1));
  // Archive names allow only [.\-_A-Za-z0-9]; every generated part already fits that.
  return `${head}-${suffix}${suffixAfter}`;
}

/**
 * The key id of a template's KMS key: shaped like the UUIDs KMS gives keys
 * (`1234abcd-12ab-34cd-56ef-1234567890ab`), derived from stack and logical id so that the key, and
 * what it encrypted, is the same one after every restart.
 */
export function generatedKeyId(stackName: string, logicalId: string): string {
  const hex = createHash('sha256').update(`kms-key:${stackName}/${logicalId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
