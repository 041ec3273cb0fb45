/**
 * Generates the validator module for a schemas folder with lib/schema/validator-codegen.ts (the
 * same build-time path the constructs use) and imports it. The module is written under
 * node_modules/.cache so that its imports (ajv runtime helpers) resolve and git never sees it.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { generateValidatorModule } from '../../lib/schema/validator-codegen.ts';
import type { ValidatorTable } from '../../lib/runtime/handler-types.ts';

const CACHE_DIR = resolve(import.meta.dirname, '../../node_modules/.cache/busline-test-validators');

/** Writes the generated module for `schemasDir` and returns its path. */
export function writeValidatorModule(schemasDir: string): string {
  const code = generateValidatorModule(loadSchemas(schemasDir).values());
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `validators-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  // Test files run in parallel processes that want the same module: write it whole under a
  // private name, then rename (atomic), so no process ever imports a half-written file.
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return file;
}

export async function loadValidators(schemasDir: string): Promise<ValidatorTable> {
  const mod = (await import(pathToFileURL(writeValidatorModule(schemasDir)).href)) as { validators: ValidatorTable };
  return mod.validators;
}
