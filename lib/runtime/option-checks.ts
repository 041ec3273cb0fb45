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
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RuntimeOptionsError(`${where}: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function positiveNumber(where: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RuntimeOptionsError(`${where}: ${name} must be a number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Explicit option > environment variable > default, for a number ≥ 0. */
export function numberOption(where: string, name: string, explicit: unknown, envName: string, fallback: number): number {
  if (explicit !== undefined) return positiveNumber(where, name, explicit, fallback);
  const raw = process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const parsed = Number(raw);
  if (!Number.isFinite(parsed) || parsed < 0) {
    throw new RuntimeOptionsError(`${where}: environment variable ${envName} must be a number ≥ 0, got ${JSON.stringify(raw)}`);
  }
  return parsed;
}

/** Explicit option > environment variable > default, for a whole number ≥ 1. */
export function integerOption(where: string, name: string, explicit: unknown, envName: string, fallback: number): number {
  if (explicit !== undefined) return positiveInteger(where, name, explicit, fallback);
  const raw = process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new RuntimeOptionsError(`${where}: environment variable ${envName} must be a whole number ≥ 1, got ${JSON.stringify(raw)}`);
  }
  return parsed;
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
