/**
 * Deploys a Busline-synthesized stack to moto_server through CloudFormation CreateStack. The
 * template is Busline's, with the changes moto needs, each for a reason of moto's own:
 *
 * | change                                              | why                                                        |
 * |-----------------------------------------------------|------------------------------------------------------------|
 * | the CDK bootstrap version check (`Parameters`, `Rules`) dropped | it reads an SSM parameter only a bootstrapped account has |
 * | each Lambda code object put into moto's S3          | CreateFunction reads it, as on AWS (the asset publishing step) |
 * | an archive's `EventPattern` object written as a JSON string | moto's archive parses only a string (AWS takes both)   |
 * | `{ Ref: <bus> }` replaced by the bus's declared name | moto resolves Ref of an EventBus to an object, not its name |
 * | event source mappings dropped                        | moto would run the consumers in Docker; without them a queue keeps what arrives, for the test to read |
 * | a FIFO queue without a name named `<stack>-<logical id>.fifo` | moto's generated name lacks the `.fifo` suffix AWS gives it, and moto then refuses its own name |
 *
 * moto creates no AWS::SQS::QueuePolicy, AWS::CloudWatch::Alarm or AWS::Lambda::EventInvokeConfig
 * (it reports them created with no physical id), and reports the bus and archive with no
 * physical id either.
 */
import type { App, Stack } from 'aws-cdk-lib';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { MOTO_CREDENTIALS, MOTO_REGION, type MotoServer } from '../../support/moto-server.ts';

interface Resource { Type: string; Properties?: Record<string, unknown> }
interface Template { Resources: Record<string, Resource>; Parameters?: unknown; Rules?: unknown }

export async function deployToMoto(moto: MotoServer, stack: Stack): Promise<void> {
  const template = structuredClone((stack.node.root as App).synth().getStackByName(stack.stackName).template) as Template;
  delete template.Parameters;
  delete template.Rules;
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Lambda::EventSourceMapping') delete template.Resources[id];
    if (r.Type === 'AWS::SQS::Queue' && r.Properties?.FifoQueue === true && r.Properties.QueueName === undefined) r.Properties.QueueName = `${stack.stackName}-${id}.fifo`;
    if (r.Type === 'AWS::Events::Archive' && typeof r.Properties?.EventPattern === 'object') r.Properties.EventPattern = JSON.stringify(r.Properties.EventPattern);
    if (r.Type === 'AWS::Lambda::Function') {
      const code = r.Properties?.Code as { S3Bucket: string; S3Key: string };
      // Path-style S3 on moto, unsigned: create the asset bucket, put the object.
      await ok(fetch(`${moto.endpoint}/${code.S3Bucket}`, { method: 'PUT' }));
      await ok(fetch(`${moto.endpoint}/${code.S3Bucket}/${code.S3Key}`, { method: 'PUT', body: 'zip' }));
    }
  }
  let text = JSON.stringify(template);
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Events::EventBus') text = text.replaceAll(JSON.stringify({ Ref: id }), JSON.stringify(r.Properties?.Name));
  }
  const cfn = new CloudFormationClient({ endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS });
  await cfn.send(new CreateStackCommand({ StackName: stack.stackName, TemplateBody: text, Capabilities: ['CAPABILITY_IAM'] }));
  const status = (await cfn.send(new DescribeStacksCommand({ StackName: stack.stackName }))).Stacks?.[0]?.StackStatus;
  if (status !== 'CREATE_COMPLETE') throw new Error(`stack ${stack.stackName} on moto: ${status}`);
}

async function ok(response: Promise<Response>): Promise<void> {
  const r = await response;
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`moto S3: ${r.status} ${r.statusText}`);
}
