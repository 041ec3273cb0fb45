import { Annotations, Token } from 'aws-cdk-lib';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { toDraft4, DRAFT4_URI, Draft4ConversionError } from '../schema/draft4.ts';
import type { JsonSchema, SchemaVersion, TopicSchemas } from '../schema/schema-set.ts';

/** One topic to publish: all its schema versions and the EventBridge source of its events. */
export interface RegistryTopic {
  readonly schemas: TopicSchemas;
  /** EventBridge `source` of the topic's events. */
  readonly source: string;
}

export interface FlowSchemaRegistryProps {
  /** Topics whose every schema version is published. */
  readonly topics: readonly RegistryTopic[];
  /**
   * Name of the schema registry.
   * @default - `<flowName>-events`
   */
  readonly registryName?: string;
  /**
   * Flow name, used for the default registry name and the description.
   * @default - the construct's id
   */
  readonly flowName?: string;
}

/**
 * Publishes a flow's topic schemas to an EventBridge schema registry: one
 * AWS::EventSchemas::Registry, and one AWS::EventSchemas::Schema (type JSONSchemaDraft4) per
 * topic version, named `<source>@<topic>-v<N>` after EventBridge's `source@detail-type` habit.
 * Each schema describes the whole event as it travels on the bus (detail-type, source, and
 * `detail = { metadata, data }`), with `data` converted to draft 4; a keyword draft 4 cannot
 * express fails synthesis with the file, the keyword's location and the fix.
 */
export class FlowSchemaRegistry extends Construct {
  readonly registry: CfnRegistry;
  readonly registryName: string;
  /** Schema resources by `<topic>@v<N>`. */
  readonly schemas: ReadonlyMap<string, CfnSchema>;

  constructor(scope: Construct, id: string, props: FlowSchemaRegistryProps) {
    super(scope, id);
    const flowName = props.flowName ?? id;
    this.registryName = props.registryName ?? `${flowName}-events`;
    if (!Token.isUnresolved(this.registryName) && !/^[A-Za-z0-9._-]{1,64}$/.test(this.registryName)) {
      throw new Error(`${this.node.path}: registryName ${JSON.stringify(this.registryName)} is not allowed: use 1-64 letters, digits, '.', '_' or '-'`);
    }
    this.registry = new CfnRegistry(this, 'Registry', {
      registryName: this.registryName,
      description: `Event schemas of the Busline flow ${flowName}, published from its schemas folder.`,
    });
    const schemas = new Map<string, CfnSchema>();
    for (const topic of props.topics) {
      for (const version of topic.schemas.versions) {
        const key = `${version.topic}@v${version.version}`;
        let content: JsonSchema;
        try {
          content = eventSchemaOf(version, topic.source);
        } catch (err) {
          if (err instanceof Draft4ConversionError) throw new Draft4ConversionError(`${this.node.path}: ${err.message}`);
          throw err;
        }
        const schema = new CfnSchema(this, `Schema-${version.topic}-v${version.version}`, {
          registryName: this.registry.attrRegistryName,
          schemaName: `${topic.source}@${version.topic}-v${version.version}`,
          type: 'JSONSchemaDraft4',
          content: JSON.stringify(content),
          description: `${version.topic} v${version.version}${typeof version.schema.description === 'string' ? `: ${version.schema.description}` : ''}`.slice(0, 256),
        });
        schemas.set(key, schema);
      }
    }
    this.schemas = schemas;
    if (schemas.size === 0) Annotations.of(this).addWarningV2('busline:empty-registry', 'the flow has no topic schemas: the registry is empty');
  }
}

/** The draft-4 schema of a whole event of `version`, with the topic's `data` schema inside. */
export function eventSchemaOf(version: SchemaVersion, source: string): JsonSchema {
  const { definitions, ...data } = toDraft4(version.schema, version.file) as Record<string, unknown>;
  delete data.$schema;
  const dataPath = '#/properties/detail/properties/data';
  return {
    $schema: DRAFT4_URI,
    title: `${version.topic} v${version.version}`,
    type: 'object',
    required: ['detail-type', 'source', 'detail'],
    properties: {
      'detail-type': { type: 'string', enum: [version.topic] },
      source: { type: 'string', enum: [source] },
      detail: {
        type: 'object',
        required: ['data'],
        properties: {
          metadata: {
            type: 'object',
            description: 'Busline envelope metadata (lib/runtime/envelope.ts).',
            properties: {
              id: { type: 'string' },
              correlationId: { type: 'string' },
              causationId: { type: 'string' },
              schemaVersion: { type: 'integer', enum: [version.version] },
              publishedAt: { type: 'string', format: 'date-time' },
              traceparent: { type: 'string' },
            },
          },
          data: rebaseRefs(data, dataPath),
        },
      },
    },
    // `data`'s definitions move to the root, where its `#/definitions/…` refs still point.
    ...(definitions !== undefined ? { definitions: rebaseRefs(definitions, dataPath) } : {}),
  };
}

/** Rewrites `$ref`s into `data` (other than to definitions) to its new place inside the event. */
function rebaseRefs(node: unknown, dataPath: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rebaseRefs(n, dataPath));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#') && !v.startsWith('#/definitions/')) {
      out[k] = v === '#' || v === '#/' ? dataPath : `${dataPath}${v.slice(1)}`;
    } else {
      out[k] = rebaseRefs(v, dataPath);
    }
  }
  return out;
}
