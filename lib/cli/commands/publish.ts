/**
 * `busline publish <topic> <json | @file>`: validates the payload against the topic's newest
 * schema, then publishes it to the flow's bus in the running engine, in the Busline envelope.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_STATE_DIR, readDevSession } from '../dev-session.ts';
import { loadFlowContext } from '../flow-context.ts';
import { PayloadInvalidError } from '../schema-check.ts';
import { publishEvent } from '../publish-event.ts';
import { localClients } from '../aws-clients.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'validate a payload against its topic schema and publish it to the running engine';

const HELP = `usage: busline publish <topic> <json | @file> [--id <metadata.id>] [--correlation-id <id>] [--state .busline] [--endpoint <url>]

  <json>             the event's data, e.g. '{"userId":"u-1","email":"ada@example.com"}'; @path reads it from a file
  --id               producer-assigned metadata.id (default: a new UUID); republish with the same id to see dedupe
  --correlation-id   metadata.correlationId (default: the id)`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv, allowPositionals: true,
    options: {
      id: { type: 'string' }, 'correlation-id': { type: 'string' },
      state: { type: 'string', default: DEFAULT_STATE_DIR }, endpoint: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [topic, payloadArg] = positionals;
  if (!topic || payloadArg === undefined) { console.error(HELP); return 2; }

  const session = readDevSession(values.state);
  const context = loadFlowContext(session.assemblyDir);
  const text = payloadArg.startsWith('@') ? readFileSync(payloadArg.slice(1), 'utf8') : payloadArg;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PayloadInvalidError(`the payload is not JSON (${(error as Error).message}); quote it in single quotes, or pass @file.json`);
  }
  const { events } = localClients(values.endpoint ?? process.env.BUSLINE_ENDPOINT ?? session.endpoint, context.model.region);
  const published = await publishEvent({
    flows: context.flows, projectDir: session.projectDir, client: events, topic, data,
    metadata: { ...(values.id ? { id: values.id } : {}), ...(values['correlation-id'] ? { correlationId: values['correlation-id'] } : {}) },
  });
  const metadata = published.metadata;
  console.log(`published ${topic} id=${published.id} correlationId=${metadata.correlationId} eventId=${published.eventBridgeId}`);
  console.log(`see it: npx busline events --correlation ${metadata.correlationId}`);
  return 0;
}
