/** Generators of SQS input, and the engine, shared by the JSON and query wire fuzzers. */
import fc from 'fast-check';
import { field } from './wire-inputs.ts';
import { startEngine, type EngineFixture } from '../../local/support/engine-fixture.ts';

/**
 * Message bodies: any Unicode text, including characters SQS refuses (it allows #x9, #xA, #xD,
 * #x20–#xD7FF, #xE000–#xFFFD, #x10000–#x10FFFF: "SendMessage", SQS API Reference).
 */
export const messageBody: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', '\r\n', '<a>&amp;</a>', ']]>', '\u0000', '\uffff', '\ud800', '{"detail-type":"x","id":"1","detail":{"metadata":{"correlationId":"c"}}}'),
);

/** Attribute names, known and not (queue attributes and system attributes). */
export const attributeName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('All', 'VisibilityTimeout', 'DelaySeconds', 'FifoQueue', 'ContentBasedDeduplication', 'RedrivePolicy', 'Policy', 'MaximumMessageSize', 'ApproximateNumberOfMessages', 'ApproximateReceiveCount', 'SentTimestamp', 'QueueArn', 'MessageGroupId'),
  fc.string({ maxLength: 20 }),
);

/** Queue attributes as a client may set them: known names with good, bad or mistyped values. */
export const queueAttributes: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  attributeName,
  field(fc.oneof(
    fc.constantFrom('0', '30', '-1', '43201', 'true', 'false', '262144', '1048577', 'abc', ''),
    fc.constant('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:fuzz-dlq","maxReceiveCount":3}'),
    fc.constant('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":"x"}'),
    fc.constant('{"Version":"2012-10-17","Statement":[]}'),
  )),
  { maxKeys: 3 },
);

/** Message attributes: name → { DataType, StringValue | BinaryValue }, every part possibly wrong. */
export const messageAttributes: fc.Arbitrary<unknown> = fc.dictionary(
  fc.oneof(fc.constantFrom('a', 'b.c', 'AWS.x', '.x', 'x..y', ''), fc.string({ maxLength: 260 })),
  field(fc.record({
    DataType: field(fc.constantFrom('String', 'Number', 'Binary', 'String.custom', 'Number.int', 'Bogus', '')),
    StringValue: field(fc.oneof(fc.constantFrom('1', '1e400', '-0', 'x', ''), fc.string())),
    BinaryValue: field(fc.oneof(fc.base64String(), fc.string())),
  }, { requiredKeys: [] })),
  { maxKeys: 3 },
).map((attributes) => attributes as unknown);


/** The queues the SQS fuzzers use: a standard and a FIFO queue to fuzz, a DLQ, and one for the lossless property. */
export const FUZZ_QUEUES = ['fuzz-q', 'fuzz-q.fifo', 'fuzz-dlq', 'fuzz-lossless'] as const;

/** An engine with the fuzz queues, and the URL of a queue by name. */
export async function startSqsFuzzEngine(): Promise<{ fixture: EngineFixture; url: (name: string) => string }> {
  const fixture = await startEngine({
    setup: (e) => {
      for (const name of FUZZ_QUEUES) e.createQueue(name, name.endsWith('.fifo') ? { FifoQueue: 'true' } : {});
    },
  });
  return { fixture, url: (name) => `${fixture.engine.endpoint}/${fixture.engine.accountId}/${name}` };
}
