/**
 * What a changed topic schema means for the running flow: new validators for every function
 * whose bundle checks that topic (it consumes or publishes it), and the TypeScript types of
 * `busline types` regenerated where that command wrote them (`<schemas>/types.ts`, a file that
 * starts with its banner; a hand-written file of that name is left alone).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSchemas } from '../../schema/schema-set.ts';
import { generateValidatorModule } from '../../schema/validator-codegen.ts';
import { GENERATED_BANNER, generateTypesModule } from '../../schema/type-codegen.ts';
import type { WatchedFunction } from './handler-bundles.ts';

export interface SchemaReload {
  /** The validators module of each function, by function name. */
  readonly validators: ReadonlyMap<string, string>;
  /** The types file rewritten, when there is one and it changed. */
  readonly typesFile?: string;
}

/**
 * Compiles the validators of `functions` from the schemas folder as it is now, and regenerates
 * its types file. Throws the schema's error (SchemaLoadError, SchemaCompileError) naming the
 * file; nothing is written then.
 */
export async function reloadSchemas(schemasDir: string, functions: readonly WatchedFunction[]): Promise<SchemaReload> {
  const schemas = loadSchemas(schemasDir);
  const validators = new Map<string, string>();
  for (const fn of functions) {
    validators.set(fn.functionName, generateValidatorModule(fn.topics.flatMap((t) => {
      const topic = schemas.get(t);
      return topic ? [topic] : [];
    })));
  }
  const typesFile = join(schemasDir, 'types.ts');
  if (!existsSync(typesFile)) return { validators };
  const current = readFileSync(typesFile, 'utf8');
  if (!current.startsWith(GENERATED_BANNER)) return { validators };
  const types = await generateTypesModule(schemas.values());
  if (types === current) return { validators };
  writeFileSync(typesFile, types);
  return { validators, typesFile };
}

/** `<topic>` of a schema file `<schemasDir>/<topic>/v<N>.json`, else undefined. */
export function topicOfSchemaFile(schemasDir: string, file: string): string | undefined {
  const prefix = `${schemasDir}/`;
  if (!file.startsWith(prefix)) return undefined;
  const m = /^([^/]+)\/v[1-9][0-9]*\.json$/.exec(file.slice(prefix.length));
  return m?.[1];
}

/**
 * `file:line:column` for a JSON parse error's "position N" (Node's JSON.parse names only the
 * offset), so the terminal points at the place to fix; the message as it is otherwise.
 */
export function withJsonLocation(message: string, file: string): string {
  const at = /position (\d+)/.exec(message);
  if (!at || !existsSync(file)) return message;
  const before = readFileSync(file, 'utf8').slice(0, Number(at[1]));
  const lines = before.split('\n');
  return `${file}:${lines.length}:${lines[lines.length - 1]!.length + 1}: ${message}`;
}
