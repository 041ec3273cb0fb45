/**
 * SQS scenario tests that run over the wire against the local engine and, where moto_server
 * agrees with the documented AWS behaviour, against moto_server too (an independent
 * emulator: a case that passes there checks the case itself, not only the engine).
 *
 *   const targets = sqsTargets();            // before/after hooks registered here
 *   scenario('what it shows', { moto: true }, async (t) => { ... t.sqs ... });
 */
import { after, before, test } from 'node:test';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, MOTO_REGION, motoServerMissing, startMotoServer, type MotoServer } from '../../support/moto-server.ts';
import { startEngine, TEST_CREDENTIALS, type EngineFixture } from './engine-fixture.ts';

export interface SqsTarget {
  readonly name: 'engine' | 'moto_server';
  readonly sqs: SQSClient;
  /** A new queue (name unique within the run); FIFO queues get content-based deduplication. */
  queue(options: { fifo?: boolean; visibilityTimeout?: number }): Promise<string>;
  send(url: string, body: string, group?: string): Promise<void>;
  /** ReceiveMessage with every system attribute (short poll). */
  receive(url: string, max?: number, visibilityTimeout?: number): Promise<Message[]>;
}

let engine: EngineFixture | undefined;
let moto: MotoServer | undefined;
let motoClient: SQSClient | undefined;
const motoSkip = motoServerMissing();
let n = 0;

function target(name: SqsTarget['name'], sqs: SQSClient): SqsTarget {
  return {
    name,
    sqs,
    async queue({ fifo = false, visibilityTimeout = 300 }) {
      const attributes: Record<string, string> = { VisibilityTimeout: String(visibilityTimeout) };
      if (fifo) Object.assign(attributes, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
      const name = `scenario-${process.pid}-${++n}${fifo ? '.fifo' : ''}`;
      return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    },
    async send(url, body, group) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, ...(group !== undefined && { MessageGroupId: group }) }));
    },
    async receive(url, max = 10, visibilityTimeout) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: max,
        MessageSystemAttributeNames: ['All'],
        ...(visibilityTimeout !== undefined && { VisibilityTimeout: visibilityTimeout }),
      }));
      return Messages ?? [];
    },
  };
}

/** Registers the hooks that start the engine and moto_server once for the file. */
export function sqsTargets(): void {
  before(async () => {
    engine = await startEngine();
    if (!motoSkip) {
      moto = await startMotoServer();
      motoClient = new SQSClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
    }
  });
  after(async () => {
    motoClient?.destroy();
    await moto?.stop();
    await engine?.close();
  });
}

/** Where a target listens, for clients other than the SDK v3 one above (a query-protocol client, say). */
export interface TargetEndpoint {
  readonly name: SqsTarget['name'];
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly region: string;
  /** The account id in its queue URLs and ARNs. */
  readonly accountId: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

function endpointOf(name: SqsTarget['name']): TargetEndpoint {
  if (name === 'engine') {
    return { name, endpoint: engine!.engine.endpoint, region: engine!.engine.region, accountId: engine!.engine.accountId, credentials: TEST_CREDENTIALS };
  }
  return { name, endpoint: moto!.endpoint, region: MOTO_REGION, accountId: MOTO_ACCOUNT, credentials: MOTO_CREDENTIALS };
}

/**
 * One test per target: `<name> [engine]`, and `<name> [moto_server]` when `moto` is true
 * (skipped when moto_server is not installed). Pass `moto: false` with a comment saying where
 * moto differs from AWS.
 */
export function scenario(name: string, options: { moto: boolean }, body: (t: SqsTarget) => Promise<void>): void {
  scenarioOn(name, options, (at) => target(at.name, at.name === 'engine' ? engine!.sqs : motoClient!), body);
}

/** As `scenario`, with the test's own view of a target, made by `view` from where it listens. */
export function scenarioOn<T>(name: string, options: { moto: boolean }, view: (at: TargetEndpoint) => T, body: (t: T) => Promise<void>): void {
  test(`${name} [engine]`, () => body(view(endpointOf('engine'))));
  if (options.moto) test(`${name} [moto_server]`, { skip: motoSkip }, () => body(view(endpointOf('moto_server'))));
}

/** The error name the SDK gives (the query-compatible code, e.g. InvalidParameterValue). */
export function errorNamed(name: string, message?: RegExp): (error: unknown) => boolean {
  return (error) => {
    const e = error as { name?: string; Code?: string; message?: string };
    return (e.name === name || (e.Code ?? '').endsWith(name)) && (message === undefined || message.test(e.message ?? ''));
  };
}
