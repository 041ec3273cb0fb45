/**
 * The AWS SDK clients the CLI uses, built one way for both flow targets:
 * - the local engine: its endpoint, dummy credentials (the engine does not check them);
 * - a deployed stack: the standard AWS credential chain (environment, shared config and
 *   credentials files, SSO, container and instance roles), optionally a named `profile`, a
 *   `region`, and an `endpoint` for emulators (`--endpoint-url`).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';

const LOCAL_CREDENTIALS = { accessKeyId: 'busline-local', secretAccessKey: 'busline-local' };

/** Where the clients point and how they sign. */
export interface ClientSettings {
  /** Absent: the SDK's own resolution (AWS_REGION, the profile's region). */
  readonly region?: string;
  readonly endpoint?: string;
  /** A profile of the shared AWS config files; absent: the default chain (AWS_PROFILE, env keys, …). */
  readonly profile?: string;
  /** Fixed credentials (the local engine); absent: the standard credential chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** Client configuration shared by every SDK client the CLI builds. */
export function clientConfig(settings: ClientSettings): ClientSettings {
  return {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
}

export interface FlowClients {
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  /** Encrypts the `"x-busline-pii": "encrypt"` fields of what the CLI publishes. */
  readonly kms: KMSClient;
}

export function flowClients(settings: ClientSettings): FlowClients {
  const config = clientConfig(settings);
  return { events: new EventBridgeClient(config), sqs: new SQSClient(config), lambda: new LambdaClient(config), kms: new KMSClient(config) };
}

/** Clients pointed at the local engine. */
export function localClients(endpoint: string, region = 'us-east-1'): FlowClients {
  return flowClients({ endpoint, region, credentials: LOCAL_CREDENTIALS });
}
