/**
 * `busline publish <topic> <json | @file>`: validates the payload against the topic's newest
 * schema, then publishes it to the flow's bus (the running engine, or a deployed stack with
 * --stack), in the Busline envelope.
 */
import { readFileSync } from 'node:fs';
import { PayloadInvalidError } from '../schema-check.ts';
import { publish } from '../flow-operations.ts';
import { parseCommandArgs } from '../args.ts';
import { openFlowTarget, TARGET_HELP, TARGET_OPTIONS } from '../target-options.ts';

export const summary = "validate a payload against its topic schema and publish it to the flow's bus";

const HELP = `usage: busline publish <topic> <json | @file> [--id <metadata.id>] [--correlation-id <id>] [target options]

  <json>             the event's data, e.g. '{"userId":"u-1","email":"ada@example.com"}'; @path reads it from a file
  --id               producer-assigned metadata.id (default: a new UUID); republish with the same id to see dedupe
  --correlation-id   metadata.correlationId (default: the id)
  With --stack, the schemas are read from the manifest's schemasDir under the working directory.
${TARGET_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv, allowPositionals: true,
    options: {
      id: { type: 'string' }, 'correlation-id': { type: 'string' },
      ...TARGET_OPTIONS, help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [topic, payloadArg] = positionals;
  if (!topic || payloadArg === undefined) { console.error(HELP); return 2; }

  const text = payloadArg.startsWith('@') ? readFileSync(payloadArg.slice(1), 'utf8') : payloadArg;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PayloadInvalidError(`the payload is not JSON (${(error as Error).message}); quote it in single quotes, or pass @file.json`);
  }
  const target = await openFlowTarget(values);
  const published = await publish(target, topic, data, {
    ...(values.id ? { id: values.id } : {}), ...(values['correlation-id'] ? { correlationId: values['correlation-id'] } : {}),
  });
  const metadata = published.metadata;
  console.log(`published ${topic} id=${published.id} correlationId=${metadata.correlationId} eventId=${published.eventBridgeId}`);
  console.log(`see it: npx busline events --correlation ${metadata.correlationId}`);
  return 0;
}
