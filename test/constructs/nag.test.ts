import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createApp } from '../../bin/app.ts';
import { EventFlow } from '../../lib/constructs/index.ts';
import { cdkJsonContext, cleanup, ROOT, tempDir } from './helpers.ts';

after(cleanup);

interface ValidationReport {
  readonly pluginReports: ReadonlyArray<{ readonly conclusion: string; readonly violations: ReadonlyArray<{ ruleName: string; violatingConstructs: ReadonlyArray<{ constructPath: string }> }> }>;
}

function readReport(outdir: string): ValidationReport {
  const file = join(outdir, 'validation-report.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ValidationReport) : { pluginReports: [] };
}

test("the reference app synthesizes with 0 unacknowledged findings of cdk-nag's AwsSolutions pack", () => {
  const outdir = tempDir('busline-nag-');
  const app = createApp({ outdir, context: cdkJsonContext() });
  app.synth();
  const violations = readReport(outdir).pluginReports.flatMap((r) => r.violations);
  assert.deepEqual(violations, []);
});

test("the only acknowledgements are SQS3 on dead-letter queues and IAM5[Resource::*] on the role resource (X-Ray's inline policy), each with a reason", () => {
  const outdir = tempDir('busline-nag-');
  const app = createApp({ outdir, context: cdkJsonContext() });
  const acks: Array<[string, string]> = [];
  for (const c of app.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        assert.ok(typeof reason === 'string' && reason.length > 20, `${c.node.path}: ${id} has a reason`);
        // The path below the subscription, e.g. 'Dlq' or 'Role/Resource'.
        acks.push([c.node.path.split('/').slice(3).join('/'), id]);
      }
    }
  }
  const kinds = new Set(acks.map(([leaf, id]) => `${leaf.replace(/^Delivery/, '')} ${id}`));
  assert.deepEqual([...kinds].sort(), ['Dlq AwsSolutions::AwsSolutions-SQS3', 'Role/Resource AwsSolutions::AwsSolutions-IAM5[Resource::*]']);
});

test("the X-Ray acknowledgement covers the role resource only: wildcards granted to the function, even Resource '*', are still reported", () => {
  const outdir = tempDir('busline-nag-');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'S');
  const flow = new EventFlow(stack, 'Orders', { rootDir: ROOT });
  const topic = flow.addTopic('order.placed', { source: 'shop.orders' });
  const sub = flow.addSubscription('reserve-inventory', { topic, handler: 'functions/reserve-inventory.ts' });
  sub.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/*'] }));
  sub.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  assert.throws(() => app.synth(), /Validation failed/);
  const violations = readReport(outdir).pluginReports.flatMap((r) => r.violations);
  assert.deepEqual(violations.map((v) => [v.ruleName, v.violatingConstructs.map((c) => c.constructPath)]).sort(), [
    ['AwsSolutions-IAM5[Resource::*]', ['S/Orders/ReserveInventory/Role/DefaultPolicy/Resource']],
    ['AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]', ['S/Orders/ReserveInventory/Role/DefaultPolicy/Resource']],
  ]);
});

test('acknowledgements are scoped: a queue without a DLQ next to a flow is still reported', () => {
  const outdir = tempDir('busline-nag-');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'S');
  const flow = new EventFlow(stack, 'Orders', { rootDir: ROOT });
  const topic = flow.addTopic('order.placed', { source: 'shop.orders' });
  flow.addSubscription('reserve-inventory', { topic, handler: 'functions/reserve-inventory.ts' });
  new sqs.Queue(stack, 'Loose', { enforceSSL: true });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  assert.throws(() => app.synth(), /Validation failed/);
  const violations = readReport(outdir).pluginReports.flatMap((r) => r.violations);
  assert.deepEqual(violations.map((v) => [v.ruleName, v.violatingConstructs.map((c) => c.constructPath)]), [['AwsSolutions-SQS3', ['S/Loose/Resource']]]);
});
