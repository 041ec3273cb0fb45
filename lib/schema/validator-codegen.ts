import { Ajv, type Options } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';
import { COMPATIBILITY_KEYWORD, COMPATIBILITY_MODES } from './compatibility.ts';
import { PII_KEYWORD, PII_VALUES } from './pii.ts';
import type { SchemaVersion, TopicSchemas } from './schema-set.ts';

// Both are CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = addFormatsModule.default;
const standaloneCode = standaloneModule.default;

/** Options shared by build-time compilation and any runtime fallback, so both agree. */
export const AJV_OPTIONS: Options = {
  allErrors: true,
  strict: true,
  code: { source: true, esm: true },
};

export class SchemaCompileError extends Error {
  override readonly name = 'SchemaCompileError';
}

/** An ajv instance configured exactly as for build-time compilation (formats, strict, Busline keywords). */
export function newAjv(): Ajv {
  const ajv = new Ajv(AJV_OPTIONS);
  addFormats(ajv);
  // Busline's own annotation (lib/schema/compatibility.ts): no validation effect, but strict
  // mode rejects unknown keywords, and its value is checked here at build time.
  ajv.addKeyword({ keyword: COMPATIBILITY_KEYWORD, metaSchema: { enum: [...COMPATIBILITY_MODES] } });
  // The PII annotation (lib/schema/pii.ts), on any field: masked in logs and DLQ attributes,
  // and with "encrypt" encrypted on the wire. No validation effect: data is validated as plaintext.
  ajv.addKeyword({ keyword: PII_KEYWORD, metaSchema: { enum: [...PII_VALUES] } });
  return ajv;
}

function exportName(v: SchemaVersion): string {
  return `v_${v.topic.replace(/[^A-Za-z0-9]/g, '_')}_${v.version}`;
}

/**
 * Compiles the given topics' schemas once, at build time, into a standalone ES module
 * (no ajv compiler in the bundle, no compile at cold start). The module exports
 * `validators`: `{ [topic]: { [version]: ValidateFunction } }`.
 */
export function generateValidatorModule(topics: Iterable<TopicSchemas>): string {
  const ajv = newAjv();
  const refs: Record<string, string> = {};
  const table: string[] = [];
  for (const t of topics) {
    const entries: string[] = [];
    for (const v of t.versions) {
      const id = `busline:${v.topic}/v${v.version}`;
      try {
        ajv.addSchema({ ...v.schema, $id: id });
        ajv.getSchema(id);
      } catch (err) {
        throw new SchemaCompileError(`schema ${v.file} is not a valid JSON Schema: ${(err as Error).message}`);
      }
      refs[exportName(v)] = id;
      entries.push(`${v.version}: ${exportName(v)}`);
    }
    table.push(`${JSON.stringify(t.topic)}: { ${entries.join(', ')} }`);
  }
  const code = esmImports(compactErrors(standaloneCode(ajv, refs)));
  return `${code}\nexport const validators = { ${table.join(', ')} };\n`;
}

/**
 * ajv's standalone ESM output still calls `require()` for its runtime helpers (ucs2length for
 * minLength, for one). Plain Node ESM has no `require`, so each call becomes a static import:
 * the module then loads as it is in Node and in tests, and esbuild bundles the helpers.
 * A CommonJS module's default import is its `module.exports`, which is what require returned.
 */
function esmImports(code: string): string {
  const imports = new Map<string, string>();
  const body = code.replace(/require\(("[^"]+")\)/g, (_call, specifier: string) => {
    let name = imports.get(specifier);
    if (!name) {
      name = `__ajv_runtime_${imports.size}`;
      imports.set(specifier, name);
    }
    return name;
  });
  const header = [...imports].map(([specifier, name]) => `import ${name} from ${specifier};`).join('\n');
  return header ? `${header}\n${body}` : body;
}

/**
 * Two rewrites of ajv's error sites, which with allErrors stand at every schema keyword and are
 * most of the validators' bytes in a handler bundle. Code of another shape (another ajv version)
 * is left as it is.
 * - ajv appends each error with `if(vErrors === null){vErrors = [err];}else {vErrors.push(err);}`
 *   (vErrors is null until the first error, then an array): `(vErrors ??= []).push(err)` does the
 *   same in a third of the bytes after minifying, and lets esbuild inline the error object.
 * - each error object carries `schemaPath` (`"#/properties/userId/minLength"`, ~40 bytes a
 *   site), which nothing reads: the runtime reports `instancePath` and `message`, and
 *   CompiledValidator's errors are `{ instancePath, message, keyword, params }` (keyword and
 *   params say which rule failed).
 */
function compactErrors(code: string): string {
  return code
    .replace(/if\(vErrors === null\)\{vErrors = \[(err\d+)\];\}else \{vErrors\.push\(\1\);\}/g, '(vErrors ??= []).push($1);')
    .replace(/,schemaPath:"(?:[^"\\]|\\.)*"/g, '');
}
