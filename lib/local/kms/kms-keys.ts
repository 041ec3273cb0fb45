/**
 * The engine's KMS keys and aliases: each key's secret (the AES-256 key that seals its
 * ciphertexts), metadata, key policy and tags, and the aliases naming keys. Durable like the rest
 * of the engine's state: every change is one absolute record in the state store's write-ahead log
 * (`kms.key`, `kms.alias`, `kms.alias.del`), a snapshot re-expresses them as the same records, so
 * a ciphertext made before a restart decrypts after it.
 *
 * A key is named by its key id, key ARN, alias name (`alias/…`) or alias ARN ("Key identifiers
 * (KeyId)", AWS KMS developer guide, https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KmsError } from './kms-errors.ts';

export interface KmsTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

export interface KmsKey {
  readonly keyId: string;
  readonly arn: string;
  readonly createdAt: Date;
  readonly description: string;
  readonly enabled: boolean;
  /** The key policy document (JSON text) as given; not evaluated (docs/security.md). */
  readonly policy: string;
  readonly tags: readonly KmsTag[];
  /** The AES-256 secret the key's ciphertexts are sealed with. */
  readonly secret: Buffer;
}

export interface KmsAlias {
  readonly name: string;
  readonly arn: string;
  readonly keyId: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a key is declared with (CreateKey, or the template's AWS::KMS::Key). */
export interface KeyDeclaration {
  readonly keyId?: string;
  readonly description?: string;
  readonly enabled?: boolean;
  readonly policy?: string;
  readonly tags?: readonly KmsTag[];
}

type KmsRecord =
  | { t: 'kms.key'; keyId: string; createdAt: number; description: string; enabled: boolean; policy: string; tags: KmsTag[]; secret: string }
  | { t: 'kms.alias'; name: string; keyId: string; createdAt: number; updatedAt: number }
  | { t: 'kms.alias.del'; name: string };

const RECORD_TYPES = new Set(['kms.key', 'kms.alias', 'kms.alias.del']);

/** Where the records go: the engine's state store. */
export interface KmsLog {
  appendLazy(record: unknown): void;
  flush(): Promise<void>;
}

/** The key policy AWS gives a key created without one: the account may use it through IAM ("Default key policy", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). */
function defaultPolicy(account: string): string {
  return JSON.stringify({
    Version: '2012-10-17', Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  });
}

export class KmsKeys {
  private readonly keys = new Map<string, KmsKey>();
  private readonly aliases = new Map<string, KmsAlias>();
  private log: KmsLog | undefined;
  /** New keys whose secret is on its way to disk: nothing they seal is answered before it is there. */
  private readonly unsaved = new Map<string, Promise<void>>();

  constructor(private readonly at: { readonly region: string; readonly account: string; readonly now: () => Date }) {}

  // ---- durability ---------------------------------------------------------------

  attachLog(log: KmsLog): void {
    this.log = log;
  }

  /** Resolves when every change made so far is on disk. */
  async durable(): Promise<void> {
    await this.log?.flush();
  }

  /**
   * Resolves once the key's secret is on disk. A ciphertext is answered only then: a crash must
   * not leave a blob whose key the next start would create anew with another secret.
   */
  async secretDurable(key: KmsKey): Promise<void> {
    await this.unsaved.get(key.keyId);
  }

  /** Apply one recovered record; false if it is not a KMS record. */
  applyRecovered(record: { t?: unknown }): boolean {
    if (typeof record.t !== 'string' || !RECORD_TYPES.has(record.t)) return false;
    this.apply(record as KmsRecord);
    return true;
  }

  *snapshot(): Generator<KmsRecord> {
    for (const key of this.keys.values()) yield keyRecord(key);
    for (const alias of this.aliases.values()) yield aliasRecord(alias);
  }

  private commit(record: KmsRecord): void {
    this.apply(record);
    this.log?.appendLazy(record);
  }

  private apply(record: KmsRecord): void {
    switch (record.t) {
      case 'kms.key':
        this.keys.set(record.keyId, {
          keyId: record.keyId, arn: this.arn(`key/${record.keyId}`), createdAt: new Date(record.createdAt),
          description: record.description, enabled: record.enabled, policy: record.policy, tags: record.tags,
          secret: Buffer.from(record.secret, 'base64'),
        });
        break;
      case 'kms.alias':
        this.aliases.set(record.name, {
          name: record.name, arn: this.arn(record.name), keyId: record.keyId,
          createdAt: new Date(record.createdAt), updatedAt: new Date(record.updatedAt),
        });
        break;
      case 'kms.alias.del':
        this.aliases.delete(record.name);
        break;
    }
  }

  // ---- keys -------------------------------------------------------------------------

  /**
   * Creates a key, or, for a key id that exists (the template's keys, declared at every start),
   * updates its description, state, policy and tags and keeps its secret.
   */
  declareKey(declaration: KeyDeclaration): KmsKey {
    const existing = declaration.keyId !== undefined ? this.keys.get(declaration.keyId) : undefined;
    const keyId = existing?.keyId ?? declaration.keyId ?? randomUUID();
    this.commit({
      t: 'kms.key', keyId,
      createdAt: (existing?.createdAt ?? this.at.now()).getTime(),
      description: declaration.description ?? existing?.description ?? '',
      enabled: declaration.enabled ?? existing?.enabled ?? true,
      policy: declaration.policy ?? existing?.policy ?? defaultPolicy(this.at.account),
      tags: [...(declaration.tags ?? existing?.tags ?? [])],
      secret: (existing?.secret ?? randomBytes(32)).toString('base64'),
    });
    if (!existing && this.log) {
      const written = this.log.flush();
      this.unsaved.set(keyId, written);
      written.then(() => this.unsaved.delete(keyId), () => undefined);
    }
    return this.keys.get(keyId)!;
  }

  /** Enables or disables a key (EnableKey / DisableKey). */
  setEnabled(key: KmsKey, enabled: boolean): void {
    this.commit({ ...keyRecord(key), enabled });
  }

  list(): KmsKey[] {
    return [...this.keys.values()];
  }

  /** The key a key id, key ARN, alias name or alias ARN names (NotFoundException otherwise). */
  key(identifier: string): KmsKey {
    const aliasName = this.aliasNameOf(identifier);
    if (aliasName !== undefined) {
      const alias = this.aliases.get(aliasName);
      if (!alias) throw new KmsError('NotFoundException', `Alias ${this.arn(aliasName)} is not found.`);
      return this.keys.get(alias.keyId)!;
    }
    const keyId = this.keyIdOf(identifier);
    const key = keyId !== undefined ? this.keys.get(keyId) : undefined;
    if (!key) throw new KmsError('NotFoundException', `Key '${identifier.startsWith('arn:') ? identifier : this.arn(`key/${identifier}`)}' does not exist`);
    return key;
  }

  /** The key's ARN for what names it, when it names one (IAM checks the key ARN, also when the request names an alias). */
  findArn(identifier: string): string | undefined {
    try {
      return this.key(identifier).arn;
    } catch {
      return undefined;
    }
  }

  /** A key by its key id alone (the one a ciphertext names). */
  byKeyId(keyId: string): KmsKey | undefined {
    return this.keys.get(keyId);
  }

  // ---- aliases ------------------------------------------------------------------------

  aliasList(): KmsAlias[] {
    return [...this.aliases.values()];
  }

  alias(name: string): KmsAlias | undefined {
    return this.aliases.get(name);
  }

  /** Points the alias at the key (creates it, or moves it: the template's aliases at every start, UpdateAlias). */
  putAlias(name: string, keyId: string): KmsAlias {
    const existing = this.aliases.get(name);
    const now = this.at.now().getTime();
    this.commit({ t: 'kms.alias', name, keyId, createdAt: existing?.createdAt.getTime() ?? now, updatedAt: now });
    return this.aliases.get(name)!;
  }

  deleteAlias(name: string): void {
    this.commit({ t: 'kms.alias.del', name });
  }

  arn(resource: string): string {
    return `arn:aws:kms:${this.at.region}:${this.at.account}:${resource}`;
  }

  /** `alias/x` for an alias name or an alias ARN of this region and account. */
  aliasNameOf(identifier: string): string | undefined {
    if (identifier.startsWith('alias/')) return identifier;
    const prefix = this.arn('alias/');
    return identifier.startsWith(prefix) ? identifier.slice(prefix.length - 'alias/'.length) : undefined;
  }

  private keyIdOf(identifier: string): string | undefined {
    if (!identifier.startsWith('arn:')) return identifier;
    const prefix = this.arn('key/');
    return identifier.startsWith(prefix) ? identifier.slice(prefix.length) : undefined;
  }
}

function keyRecord(key: KmsKey): Extract<KmsRecord, { t: 'kms.key' }> {
  return {
    t: 'kms.key', keyId: key.keyId, createdAt: key.createdAt.getTime(), description: key.description,
    enabled: key.enabled, policy: key.policy, tags: [...key.tags], secret: key.secret.toString('base64'),
  };
}

function aliasRecord(alias: KmsAlias): KmsRecord {
  return { t: 'kms.alias', name: alias.name, keyId: alias.keyId, createdAt: alias.createdAt.getTime(), updatedAt: alias.updatedAt.getTime() };
}
