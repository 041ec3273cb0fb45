/**
 * The engine keeps EventBridge declarations across restarts; startLocalApp then makes them the
 * template's, as a CloudFormation deploy of the template would: what an earlier start (or a
 * developer's PutRule) declared and the template does not have is deleted, the rest stays.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand, CreateEventBusCommand, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { startLocalApp } from 'busline/local';
import { synthMiniAppToTemp } from '../fixtures/mini-app/synth-temp.ts';

const asm = synthMiniAppToTemp();
const stateDir = mkdtempSync(join(tmpdir(), 'busline-template-decl-'));
after(() => {
  asm.cleanup();
  rmSync(stateDir, { recursive: true, force: true });
});

const client = (endpoint: string): EventBridgeClient =>
  new EventBridgeClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

test('a restart on the same template removes rules, targets and buses the template does not declare, and keeps its own', async () => {
  const first = await startLocalApp({ assembly: asm.dir, stateDir });
  let templateRules: string[];
  try {
    const events = client(first.engine.endpoint);
    templateRules = ((await events.send(new ListRulesCommand({ EventBusName: 'mini-bus' }))).Rules ?? []).map((r) => r.Name!).sort();
    assert.ok(templateRules.length > 0);
    // What a removed subscription, or a developer's own calls, left behind.
    await events.send(new PutRuleCommand({ Name: 'gone', EventBusName: 'mini-bus', EventPattern: '{"source":["x"]}' }));
    await events.send(new PutTargetsCommand({ Rule: 'gone', EventBusName: 'mini-bus', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:nowhere' }] }));
    await events.send(new PutTargetsCommand({ Rule: templateRules[0], EventBusName: 'mini-bus', Targets: [{ Id: 'stale-target', Arn: 'arn:aws:sqs:us-east-1:000000000000:nowhere' }] }));
    await events.send(new CreateEventBusCommand({ Name: 'leftover-bus' }));
  } finally {
    await first.stop();
  }

  const second = await startLocalApp({ assembly: asm.dir, stateDir });
  try {
    const events = client(second.engine.endpoint);
    const rules = ((await events.send(new ListRulesCommand({ EventBusName: 'mini-bus' }))).Rules ?? []).map((r) => r.Name!).sort();
    assert.deepEqual(rules, templateRules);
    const targets = (await events.send(new ListTargetsByRuleCommand({ Rule: templateRules[0], EventBusName: 'mini-bus' }))).Targets ?? [];
    assert.ok(targets.length > 0 && !targets.some((t) => t.Id === 'stale-target'), JSON.stringify(targets));
    const buses = ((await events.send(new ListEventBusesCommand({}))).EventBuses ?? []).map((b) => b.Name);
    assert.ok(!buses.includes('leftover-bus') && buses.includes('mini-bus'), JSON.stringify(buses));
  } finally {
    await second.stop();
  }
});
