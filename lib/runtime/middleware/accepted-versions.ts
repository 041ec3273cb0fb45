/**
 * SubscriptionConfig.acceptsVersions in the validation step (validation.ts): an event of a schema
 * version the subscription does not accept is rejected like a violation. Apart from
 * validation.ts so that a function bundle whose subscription accepts every version carries none
 * of this (lib/constructs/bundler.ts featureImports).
 */
import type { ValidatorTable } from '../handler-types.ts';
import { ValidationSchemaError } from '../errors.ts';
import { newestVersion, type VersionCheck } from './validation.ts';

/** The check of `accepts` (topic → accepted versions); a topic it does not name, or without validators, passes. */
export function acceptedVersionsCheck(accepts: Readonly<Record<string, readonly number[]>>, validators: ValidatorTable): VersionCheck {
  return (topic, version, what) => {
    const accepted = accepts[topic];
    const versions = validators[topic];
    if (!accepted || !versions) return undefined;
    const chosen = version ?? newestVersion(versions);
    if (accepted.includes(chosen)) return undefined;
    return new ValidationSchemaError(
      `${what} has schemaVersion ${chosen} of topic ${topic}, which this subscription does not accept (it accepts ${accepted.join(', ')}): publish an accepted version, or add ${chosen} to its acceptsVersions once the handler reads it`,
      [],
    );
  };
}
