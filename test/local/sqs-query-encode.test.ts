/**
 * The SQS query encoder (lib/local/wire/sqs-query-encode.ts): a JSON action's output → SQS's XML.
 * Shapes from "Interpreting Amazon SQS XML API responses" (developer guide,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-responses.html)
 * and the query samples of the SQS API reference (e.g. API_ReceiveMessage.html, API_SendMessageBatch.html).
 * The query SDK's reading of these answers is shown by test/local/sqs-query-protocol.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeSqsQueryError, encodeSqsQueryResult } from '../../lib/local/wire/sqs-query-encode.ts';

const NS = 'xmlns="http://queue.amazonaws.com/doc/2012-11-05/"';
const META = '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>';

test('an action with a result: <XxxResponse> holds <XxxResult> and then <ResponseMetadata>', () => {
  assert.equal(
    encodeSqsQueryResult('GetQueueUrl', { QueueUrl: 'http://h/1/q' }, 'r-1'),
    `<GetQueueUrlResponse ${NS}><GetQueueUrlResult><QueueUrl>http://h/1/q</QueueUrl></GetQueueUrlResult>${META}</GetQueueUrlResponse>`,
  );
});

test('an action without output (DeleteQueue) answers no Result element', () => {
  assert.equal(encodeSqsQueryResult('DeleteQueue', {}, 'r-1'), `<DeleteQueueResponse ${NS}>${META}</DeleteQueueResponse>`);
});

test('lists are flattened, one element per item named after the item (<QueueUrl>, not <QueueUrls>)', () => {
  assert.equal(
    encodeSqsQueryResult('ListQueues', { QueueUrls: ['u1', 'u2'], NextToken: 't' }, 'r-1'),
    `<ListQueuesResponse ${NS}><ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl><NextToken>t</NextToken></ListQueuesResult>${META}</ListQueuesResponse>`,
  );
});

test('maps are flattened into entries with their key and value: <Attribute><Name/><Value/></Attribute>, <Tag><Key/><Value/></Tag>', () => {
  assert.equal(
    encodeSqsQueryResult('ListQueueTags', { Tags: { team: 'a' } }, 'r-1'),
    `<ListQueueTagsResponse ${NS}><ListQueueTagsResult><Tag><Key>team</Key><Value>a</Value></Tag></ListQueueTagsResult>${META}</ListQueueTagsResponse>`,
  );
  const xml = encodeSqsQueryResult('ReceiveMessage', {
    Messages: [{ MessageId: 'm', Body: 'b', Attributes: { SentTimestamp: '1700000000000' }, MessageAttributes: { k: { DataType: 'Binary', BinaryValue: 'AP8=' } } }],
  }, 'r-1');
  assert.equal(
    xml,
    `<ReceiveMessageResponse ${NS}><ReceiveMessageResult><Message><MessageId>m</MessageId><Body>b</Body>` +
      '<Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>' +
      '<MessageAttribute><Name>k</Name><Value><DataType>Binary</DataType><BinaryValue>AP8=</BinaryValue></Value></MessageAttribute>' +
      `</Message></ReceiveMessageResult>${META}</ReceiveMessageResponse>`,
  );
});

test('batch results: successes are <XxxBatchResultEntry>, failures <BatchResultErrorEntry> with SenderFault true/false', () => {
  const xml = encodeSqsQueryResult('DeleteMessageBatch', { Successful: [{ Id: 'a' }], Failed: [{ Id: 'b', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'no' }] }, 'r-1');
  assert.match(xml, /<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a<\/Id><\/DeleteMessageBatchResultEntry><BatchResultErrorEntry><Id>b<\/Id><SenderFault>true<\/SenderFault><Code>ReceiptHandleIsInvalid<\/Code><Message>no<\/Message><\/BatchResultErrorEntry><\/DeleteMessageBatchResult>/);
});

test('numbers are decimal text (a move task\'s StartedTimestamp in epoch milliseconds)', () => {
  assert.match(encodeSqsQueryResult('ListMessageMoveTasks', { Results: [{ Status: 'COMPLETED', StartedTimestamp: 1700000000123 }] }, 'r-1'),
    /<ListMessageMoveTasksResultEntry><Status>COMPLETED<\/Status><StartedTimestamp>1700000000123<\/StartedTimestamp><\/ListMessageMoveTasksResultEntry>/);
});

test('text is escaped: & < > as entities and CR as &#xD; (so it survives XML line-end normalisation); the rest as is', () => {
  const xml = encodeSqsQueryResult('GetQueueUrl', { QueueUrl: 'a&b <c> "d" \'e\'\r\n\té😀' }, 'r-1');
  assert.match(xml, /<QueueUrl>a&amp;b &lt;c&gt; "d" 'e'&#xD;\n\té😀<\/QueueUrl>/);
});

// XML 1.0 ("Extensible Markup Language (XML) 1.0", 2.2 Characters, https://www.w3.org/TR/xml/#charsets)
// allows only #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF, even as character
// references; SQS refuses the others in message bodies ("SendMessage", SQS API Reference,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html), so
// they reach an answer only when an error message quotes a bad parameter.
test('characters XML 1.0 cannot carry (a control character a client sent, quoted in an error) are written as U+FFFD, so the answer parses', () => {
  const xml = encodeSqsQueryError({ code: 'InvalidAction', type: 'Sender', message: 'The action \u0001x\u000b\ud800\uffff is not valid' }, 'r-1');
  assert.match(xml, /<Message>The action \ufffdx\ufffd\ufffd\ufffd is not valid<\/Message>/);
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
});

test('tab, line feed and characters beyond the Basic Multilingual Plane are written as they are', () => {
  assert.match(encodeSqsQueryError({ code: 'X', type: 'Sender', message: 'a\tb\nc😀' }, 'r-1'), /<Message>a\tb\nc😀<\/Message>/);
});

test('an error: <ErrorResponse><Error> with Type, Code, Message and Detail, then the RequestId', () => {
  assert.equal(
    encodeSqsQueryError({ code: 'AWS.SimpleQueueService.NonExistentQueue', type: 'Sender', message: 'The specified queue does not exist.' }, 'r-1'),
    `<ErrorResponse ${NS}><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message><Detail/></Error><RequestId>r-1</RequestId></ErrorResponse>`,
  );
});
