/**
 * Validation step: checks `data` against the topic's schema with the validator compiled at
 * build time (lib/schema/validator-codegen.ts, ajv standalone code; no ajv at cold start).
 * The version is metadata.schemaVersion, else the topic's newest one; a version the subscription
 * does not accept (SubscriptionConfig.acceptsVersions) is rejected like a violation. A violation is never
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

function newestVersion(versions: Readonly<Record<number, CompiledValidator>>): number {
  let newest = 0;
  for (const key of Object.keys(versions)) newest = Math.max(newest, Number(key));
  return newest;
}

/** Rejects an event whose schema version the subscription does not accept (SubscriptionConfig.acceptsVersions). */
export function checkAcceptedVersion(
  accepts: Readonly<Record<string, readonly number[]>> | undefined,
  validators: ValidatorTable,
  topic: string,
  version: number | undefined,
  what: string,
): ValidationSchemaError | undefined {
  const accepted = accepts?.[topic];
  const versions = validators[topic];
  if (!accepted || !versions) return undefined;
  const chosen = version ?? newestVersion(versions);
  if (accepted.includes(chosen)) return undefined;
  return new ValidationSchemaError(
    `${what} has schemaVersion ${chosen} of topic ${topic}, which this subscription does not accept (it accepts ${accepted.join(', ')}): publish an accepted version, or add ${chosen} to its acceptsVersions once the handler reads it`,
    [],
  );
}

export function validationStep(validators: ValidatorTable, acceptsVersions?: Readonly<Record<string, readonly number[]>>): RecordStep {
  return {
    name: 'validation',
    before: function validateRecord(record: RecordContext): RecordVerdict | void {
      if (!record.enveloped) return;
      const version = typeof record.metadata.schemaVersion === 'number' ? record.metadata.schemaVersion : undefined;
      const what = `event ${record.eventId}`;
      const error = checkAcceptedVersion(acceptsVersions, validators, record.topic, version, what)
        ?? checkData(validators, record.topic, version, record.data, what);
      if (error) return rejectRecord(error);
    },
  };
}
