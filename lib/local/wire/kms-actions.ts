/**
 * KMS over the JSON 1.1 protocol (`X-Amz-Target: TrentService.<Action>`), per the AWS KMS API
 * Reference (https://docs.aws.amazon.com/kms/latest/APIReference/). Blobs (Plaintext,
 * CiphertextBlob) travel base64-encoded, timestamps as epoch seconds. Errors have body
 * `{"__type": "<Name>", "message"}` and HTTP 400 (DryRunOperationException: 412).
 * Only symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) are modelled.
 */
import { KmsError, constraintError } from '../kms/kms-errors.ts';
import type { EncryptionContext } from '../kms/ciphertext.ts';
import type { KmsKey, KmsTag } from '../kms/kms-keys.ts';
import { MAX_PLAINTEXT_BYTES, SYMMETRIC_DEFAULT, type KmsService } from '../kms/kms-service.ts';
import { WireError, type ActionHandler } from './protocol.ts';

type Input = Record<string, unknown>;

export function toWireError(error: unknown): WireError | undefined {
  if (error instanceof KmsError) return new WireError(error.type, error.message, error.httpStatus);
  return undefined;
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

function requiredText(input: Input, name: string, member: string, max = 2048): string {
  const value = input[name];
  if (value === undefined || value === null) throw constraintError(member, value, 'Member must not be null');
  if (typeof value !== 'string' || value.length < 1 || value.length > max) throw constraintError(member, value, `Member must have length between 1 and ${max}`);
  return value;
}

function optionalText(input: Input, name: string, member: string, max = 2048): string | undefined {
  return input[name] === undefined || input[name] === null ? undefined : requiredText(input, name, member, max);
}

/** A base64 blob of 1..max bytes. */
function blob(input: Input, name: string, member: string, max: number): Buffer {
  const value = input[name];
  if (value === undefined || value === null) throw constraintError(member, value, 'Member must not be null');
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new KmsError('ValidationException', `${name} must be base64-encoded.`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1 || bytes.length > max) throw constraintError(member, `java.nio.HeapByteBuffer[pos=0 lim=${bytes.length} cap=${bytes.length}]`, `Member must have length ${bytes.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`);
  return bytes;
}

function encryptionContext(input: Input, name = 'EncryptionContext'): EncryptionContext {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new KmsError('ValidationException', `${name} must be a map of strings to strings.`);
  }
  return value as EncryptionContext;
}

/** Only SYMMETRIC_DEFAULT: the engine's keys are symmetric encryption keys. */
function algorithm(input: Input): void {
  const value = input['EncryptionAlgorithm'];
  if (value === undefined || value === null || value === SYMMETRIC_DEFAULT) return;
  throw new KmsError('InvalidKeyUsageException', `The encryption algorithm ${String(value)} is not supported by a symmetric encryption key (only ${SYMMETRIC_DEFAULT}).`);
}

/** `DryRun: true`: every check passed and nothing is returned (the DryRun parameter of each cryptographic operation). */
function dryRun(input: Input): void {
  if (input['DryRun'] === true) throw new KmsError('DryRunOperationException', 'The request was rejected because the DryRun parameter was specified (it would have succeeded).');
}

/** KeySpec AES_256 / AES_128 or NumberOfBytes 1–1024: exactly one (API_GenerateDataKey.html). */
function dataKeyBytes(input: Input): number {
  const spec = input['KeySpec'];
  const count = input['NumberOfBytes'];
  const hasSpec = spec !== undefined && spec !== null;
  const hasCount = count !== undefined && count !== null;
  if (hasSpec === hasCount) throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec, but not both.');
  if (hasSpec) {
    if (spec === 'AES_256') return 32;
    if (spec === 'AES_128') return 16;
    throw constraintError('keySpec', spec, 'Member must satisfy enum value set: [AES_256, AES_128]');
  }
  if (typeof count !== 'number' || !Number.isInteger(count)) throw constraintError('numberOfBytes', count, 'Member must be an integer');
  if (count < 1) throw constraintError('numberOfBytes', count, 'Member must have value greater than or equal to 1');
  if (count > 1024) throw constraintError('numberOfBytes', count, 'Member must have value less than or equal to 1024');
  return count;
}

