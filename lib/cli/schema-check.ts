/**
 * Schema work the CLI does before it sends anything: validating a payload against the topic's
 * newest schema (ajv, compiled here at call time — the CLI is not a hot path), and building an
 * example payload for the ready-to-paste publish command `busline dev` prints.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { loadSchemas, type JsonSchema, type TopicSchemas } from '../schema/schema-set.ts';
import type { CompiledValidator, ValidatorTable } from '../runtime/handler-types.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under some loaders.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export class PayloadInvalidError extends Error {
  override readonly name = 'PayloadInvalidError';
}

export function topicSchemas(schemasDir: string, topic: string): TopicSchemas {
  const all = loadSchemas(schemasDir);
  const found = all.get(topic);
  if (!found) {
    throw new PayloadInvalidError(`unknown topic "${topic}": ${schemasDir} has ${[...all.keys()].join(', ') || 'no topics'}`);
  }
  return found;
}

/** An ajv-compiled validator per version of one topic, in the runtime's ValidatorTable shape. */
export function validatorTable(topic: TopicSchemas): ValidatorTable {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const versions: Record<number, CompiledValidator> = {};
  for (const v of topic.versions) versions[v.version] = ajv.compile(v.schema as Record<string, unknown>) as CompiledValidator;
  return { [topic.topic]: versions };
}

/** Throws PayloadInvalidError listing every violation (path and message). */
export function validatePayload(schema: JsonSchema, topic: string, version: number, data: unknown): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema as Record<string, unknown>);
  if (validate(data)) return;
  const problems = (validate.errors ?? []).map((e) => `  ${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`);
  throw new PayloadInvalidError(`the payload does not match ${topic} v${version}; nothing was sent:\n${problems.join('\n')}`);
}

/** A small payload valid against `schema`, from its examples/defaults, else built from its types. */
export function examplePayload(schema: JsonSchema): unknown {
  return exampleOf(schema as Record<string, unknown>, '');
}

const STRING_CANDIDATES = ['EUR', 'ord-1001', 'cust-42', 'SKU-1', 'abc', 'A', '1'];

function exampleOf(s: Record<string, unknown>, key: string): unknown {
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
      const out: Record<string, unknown> = {};
      for (const name of (s.required as string[] | undefined) ?? Object.keys(props)) {
        if (props[name]) out[name] = exampleOf(props[name]!, name);
      }
      return out;
    }
    case 'array': {
      const n = Math.max(1, Number(s.minItems ?? 1));
      return Array.from({ length: n }, () => exampleOf((s.items ?? {}) as Record<string, unknown>, key));
    }
    case 'integer': return Math.max(Number(s.minimum ?? 1), 1);
    case 'number': return Math.max(Number(s.minimum ?? 0), 0) + 42.5;
    case 'boolean': return true;
    case 'string': {
      if (s.format === 'date-time') return new Date(0).toISOString();
      if (s.format === 'email') return 'someone@example.com';
      if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern) : undefined;
      const byKey = /order/i.test(key) ? 'ord-1001' : /customer/i.test(key) ? 'cust-42' : /sku/i.test(key) ? 'SKU-1' : /currency/i.test(key) ? 'EUR' : undefined;
      const candidates = byKey ? [byKey, ...STRING_CANDIDATES] : STRING_CANDIDATES;
      return candidates.find((c) => !pattern || pattern.test(c)) ?? 'x';
    }
    default: return null;
  }
}
