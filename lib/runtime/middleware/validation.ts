/**
 * Validation step: checks `data` against the topic's schema with the validator compiled at
 * build time (lib/schema/validator-codegen.ts, ajv standalone code; no ajv at cold start).
 * The version is metadata.schemaVersion, else the topic's newest one; a version the subscription
 * does not accept (SubscriptionConfig.acceptsVersions, accepted-versions.ts) is rejected like a violation. A violation is never
 * retried: the record is rejected straight to the DLQ with the schema errors as its reason.
 * Raw events (no envelope, from outside the flow) have no schema here and pass through.
 */
import type { CompiledValidator, ValidatorTable } from '../handler-types.ts';
import { ValidationSchemaError } from '../errors.ts';
import { rejectRecord, type RecordContext, type RecordStep, type RecordVerdict } from '../record-pipeline.ts';

/** Checks `data` of one topic version; returns the error, or undefined when valid. */
export function checkData(validators: ValidatorTable, topic: string, version: number | undefined, data: unknown, what: string): ValidationSchemaError | undefined {
  const versions = validators[topic];
  if (!versions) return undefined;
  const chosen = version ?? newestVersion(versions);
  const validate: CompiledValidator | undefined = versions[chosen];
  if (!validate) {
    return new ValidationSchemaError(
      `${what} says schemaVersion ${chosen} of topic ${topic}, but this function knows versions ${Object.keys(versions).join(', ')}: redeploy with the new schema`,
      [],
    );
  }
  if (validate(data)) return undefined;
  const errors = (validate.errors ?? []).map((e) => ({ instancePath: e.instancePath, message: e.message ?? e.keyword }));
  return new ValidationSchemaError(`${what} does not match schema ${topic} v${chosen}: ${formatSchemaErrors(errors)}`, errors);
}

export function formatSchemaErrors(errors: ReadonlyArray<{ instancePath: string; message?: string }>): string {
  if (errors.length === 0) return 'rejected by the validator';
  return errors.map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ');
}

export function newestVersion(versions: Readonly<Record<number, CompiledValidator>>): number {
  let newest = 0;
  for (const key of Object.keys(versions)) newest = Math.max(newest, Number(key));
  return newest;
}

/**
 * Refuses an event of a schema version the subscription does not accept (accepted-versions.ts),
 * for a subscription whose config has acceptsVersions.
 */
export type VersionCheck = (topic: string, version: number | undefined, what: string) => ValidationSchemaError | undefined;

export function validationStep(validators: ValidatorTable, checkVersion?: VersionCheck): RecordStep {
  return {
    name: 'validation',
    before: function validateRecord(record: RecordContext): RecordVerdict | void {
      if (!record.enveloped) return;
      const version = typeof record.metadata.schemaVersion === 'number' ? record.metadata.schemaVersion : undefined;
      const what = `event ${record.eventId}`;
      const error = checkVersion?.(record.topic, version, what) ?? checkData(validators, record.topic, version, record.data, what);
      if (error) return rejectRecord(error);
    },
  };
}