function tags(input: Input): KmsTag[] {
  const value = input['Tags'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((t) => typeof (t as Input)?.['TagKey'] !== 'string' || typeof (t as Input)?.['TagValue'] !== 'string')) {
    throw new KmsError('ValidationException', 'Tags must be a list of { TagKey, TagValue } strings.');
  }
  return value.map((t) => ({ TagKey: (t as Input)['TagKey'] as string, TagValue: (t as Input)['TagValue'] as string }));
}

/** An alias name: `alias/` + 1–250 of [a-zA-Z0-9:/_-], not under `alias/aws/` (API_CreateAlias.html). */
function aliasName(input: Input): string {
  const name = requiredText(input, 'AliasName', 'aliasName', 256);
  if (!/^alias\/[a-zA-Z0-9:/_-]+$/.test(name)) throw constraintError('aliasName', name, 'Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$');
  if (name.startsWith('alias/aws/')) throw new KmsError('NotAuthorizedException', 'The alias prefix alias/aws/ is reserved for AWS managed keys.');
  return name;
}

/** One page of a List* answer: `Limit` 1–1000 (default 100), `Marker` from the previous page. */
function page<T>(items: readonly T[], input: Input, id: (item: T) => string): { items: T[]; next?: string } {
  const limit = input['Limit'] ?? 100;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) throw constraintError('limit', limit, 'Member must have value between 1 and 1000');
  let start = 0;
  const marker = input['Marker'];
  if (marker !== undefined && marker !== null) {
    const after = typeof marker === 'string' ? Buffer.from(marker, 'base64url').toString('utf8') : '';
    const index = items.findIndex((item) => id(item) === after);
    if (index < 0) throw new KmsError('InvalidMarkerException', 'The Marker is not valid: pass the NextMarker of the previous answer, unchanged.');
    start = index + 1;
  }
  const slice = items.slice(start, start + limit);
  return start + limit >= items.length ? { items: slice } : { items: slice, next: Buffer.from(id(slice.at(-1)!), 'utf8').toString('base64url') };
}

function keyMetadata(key: KmsKey, account: string): Record<string, unknown> {
  return {
    AWSAccountId: account, KeyId: key.keyId, Arn: key.arn, CreationDate: seconds(key.createdAt),
    Enabled: key.enabled, Description: key.description, KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.enabled ? 'Enabled' : 'Disabled', Origin: 'AWS_KMS', KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: SYMMETRIC_DEFAULT, KeySpec: SYMMETRIC_DEFAULT, EncryptionAlgorithms: [SYMMETRIC_DEFAULT],
    MultiRegion: false,
  };
}

