/**
 * Construction-time option checks shared by wrapHandler and createPublisher. An unknown option
 * is an error (a typo would otherwise silently fall back to a default); a bad value names the
 * option, shows the value and what is allowed.
 */
import { RuntimeOptionsError } from './errors.ts';

export function checkOptionKeys(where: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) {
    throw new RuntimeOptionsError(`${where}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new RuntimeOptionsError(`${where}: unknown option ${JSON.stringify(key)}; known options are ${known.join(', ')}`);
    }
  }
}

export function positiveInteger(where: string, name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkedNumber(where, name, value, true, 'a positive integer', value);
}

export function positiveNumber(where: string, name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkedNumber(where, name, value, false, 'a number ≥ 0', value);
}

/** Explicit option > environment variable > default, for a number ≥ 0. */
export function numberOption(where: string, name: string, explicit: unknown, envName: string, fallback: number): number {
  return numberFrom(where, name, explicit, envName, fallback, false);
}

/** Explicit option > environment variable > default, for a whole number ≥ 1. */
export function integerOption(where: string, name: string, explicit: unknown, envName: string, fallback: number): number {
  return numberFrom(where, name, explicit, envName, fallback, true);
}

function numberFrom(where: string, name: string, explicit: unknown, envName: string, fallback: number, whole: boolean): number {
  if (explicit !== undefined) return checkedNumber(where, name, explicit, whole, whole ? 'a positive integer' : 'a number ≥ 0', explicit);
  const raw = process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  return checkedNumber(where, `environment variable ${envName}`, Number(raw), whole, whole ? 'a whole number ≥ 1' : 'a number ≥ 0', raw);
}

/** `value` when it is a whole number ≥ 1 (`whole`) or a finite number ≥ 0; else an error naming `what`, showing `shown` and what is allowed. */
function checkedNumber(where: string, what: string, value: unknown, whole: boolean, allowed: string, shown: unknown): number {
  // Number.isInteger and Number.isFinite are false for anything but a number (no coercion).
  if (whole ? Number.isInteger(value) && (value as number) >= 1 : Number.isFinite(value) && (value as number) >= 0) return value as number;
  throw new RuntimeOptionsError(`${where}: ${what} must be ${allowed}, got ${JSON.stringify(shown)}`);
}

/** Explicit option > environment variable > default, for a string. */
export function stringOption(where: string, name: string, explicit: unknown, envName: string, fallback?: string): string | undefined {
  if (explicit !== undefined) {
    if (typeof explicit !== 'string' || explicit === '') throw new RuntimeOptionsError(`${where}: ${name} must be a non-empty string, got ${JSON.stringify(explicit)}`);
    return explicit;
  }
  const raw = process.env[envName];
  return raw === undefined || raw === '' ? fallback : raw;
}
