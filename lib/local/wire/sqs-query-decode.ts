/**
 * SQS query protocol, requests: the form parameters of `Action=<Action>&Version=2012-11-05&…`
 * decoded into the input object the JSON 1.0 actions take (sqs-actions.ts), so both protocols
 * run the same handler. Parameter names, by the SQS API reference's query samples and the
 * developer guide's "Making query API requests using AWS query protocol in Amazon SQS":
 *
 *   QueueName=…, DelaySeconds=5                        scalars, by name (integers become numbers)
 *   AttributeName.1=All, AttributeName.2=…             lists: <Member>.N, N from 1
 *   Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40          maps: <Member>.N.Name/Value
 *   MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x
 *   Tag.1.Key=team&Tag.1.Value=x                       (tags are keyed by Key)
 *   SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=…   batch entries
 *
 * A BinaryValue stays base64 text, as in JSON. Parameters the decoder does not know are passed
 * through under their own name (and ignored by the action, as unknown JSON members are).
 */
import { SqsError } from '../sqs/errors.ts';
import { own, WireError } from './protocol.ts';

type Input = Record<string, unknown>;
interface Tree {
  [segment: string]: Tree | string;
}

/** `<Name>.N` → the input member holding the list. */
const LISTS: Readonly<Record<string, string>> = {
  AttributeName: 'AttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  TagKey: 'TagKeys',
  AWSAccountId: 'AWSAccountIds',
  ActionName: 'Actions',
};

/** `<Name>.N.<key>` / `<Name>.N.Value` → the input member holding the map, and the key's name. */
const MAPS: Readonly<Record<string, { readonly member: string; readonly key: string }>> = {
  Attribute: { member: 'Attributes', key: 'Name' },
  MessageAttribute: { member: 'MessageAttributes', key: 'Name' },
  MessageSystemAttribute: { member: 'MessageSystemAttributes', key: 'Name' },
  Tag: { member: 'Tags', key: 'Key' },
};

/** The batch actions' `<Entry>.N.<member>` parameters, decoded into `Entries`. */
const ENTRIES = new Set(['SendMessageBatchRequestEntry', 'DeleteMessageBatchRequestEntry', 'ChangeMessageVisibilityBatchRequestEntry']);

/** Members that are integers in the API (JSON numbers); a value that is not one stays text for the action to refuse. */
const INTEGERS = new Set(['DelaySeconds', 'MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds', 'MaxResults', 'MaxNumberOfMessagesPerSecond']);

/** Where one action's JSON member is named otherwise: CreateQueue's tags are `tags` in JSON, `Tag.N` in query. */
const RENAMED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  CreateQueue: { Tags: 'tags' },
};

/** N of a list member or map entry: 1, 2, … (no 0, no leading zero). */
const MEMBER_NUMBER = /^[1-9]\d*$/;

/** The protocol's own parameters (signature version 2 included), not members of any input. */
const PROTOCOL_PARAMETERS = new Set(['Action', 'Version', 'AWSAccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'Timestamp', 'Expires', 'SecurityToken']);

/**
 * Decodes the parameters of one query request for `action`. `pathQueueUrl` is the queue URL the
 * request was sent to (`/<account>/<name>`, as the query samples do), used when the parameters
 * hold no QueueUrl.
 */
export function decodeSqsQuery(action: string, params: URLSearchParams, pathQueueUrl?: string): Input {
  const tree = emptyNode();
  for (const [name, value] of params) {
    if (PROTOCOL_PARAMETERS.has(name) || name.startsWith('X-Amz-')) continue;
    place(tree, name, value);
  }
  const input = members(tree, '');
  for (const [from, to] of Object.entries(own(RENAMED, action) ?? {})) {
    if (Object.hasOwn(input, from)) {
      set(input, to, input[from]);
      delete input[from];
    }
  }
  if (!Object.hasOwn(input, 'QueueUrl') && pathQueueUrl !== undefined) set(input, 'QueueUrl', pathQueueUrl);
  return input;
}

function place(tree: Tree, name: string, value: string): void {
  const segments = name.split('.');
  let parent = tree;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = parent[segments[i]!] ?? (parent[segments[i]!] = emptyNode());
    if (typeof next === 'string') throw malformed(name);
    parent = next;
  }
  const last = segments[segments.length - 1]!;
  if (typeof parent[last] === 'object') throw malformed(name);
  parent[last] = value;
}

/**
 * Parameter names are the client's: nodes have no prototype (`__proto__.x` is a name like any
 * other), and outputs get own properties, as JSON.parse makes them.
 */
function emptyNode(): Tree {
  return Object.create(null) as Tree;
}

function set(object: Input, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The members of an input (or of a batch entry) from their parameters. */
function members(tree: Tree, prefix: string): Input {
  const input: Input = {};
  for (const [name, node] of Object.entries(tree)) {
    const path = `${prefix}${name}`;
    const list = own(LISTS, name);
    const map = own(MAPS, name);
    if (list !== undefined) {
      set(input, list, indexed(node, path).map(([, item, itemPath]) => text(item, itemPath)));
    } else if (map !== undefined) {
      const { member, key } = map;
      const entries: Input = {};
      for (const [, entry, entryPath] of indexed(node, path)) {
        if (typeof entry === 'string') throw malformed(entryPath);
        const entryKey = entry[key];
        const value = entry['Value'];
        if (typeof entryKey !== 'string') throw missingParameter(`${entryPath}.${key}`);
        if (value === undefined) throw missingParameter(`${entryPath}.Value`);
        set(entries, entryKey, plain(value));
      }
      set(input, member, entries);
    } else if (ENTRIES.has(name)) {
      set(input, 'Entries', indexed(node, path).map(([, entry, entryPath]) => {
        if (typeof entry === 'string') throw malformed(entryPath);
        return members(entry, `${entryPath}.`);
      }));
    } else if (typeof node === 'string') {
      set(input, name, INTEGERS.has(name) && /^-?\d+$/.test(node) ? Number(node) : node);
    } else {
      set(input, name, plain(node));
    }
  }
  return input;
}

/** The items of `<path>.N…`, in the order of N (1, 2, …). */
function indexed(node: Tree | string, path: string): Array<[number, Tree | string, string]> {
  if (typeof node === 'string') throw malformed(path);
  const items: Array<[number, Tree | string, string]> = [];
  for (const [segment, item] of Object.entries(node)) {
    if (!MEMBER_NUMBER.test(segment)) throw malformed(`${path}.${segment}`);
    items.push([Number(segment), item, `${path}.${segment}`]);
  }
  return items.sort((a, b) => a[0] - b[0]);
}

function text(node: Tree | string, path: string): string {
  if (typeof node !== 'string') throw malformed(path);
  return node;
}

/** A structure without special names (a message attribute's Value): numbered members become lists. */
function plain(node: Tree | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => MEMBER_NUMBER.test(k))) {
    return keys.map(Number).sort((a, b) => a - b).map((k) => plain(node[String(k)]!));
  }
  const out: Input = {};
  for (const key of keys) set(out, key, plain(node[key]!));
  return out;
}

function missingParameter(parameter: string): SqsError {
  return new SqsError('MissingParameter', `The request must contain the parameter ${parameter}.`);
}

function malformed(parameter: string): WireError {
  return new WireError('InvalidQueryParameter', `The query parameter ${parameter} is malformed: lists are <Name>.N, maps <Name>.N.Name and <Name>.N.Value (N from 1).`, 400, {
    'x-amzn-query-error': 'InvalidQueryParameter;Sender',
  });
}