export function kmsActions(kms: KmsService, account: string): Record<string, ActionHandler> {
  const keys = kms.keys;
  const keyOf = (input: Input): KmsKey => keys.key(requiredText(input, 'KeyId', 'keyId'));
  const dataKey = async (input: Input, withPlaintext: boolean): Promise<Record<string, unknown>> => {
    const keyId = requiredText(input, 'KeyId', 'keyId');
    const context = encryptionContext(input);
    const generated = kms.generateDataKey(keyId, dataKeyBytes(input), context);
    dryRun(input);
    await keys.secretDurable(generated.key);
    return {
      CiphertextBlob: generated.ciphertext.toString('base64'),
      ...(withPlaintext && { Plaintext: generated.plaintext.toString('base64') }),
      KeyId: generated.key.arn,
    };
  };
  return {
    async CreateKey(input) {
      const spec = input['KeySpec'] ?? input['CustomerMasterKeySpec'] ?? SYMMETRIC_DEFAULT;
      const usage = input['KeyUsage'] ?? 'ENCRYPT_DECRYPT';
      if (spec !== SYMMETRIC_DEFAULT || usage !== 'ENCRYPT_DECRYPT') {
        throw new KmsError('UnsupportedOperationException', `The local engine models symmetric encryption keys only (KeySpec ${SYMMETRIC_DEFAULT}, KeyUsage ENCRYPT_DECRYPT); this request asked for KeySpec ${String(spec)}, KeyUsage ${String(usage)}.`);
      }
      const origin = input['Origin'] ?? 'AWS_KMS';
      if (origin !== 'AWS_KMS') throw new KmsError('UnsupportedOperationException', `The local engine models keys of Origin AWS_KMS only, not ${String(origin)}.`);
      if (input['MultiRegion'] === true) throw new KmsError('UnsupportedOperationException', 'The local engine does not model multi-Region keys.');
      const policy = optionalText(input, 'Policy', 'policy', 32768);
      if (policy !== undefined) {
        try {
          JSON.parse(policy);
        } catch {
          throw new KmsError('MalformedPolicyDocumentException', 'The key policy is not a JSON document.');
        }
      }
      const key = keys.declareKey({ description: optionalText(input, 'Description', 'description', 8192) ?? '', tags: tags(input), ...(policy !== undefined && { policy }) });
      await keys.durable();
      return { KeyMetadata: keyMetadata(key, account) };
    },
    DescribeKey(input) {
      return { KeyMetadata: keyMetadata(keyOf(input), account) };
    },
    ListKeys(input) {
      const { items, next } = page(keys.list(), input, (k) => k.keyId);
      return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), Truncated: next !== undefined, ...(next !== undefined && { NextMarker: next }) };
    },
    async EnableKey(input) {
      keys.setEnabled(keyOf(input), true);
      await keys.durable();
      return {};
    },
    async DisableKey(input) {
      keys.setEnabled(keyOf(input), false);
      await keys.durable();
      return {};
    },
    GetKeyPolicy(input) {
      const key = keyOf(input);
      const name = input['PolicyName'] ?? 'default';
      if (name !== 'default') throw new KmsError('NotFoundException', `No such policy exists: ${String(name)} (a key has one policy, named default).`);
      return { Policy: key.policy, PolicyName: 'default' };
    },
    ListResourceTags(input) {
      const { items, next } = page(keyOf(input).tags, input, (t) => t.TagKey);
      return { Tags: items, Truncated: next !== undefined, ...(next !== undefined && { NextMarker: next }) };
    },
    async CreateAlias(input) {
      const name = aliasName(input);
      const key = keys.key(requiredText(input, 'TargetKeyId', 'targetKeyId'));
      if (keys.alias(name)) throw new KmsError('AlreadyExistsException', `An alias with the name ${keys.arn(name)} already exists`);
      keys.putAlias(name, key.keyId);
      await keys.durable();
      return {};
    },
    async UpdateAlias(input) {
      const name = aliasName(input);
      const key = keys.key(requiredText(input, 'TargetKeyId', 'targetKeyId'));
      if (!keys.alias(name)) throw new KmsError('NotFoundException', `Alias ${keys.arn(name)} is not found.`);
      keys.putAlias(name, key.keyId);
      await keys.durable();
      return {};
    },
    async DeleteAlias(input) {
      const name = aliasName(input);
      if (!keys.alias(name)) throw new KmsError('NotFoundException', `Alias ${keys.arn(name)} is not found.`);
      keys.deleteAlias(name);
      await keys.durable();
      return {};
    },
    ListAliases(input) {
      const keyId = optionalText(input, 'KeyId', 'keyId');
      const target = keyId !== undefined ? keys.key(keyId).keyId : undefined;
      const aliases = keys.aliasList().filter((a) => target === undefined || a.keyId === target);
      const { items, next } = page(aliases, input, (a) => a.name);
      return {
        Aliases: items.map((a) => ({ AliasName: a.name, AliasArn: a.arn, TargetKeyId: a.keyId, CreationDate: seconds(a.createdAt), LastUpdatedDate: seconds(a.updatedAt) })),
        Truncated: next !== undefined, ...(next !== undefined && { NextMarker: next }),
      };
    },
    async Encrypt(input) {
      const keyId = requiredText(input, 'KeyId', 'keyId');
      const plaintext = blob(input, 'Plaintext', 'plaintext', MAX_PLAINTEXT_BYTES);
      const context = encryptionContext(input);
      algorithm(input);
      const sealed = kms.encrypt(keyId, plaintext, context);
      dryRun(input);
      await keys.secretDurable(sealed.key);
      return { CiphertextBlob: sealed.ciphertext.toString('base64'), KeyId: sealed.key.arn, EncryptionAlgorithm: SYMMETRIC_DEFAULT };
    },
    Decrypt(input) {
      const ciphertext = blob(input, 'CiphertextBlob', 'ciphertextBlob', 6144);
      const context = encryptionContext(input);
      const keyId = optionalText(input, 'KeyId', 'keyId');
      algorithm(input);
      const opened = kms.decrypt(ciphertext, context, keyId);
      dryRun(input);
      return { KeyId: opened.key.arn, Plaintext: opened.plaintext.toString('base64'), EncryptionAlgorithm: SYMMETRIC_DEFAULT };
    },
    GenerateDataKey: (input) => dataKey(input, true),
    GenerateDataKeyWithoutPlaintext: (input) => dataKey(input, false),
  };
}
