import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SQSEvent } from 'aws-lambda';
import { batchSource, BATCH_SIZE, lambdaContext, orderPlacedSchema } from '../../bench/fixtures/order-events.ts';
import { MemoryPersistenceLayer } from '../../bench/peers/memory-persistence.ts';
import { createPowertoolsHandler, type PowertoolsValidation } from '../../bench/peers/powertools-batch.ts';

const LIKE_FOR_LIKE: PowertoolsValidation[] = ['zod-envelope-data', 'validation-utility-envelope-data'];

/** Runs the handler on `event` and returns its response with the lines it wrote to stdout. */
async function run(validation: PowertoolsValidation, event: SQSEvent) {
  const handler = createPowertoolsHandler({ validation, persistenceStore: new MemoryPersistenceLayer(), dataSchema: orderPlacedSchema(), likeBusline: true });
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const response = await handler(event, lambdaContext());
    return { response, logged: lines.join('').split('\n').filter(Boolean) };
  } finally {
    process.stdout.write = write;
  }
}

/** A batch whose record `index` has a body changed by `edit`. */
function withBody(edit: (body: Record<string, unknown>) => void, index = 3): SQSEvent {
  const event = batchSource('lfl-test')();
  const record = event.Records[index]!;
  const body = JSON.parse(record.body) as Record<string, unknown>;
  edit(body);
  record.body = JSON.stringify(body);
  return event;
}

for (const validation of LIKE_FOR_LIKE) {
  test(`${validation}: a batch that succeeds writes one line at info, like Busline, and no line per record`, async () => {
    const { response, logged } = await run(validation, batchSource('lfl-ok')());
    assert.deepEqual(response.batchItemFailures, []);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /"batch processed"/);
    assert.match(logged[0]!, new RegExp(`"records":${BATCH_SIZE}`));
  });

  test(`${validation}: a record whose data breaks the topic's schema fails alone`, async () => {
    const event = withBody((b) => ((b.detail as { data: { total: unknown } }).data.total = 'lots'));
    const { response } = await run(validation, event);
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: event.Records[3]!.messageId }]);
  });

  test(`${validation}: a detail that is not the envelope { metadata?, data } fails, as Busline's check does`, async () => {
    const event = withBody((b) => ((b.detail as Record<string, unknown>).extra = 1));
    const { response } = await run(validation, event);
    assert.deepEqual(response.batchItemFailures, [{ itemIdentifier: event.Records[3]!.messageId }]);
  });

  test(`${validation}: the SQS record's own fields and the event's account or region are not checked`, async () => {
    const event = withBody((b) => {
      delete b.account;
      delete b.region;
    });
    event.Records[0]!.attributes = {} as SQSEvent['Records'][number]['attributes'];
    const { response } = await run(validation, event);
    assert.deepEqual(response.batchItemFailures, []);
  });
}
