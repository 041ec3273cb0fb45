/**
 * `busline catalog [--out docs/catalog.md] [--schemas <dir>] [--assembly <cdk.out>] [--check]`
 *
 * Writes the Markdown event catalog from the schemas and the flow declaration (read from the
 * cloud assembly; synthesized when there is none). With --check nothing is written; the exit
 * code is 1 when the file is missing or stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderCatalog } from '../../schema/catalog.ts';
import { loadFlows } from '../../schema/flow-assembly.ts';
import { loadSchemas } from '../../schema/schema-set.ts';
import { parseCommandArgs } from '../args.ts';

const USAGE = 'usage: busline catalog [--out <file>] [--schemas <dir>] [--assembly <cdk.out>] [--check]';

/** One line for `busline help`. */
export const summary = 'write the Markdown event catalog (docs/catalog.md)';

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(USAGE, {
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h', default: false },
      out: { type: 'string', default: 'docs/catalog.md' },
      schemas: { type: 'string' },
      assembly: { type: 'string' },
      check: { type: 'boolean', default: false },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  try {
    const appDir = process.cwd();
    const flows = (await loadFlows({ ...(values.assembly !== undefined ? { assembly: values.assembly } : {}), appDir })).map((f) => f.manifest);
    // The flow declaration names its schemas folder (relative to the app); --schemas overrides it.
    const schemasDir = resolve(appDir, values.schemas ?? flows[0]?.schemasDir ?? 'schemas');
    const markdown = renderCatalog({ flows, topics: loadSchemas(schemasDir), baseDir: appDir });
    const out = resolve(appDir, values.out);
    if (values.check) {
      if (existsSync(out) && readFileSync(out, 'utf8') === markdown) {
        process.stdout.write(`busline catalog: ${values.out} is up to date\n`);
        return 0;
      }
      process.stderr.write(`busline catalog: ${values.out} is ${existsSync(out) ? 'stale' : 'missing'}: run \`busline catalog --out ${values.out}\` and commit it\n`);
      return 1;
    }
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, markdown);
    process.stdout.write(`busline catalog: wrote ${values.out} (${flows.length} flow(s))\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`busline catalog: ${(err as Error).message}\n`);
    return 1;
  }
}
