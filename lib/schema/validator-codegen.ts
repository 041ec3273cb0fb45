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
 * ucs2length is defined in the module instead (INLINE_HELPERS): bundled from ajv it is a
 * CommonJS module, for which esbuild adds its CommonJS-interop wrapper to every handler bundle.
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
  const header = [...imports]
    .map(([specifier, name]) => {
      const inline = INLINE_HELPERS[JSON.parse(specifier) as string];
      return inline ? `const ${name} = { default: ${inline} };` : `import ${name} from ${specifier};`;
    })
    .join('\n');
  return header ? `${header}\n${body}` : body;
}

/**
 * ajv runtime helpers written out in the generated module. ucs2length: a string's length in
 * characters as JSON Schema counts them for minLength and maxLength (Unicode code points), so
 * a surrogate pair (an emoji) is one character and a lone surrogate one as well.
 */
const INLINE_HELPERS: Readonly<Record<string, string>> = {
  'ajv/dist/runtime/ucs2length': `function ucs2length(s) { let n = 0; for (let i = 0; i < s.length; i++, n++) { const c = s.charCodeAt(i); if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++; } return n; }`,
};

/** What minLength/maxLength, minItems/maxItems and minProperties/maxProperties count, in ajv's messages. */
const COUNTED: Readonly<Record<string, string>> = { Length: 'characters', Items: 'items', Properties: 'properties' };

/**
 * Shared by the error sites (see compactErrors): each appends one error to vErrors (null until
 * the first) and returns the list. The most frequent keywords (type, required, the counts and
 * the bounds) have their own, which write ajv's message from the params; a site uses one only
 * when its message is exactly the one the helper writes.
 */
const ERROR_HELPERS = [
  'function __busline_err(v, instancePath, keyword, params, message) { (v ??= []).push({ instancePath, keyword, params, message }); return v; }',
  'function __busline_type(v, instancePath, type) { return __busline_err(v, instancePath, "type", { type }, "must be " + type); }',
  'function __busline_required(v, instancePath, missingProperty) { return __busline_err(v, instancePath, "required", { missingProperty }, "must have required property \'" + missingProperty + "\'"); }',
  `function __busline_count(v, instancePath, keyword, limit) { return __busline_err(v, instancePath, keyword, { limit }, "must NOT have " + (keyword.startsWith("min") ? "fewer" : "more") + " than " + limit + " " + ${JSON.stringify(COUNTED)}[keyword.slice(3)]); }`,
  'function __busline_bound(v, instancePath, keyword, comparison, limit) { return __busline_err(v, instancePath, keyword, { comparison, limit }, "must be " + comparison + " " + limit); }',
].join('\n');

/** A JavaScript string literal as ajv writes it (double quotes). */
const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
/** ajv's params object: flat, its string values may hold braces (a pattern). */
const PARAMS = String.raw`\{(?:${STRING}|[^{}"])*\}`;
/** ajv's message: string literals and names joined by `+` ("must have required property '"+missing0+"'"). */
const MESSAGE = String.raw`(?:${STRING}|[\w$.]+)(?:\+(?:${STRING}|[\w$.]+))*`;
/** One error site after the first rewrite of compactErrors; any other shape is left as it is. */
const ERROR_SITE = new RegExp(
  String.raw`const (err\d+) = \{instancePath(?::((?:${STRING}|[^,"{}])+))?,keyword:(${STRING}),params:(${PARAMS}),message:(${MESSAGE})\};\(vErrors \?\?= \[\]\)\.push\(\1\);`,
  'g',
);

/**
 * Three rewrites of ajv's error sites, which with allErrors stand at every schema keyword and are
 * most of the validators' bytes in a handler bundle. Code of another shape (another ajv version)
 * is left as it is.
 * - ajv appends each error with `if(vErrors === null){vErrors = [err];}else {vErrors.push(err);}`
 *   (vErrors is null until the first error, then an array): `(vErrors ??= []).push(err)` does the
 *   same in a third of the bytes after minifying.
 * - each error object carries `schemaPath` (`"#/properties/userId/minLength"`, ~40 bytes a
 *   site), which nothing reads: the runtime reports `instancePath` and `message`, and
 *   CompiledValidator's errors are `{ instancePath, message, keyword, params }` (keyword and
 *   params say which rule failed).
 * - then each site builds its `{ instancePath, keyword, params, message }` through a shared
 *   function (ERROR_HELPERS), so the four property names are written once per module, not once
 *   per site, and the messages of type and required errors once per module, not once per site.
 */
function compactErrors(code: string): string {
  const sites = code
    .replace(/if\(vErrors === null\)\{vErrors = \[(err\d+)\];\}else \{vErrors\.push\(\1\);\}/g, '(vErrors ??= []).push($1);')
    .replace(/,schemaPath:"(?:[^"\\]|\\.)*"/g, '');
  let shared = false;
  const compact = sites.replace(ERROR_SITE, (_site, _name: string, path: string | undefined, keyword: string, params: string, message: string) => {
    shared = true;
    const at = path ?? 'instancePath';
    const type = /^\{type: ("[a-z]+")\}$/.exec(params)?.[1];
    if (keyword === '"type"' && type && message === `"must be ${JSON.parse(type) as string}"`) return `vErrors = __busline_type(vErrors, ${at}, ${type});`;
    const missing = /^\{missingProperty: (.+)\}$/.exec(params)?.[1];
    if (keyword === '"required"' && missing && message === `"must have required property '"+${missing}+"'"`) return `vErrors = __busline_required(vErrors, ${at}, ${missing});`;
    const count = /^"(min|max)(Length|Items|Properties)"$/.exec(keyword);
    const limit = /^\{limit: (\d+)\}$/.exec(params)?.[1];
    if (count && limit && message === `"must NOT have ${count[1] === 'min' ? 'fewer' : 'more'} than ${limit} ${COUNTED[count[2]!]!}"`) return `vErrors = __busline_count(vErrors, ${at}, ${keyword}, ${limit});`;
    const bound = /^\{comparison: ("[<>]=?"), limit: (-?[\d.e+-]+)\}$/.exec(params);
    if (bound && /^"(minimum|maximum|exclusiveMinimum|exclusiveMaximum)"$/.test(keyword) && message === `"must be ${JSON.parse(bound[1]!) as string} ${bound[2]!}"`) {
      return `vErrors = __busline_bound(vErrors, ${at}, ${keyword}, ${bound[1]!}, ${bound[2]!});`;
    }
    return `vErrors = __busline_err(vErrors, ${at}, ${keyword}, ${params}, ${message});`;
  });
  return shared ? `${ERROR_HELPERS}\n${compact}` : compact;
}
