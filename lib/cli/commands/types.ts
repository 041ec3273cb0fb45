/**
 * `busline types [--schemas <dir>] [--out <file>] [--check]`
 *
 * Writes TypeScript types for every topic version (and `TopicMap`, `TopicVersions`) generated
 * from the schemas. Default output: `<schemas>/types.ts`. With --check nothing is written; the
 * exit code is 1 when the file is missing or stale (for CI).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadSchemas } from '../../schema/schema-set.ts';
import { generateTypesModule } from '../../schema/type-codegen.ts';
import { parseCommandArgs } from '../args.ts';

const USAGE = 'usage: busline types [--schemas <dir>] [--out <file>] [--check]';

/** One line for `busline help`. */
export const summary = 'generate TypeScript payload types and TopicMap from schemas/';

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(USAGE, {
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      schemas: { type: 'string', default: 'schemas' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  try {
    const schemasDir = resolve(values.schemas);
    const out = resolve(values.out ?? join(schemasDir, 'types.ts'));
    const topics = loadSchemas(schemasDir);
    const code = await generateTypesModule(topics.values());
    if (values.check) {
      if (existsSync(out) && readFileSync(out, 'utf8') === code) {
        process.stdout.write(`busline types: ${out} is up to date\n`);
        return 0;
      }
      process.stderr.write(`busline types: ${out} is ${existsSync(out) ? 'stale' : 'missing'}: run \`busline types${values.out ? ` --out ${values.out}` : ''}\` and commit it\n`);
      return 1;
    }
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, code);
    const versions = [...topics.values()].reduce((n, t) => n + t.versions.length, 0);
    process.stdout.write(`busline types: wrote ${out} (${topics.size} topic(s), ${versions} version(s))\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`busline types: ${(err as Error).message}\n`);
    return 1;
  }
}
