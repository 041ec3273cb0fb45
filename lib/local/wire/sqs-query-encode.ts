/**
 * SQS query protocol, responses: the output object of a JSON 1.0 action (sqs-actions.ts) written
 * as the XML SQS answers query requests with ("Interpreting Amazon SQS XML API responses", SQS
 * developer guide, and the query samples of each action in the SQS API reference):
 *
 *   <XxxResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
 *     <XxxResult>…</XxxResult>                   (absent for actions without output)
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
 *   </XxxResponse>
 *
 * Lists and maps are flattened, as the SQS model declares them: each list item is one element
 * named after the item (`<QueueUrl>` per URL, `<Message>` per message), each map entry one element
 * with its key and value (`<Attribute><Name>…</Name><Value>…</Value></Attribute>`, `<Tag><Key>…`).
 * Scalars are text: numbers in decimal (timestamps as the JSON side gives them: epoch
 * milliseconds), booleans `true`/`false`, binary values base64.
 *
 * Errors: <ErrorResponse><Error><Type>Sender|Receiver</Type><Code>…</Code><Message>…</Message>
 * <Detail/></Error><RequestId>…</RequestId></ErrorResponse>, the code being the query code (the
 * one the JSON side sends in `x-amzn-query-error`).
 */
import { own } from './protocol.ts';
import { xmlElement, xmlText } from './xml-writer.ts';

export const SQS_QUERY_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Output members that are lists: the element each item is written as. */
const LIST_ITEMS: Readonly<Record<string, string>> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Failed: 'BatchResultErrorEntry',
  Results: 'ListMessageMoveTasksResultEntry',
};

/** Output members that are maps: the element of an entry and the name of its key. */
const MAP_ENTRIES: Readonly<Record<string, { readonly element: string; readonly key: string }>> = {
  Attributes: { element: 'Attribute', key: 'Name' },
  MessageAttributes: { element: 'MessageAttribute', key: 'Name' },
  Tags: { element: 'Tag', key: 'Key' },
};

/** Actions whose output has no members: their response has no Result element. */
const WITHOUT_RESULT = new Set([
  'AddPermission', 'ChangeMessageVisibility', 'DeleteMessage', 'DeleteQueue', 'PurgeQueue', 'RemovePermission',
  'SetQueueAttributes', 'TagQueue', 'UntagQueue',
]);

export interface SqsQueryError {
  /** The query error code, e.g. AWS.SimpleQueueService.NonExistentQueue. */
  readonly code: string;
  readonly type: 'Sender' | 'Receiver';
  readonly message: string;
}

/** The XML answer of a successful `action`. */
export function encodeSqsQueryResult(action: string, output: unknown, requestId: string): string {
  const result = WITHOUT_RESULT.has(action) ? '' : xmlElement(`${action}Result`, members(action, output));
  return xmlElement(`${action}Response`, result + responseMetadata(requestId), `xmlns="${SQS_QUERY_NAMESPACE}"`);
}

/** The XML answer of a failed request. */
export function encodeSqsQueryError(error: SqsQueryError, requestId: string): string {
  const body = xmlText('Type', error.type) + xmlText('Code', error.code) + xmlText('Message', error.message) + '<Detail/>';
  return xmlElement('ErrorResponse', xmlElement('Error', body) + xmlText('RequestId', requestId), `xmlns="${SQS_QUERY_NAMESPACE}"`);
}

function responseMetadata(requestId: string): string {
  return xmlElement('ResponseMetadata', xmlText('RequestId', requestId));
}

function members(action: string, value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  let xml = '';
  for (const [name, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    const mapEntry = own(MAP_ENTRIES, name);
    if (Array.isArray(member)) {
      // A batch's successes are <SendMessageBatchResultEntry>, <DeleteMessageBatchResultEntry>, …
      const item = name === 'Successful' ? `${action}ResultEntry` : own(LIST_ITEMS, name) ?? name;
      for (const each of member) xml += scalarOrStructure(action, item, each);
    } else if (mapEntry && typeof member === 'object') {
      for (const [key, entry] of Object.entries(member)) {
        xml += xmlElement(mapEntry.element, xmlText(mapEntry.key, key) + scalarOrStructure(action, 'Value', entry));
      }
    } else {
      xml += scalarOrStructure(action, name, member);
    }
  }
  return xml;
}

function scalarOrStructure(action: string, name: string, value: unknown): string {
  if (typeof value === 'object' && value !== null) return xmlElement(name, members(action, value));
  return xmlText(name, String(value));
}
