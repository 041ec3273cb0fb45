/**
 * The texts `busline init` writes: a topic's first schema and a handler for it, in the app's
 * language and module format.
 *
 * TypeScript handlers import the generated TopicMap by a relative path, which NodeNext reads by
 * the file's format: a CommonJS file (package.json without `"type": "module"`, as `cdk init`
 * makes it) resolves `../schemas/types` as require would; an ES module needs the extension
 * Node will see, `../schemas/types.js` (TypeScript maps it to types.ts). JavaScript handlers are
 * typed by JSDoc and need no generated file.
 */
import type { JsonSchema } from '../../schema/schema-set.ts';
import type { AppLayout } from './app-layout.ts';
import { jsString } from './js-string.ts';
import { DEFAULT_TOPIC, type InitNames } from './names.ts';

/** Where init puts handlers and the generated types, relative to the app root. */
export const FUNCTIONS_DIR = 'functions';
export const TYPES_FILE = 'schemas/types.ts';

/** The example schema of a new topic: `user.signed-up` gets a user id and an email; another topic an id named after its first word. */
export function exampleSchema(names: InitNames): JsonSchema {
  if (names.topic === DEFAULT_TOPIC) {
    return {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: `${names.topic} v1`,
      description: 'A user signed up.',
      type: 'object',
      required: ['userId', 'email'],
      properties: {
        userId: { type: 'string', minLength: 1 },
        email: { type: 'string', format: 'email' },
      },
      examples: [{ userId: 'user-1', email: 'ada@example.com' }],
    };
  }
  const idField = `${names.dataParameter}Id`;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${names.topic} v1`,
    description: `What a ${names.topic} event says (edit this schema: its fields are the event's data).`,
    type: 'object',
    required: [idField],
    properties: { [idField]: { type: 'string', minLength: 1 } },
    examples: [{ [idField]: `${names.dataParameter}-1` }],
  };
}

/** Two-space JSON, with each object or array that holds no other and fits on a line written on one line, as the schemas in Busline's docs are. */
export function schemaText(schema: JsonSchema): string {
  return `${jsonText(schema, '')}\n`;
}

function jsonText(value: unknown, indent: string): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value) ? value.map((v) => [undefined, v]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return `${open}${close}`;
  const key = (k: string | undefined): string => (k === undefined ? '' : `${JSON.stringify(k)}: `);
  const flat = entries.every(([, v]) => typeof v !== 'object' || v === null);
  const inline = Array.isArray(value) ? `[${entries.map(([, v]) => JSON.stringify(v)).join(', ')}]` : `{ ${entries.map(([k, v]) => key(k) + JSON.stringify(v)).join(', ')} }`;
  if (flat && indent.length + inline.length <= 90) return inline;
  const inner = `${indent}  `;
  return `${open}\n${entries.map(([k, v]) => `${inner}${key(k)}${jsonText(v, inner)}`).join(',\n')}\n${indent}${close}`;
}

/** `functions/welcome-user.ts` (or `.js`), relative to the app root with `/`. */
export function handlerPath(layout: AppLayout, names: InitNames): string {
  return `${FUNCTIONS_DIR}/${names.subscription}.${layout.language === 'typescript' ? 'ts' : 'js'}`;
}

/**
 * The handler: logs one field of the event's data (the schema's first required field, else its
 * first field) through ctx.logger. `schemaFile` is the schema it is checked against, for its comment.
 */
export function handlerText(layout: AppLayout, names: InitNames, schema: JsonSchema, schemaFile: string): string {
  const field = loggedField(schema);
  const param = field ? names.dataParameter : `_${names.dataParameter}`;
  const fields = field ? `{ ${field}: ${param}.${field} }` : '{ eventId: ctx.event.id }';
  const body = `  ctx.logger.info(${jsString(`${names.topic} received`)}, ${fields});`;
  const about = `Handles ${names.topic} events: Busline checks their data against ${schemaFile} before calling it.`;
  if (layout.language === 'typescript') {
    const typesPath = `../${TYPES_FILE.replace(/\.ts$/, '')}${layout.format === 'esm' ? '.js' : ''}`;
    return [
      "import { defineHandler } from 'busline/runtime';",
      `import type { TopicMap } from ${jsString(typesPath)};`,
      '',
      `/** ${about} */`,
      `export default defineHandler<TopicMap, ${jsString(names.topic)}>(async function ${names.handlerFunction}(${param}, ctx) {`,
      body,
      '});',
      '',
    ].join('\n');
  }
  const esm = layout.format === 'esm';
  return [
    esm ? "import { defineHandler } from 'busline/runtime';" : "const { defineHandler } = require('busline/runtime');",
    '',
    '/**',
    ` * ${about}`,
    ` * @param {${jsDocType(schema)}} ${param}`,
    " * @param {import('busline/runtime').HandlerContext} ctx",
    ' */',
    `async function ${names.handlerFunction}(${param}, ctx) {`,
    body,
    '}',
    '',
    esm ? `export default defineHandler(${names.handlerFunction});` : `module.exports = defineHandler(${names.handlerFunction});`,
    '',
  ].join('\n');
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  const properties = schema.properties;
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, JsonSchema>) : {};
}

function loggedField(schema: JsonSchema): string | undefined {
  const properties = Object.keys(propertiesOf(schema));
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  return [...required.filter((r) => properties.includes(r)), ...properties].find((name) => IDENTIFIER.test(name));
}

const JSDOC_TYPES: Record<string, string> = { string: 'string', number: 'number', integer: 'number', boolean: 'boolean', array: 'unknown[]', object: 'object', null: 'null' };

/** `{ userId: string, email: string }`: the top level of the data, for the JavaScript handler's JSDoc. */
function jsDocType(schema: JsonSchema): string {
  const properties = Object.entries(propertiesOf(schema));
  if (properties.length === 0) return 'Record<string, unknown>';
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const entries = properties.map(([name, property]) => {
    const type = typeof property.type === 'string' ? JSDOC_TYPES[property.type] ?? 'unknown' : 'unknown';
    return `${IDENTIFIER.test(name) ? name : jsString(name)}${required.has(name) ? '' : '?'}: ${type}`;
  });
  return `{ ${entries.join(', ')} }`;
}
