/** AWS SDK clients pointed at the local engine (dummy credentials: the engine does not check them). */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';

const credentials = { accessKeyId: 'busline-local', secretAccessKey: 'busline-local' };

export function localClients(endpoint: string, region = 'us-east-1'): { events: EventBridgeClient; sqs: SQSClient } {
  return {
    events: new EventBridgeClient({ endpoint, region, credentials }),
    sqs: new SQSClient({ endpoint, region, credentials }),
  };
}
