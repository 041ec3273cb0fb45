/**
 * What the journal masking tests (journal-pii-masking, journal-pii-encrypted-masking) do to an
 * event they published: run a handler invocation for it that quotes a value in its error and log
 * lines, or that writes a DynamoDB item keyed by it, and read back what the journal recorded.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { InvocationFinishedRecord, TableWrittenRecord } from '../../../lib/local/index.ts';
import type { EngineFixture } from './engine-fixture.ts';

const fieldsOf = (eventId: string) => ({ eventId, topic: 'contact.added', correlationId: 'c-1' });

/** An invocation for the event failing with an error and a log line quoting `value`: its error and logs as journaled. */
export async function journaledFailureQuoting(fx: EngineFixture, eventId: string, value: string, invocationId: string): Promise<[string | undefined, readonly string[] | undefined]> {
  const fields = fieldsOf(eventId);
  fx.engine.journalAppend({ kind: 'invocation.started', functionName: 'welcome', invocationId, ...fields });
  fx.engine.journalAppend({
    kind: 'invocation.finished', functionName: 'welcome', invocationId, outcome: 'error', durationMs: 3,
    error: `Error: the mail server refused ${value}`, logs: [`sending to ${value}`], ...fields,
  });
  const [finished] = await fx.engine.journalQuery({ eventId, kinds: ['invocation.finished'] }) as InvocationFinishedRecord[];
  return [finished!.error, finished!.logs];
}

/** An invocation for the event writing the table `Received` keyed by `email`: the journaled [table, key] of the write. */
export async function journaledWriteKeyedBy(fx: EngineFixture, eventId: string, email: string, invocationId: string): Promise<Array<[string, string]>> {
  const fields = fieldsOf(eventId);
  fx.engine.journalAppend({ kind: 'invocation.started', functionName: 'welcome', invocationId, ...fields });
  await fx.dynamodb.send(new PutItemCommand({ TableName: 'Received', Item: { email: { S: email }, contactId: { S: 'c-1' } } }));
  fx.engine.journalAppend({ kind: 'invocation.finished', functionName: 'welcome', invocationId, outcome: 'success', durationMs: 3, ...fields });
  const written = (await fx.engine.journalQuery({ kinds: ['table.written'] })) as TableWrittenRecord[];
  return written.at(-1)!.items.map((i) => [i.table, i.key]);
}
