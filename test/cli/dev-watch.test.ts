/**
 * Watch mode of `busline dev`: the engine runs a temporary copy of an app with messages in its
 * queues while the spec edits a handler, a schema and the stack, as a developer would, and checks
 * that the next event runs what was saved, that nothing queued or stored is lost, and what the
 * terminal says. Broken edits keep the last good version running and say where they are broken;
 * fixing them reloads. Each spec builds on the edits of the ones before it (one engine, like one
 * `busline dev` session).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startDev } from '../../lib/cli/commands/dev.ts';
import { readDevSession } from '../../lib/cli/dev-session.ts';
import { waitFor } from '../local/support/reference-flow.ts';
import { makeWatchedApp, STACK_EXTRAS, type WatchedApp } from './support/watched-app.ts';

type Dev = Awaited<ReturnType<typeof startDev>>;

/** Long enough for a synthesis on a busy two-core machine: a bound on waiting, not a timing assertion. */
const RELOAD_WAIT_MS = 420_000;

describe('busline dev, watch mode', () => {
  let app: WatchedApp;
  let dev: Dev;
  let stateDir: string;
  const lines: string[] = [];
  let published = 0;

  /** Terminal lines printed after `mark` (an index into lines). */
  const since = (mark: number): string[] => lines.slice(mark);
  const waitForLine = (what: string, mark: number, match: (line: string) => boolean): Promise<string> =>
    waitFor(what, async () => since(mark).find(match), RELOAD_WAIT_MS);

  async function publishGreeting(data: Record<string, unknown>): Promise<void> {
    const flow = dev.context.flows[0]!;
    const result = await dev.app.engine.putEvents([{
      EventBusName: flow.busName, Source: 'test.greetings', DetailType: 'greeting.sent',
      Detail: JSON.stringify({ metadata: { id: randomUUID() }, data }),
    }]);
    assert.equal(result.FailedEntryCount, 0);
    published++;
  }

  /** What must survive every reload: the parked queue's messages, the journal, the dedupe table's items. */
  async function stored(): Promise<{ parked: number; journal: number; dedupeItems: number }> {
    const counts = dev.app.engine.queueCounts('parked');
    const journal = (await dev.app.engine.journalQuery({})).length;
    const table = dev.app.model.tables[0]!.name;
    const client = new DynamoDBClient({ endpoint: dev.app.engine.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const scan = await client.send(new ScanCommand({ TableName: table }));
    client.destroy();
    return { parked: counts.visible + counts.inFlight + counts.delayed, journal, dedupeItems: scan.Count ?? 0 };
  }

  async function greetLogged(mark: number, text: string): Promise<void> {
    await waitForLine(`greet to log "${text}"`, mark, (l) => l.startsWith('[greet]') && l.includes(text));
  }

  before(async () => {
    app = await makeWatchedApp();
    stateDir = join(app.dir, '.busline');
    dev = await startDev({ port: 0, dashboardPort: 0, stateDir, projectDir: app.dir, watch: true, print: (l) => lines.push(l) });
    // Messages in the queues before anything is edited.
    for (const name of ['Ada', 'Brian', 'Chidi']) await publishGreeting({ name, times: 1 });
    await waitFor('the three greetings to be parked and greeted', async () => {
      const s = await stored();
      return s.parked === 3 && lines.filter((l) => l.startsWith('[greet]') && l.includes('greeted')).length >= 3 ? s : undefined;
    }, RELOAD_WAIT_MS);
  });

  after(async () => {
    await dev?.watch?.stop();
    await dev?.dashboard.stop();
    await dev?.app.stop();
    app?.remove();
  });

  test('the banner says the app is watched', () => {
    assert.ok(dev.banner.some((l) => l.startsWith(`Watching ${app.dir} for changes to handlers, schemas and the stack`)), dev.banner.join('\n'));
  });

  test('a handler edit runs on the next event, is said in one line with its time, and loses nothing queued or stored', async () => {
    const before = await stored();
    const mark = lines.length;
    app.edit('handlers/greet.ts', "ctx.logger.info('greeted'", "ctx.logger.info('greeted-v2'");
    const line = await waitForLine('the reload line', mark, (l) => l.startsWith('reloaded'));
    assert.match(line, /^reloaded greet \(handlers\/greet\.ts changed\) in (\d+ ms|\d+\.\d s)$/);
    await publishGreeting({ name: 'Dana', times: 1 });
    await greetLogged(mark, 'greeted-v2');
    const after = await stored();
    assert.equal(after.parked, before.parked + 1, 'the parked messages are all still there, and the new one joined them');
    assert.ok(after.journal > before.journal, 'the journal kept its records and went on');
    assert.ok(after.dedupeItems >= before.dedupeItems, 'the dedupe table kept its items');
  });

  test('a handler that does not build keeps the last good version running and names the file and line; fixing it reloads', async () => {
    let mark = lines.length;
    app.edit('handlers/greet.ts', "ctx.logger.info('greeted-v2',", "ctx.logger.info('greeted-v3',,");
    const failed = await waitForLine('the failure line', mark, (l) => l.startsWith('reload failed'));
    assert.match(failed, /^reload failed \(handlers\/greet\.ts changed\): \S*handlers\/greet\.ts:9:\d+: /);
    assert.match(failed, /still running the last good version/);
    await publishGreeting({ name: 'Eve', times: 1 });
    await greetLogged(mark, 'greeted-v2');

    mark = lines.length;
    app.edit('handlers/greet.ts', "'greeted-v3',,", "'greeted-v3',");
    assert.match(await waitForLine('the reload line', mark, (l) => l.startsWith('reload')), /^reloaded greet \(handlers\/greet\.ts changed\)/);
    await publishGreeting({ name: 'Fay', times: 1 });
    await greetLogged(mark, 'greeted-v3');
  });

  test('a handler that throws while it loads keeps the last good version running and says so; fixing it reloads', async () => {
    let mark = lines.length;
    const good = app.read('handlers/greet.ts');
    app.write('handlers/greet.ts', `${good}\nthrow new Error('greet cannot load');\n`);
    const failed = await waitForLine('the failure line', mark, (l) => l.startsWith('reload failed'));
    assert.match(failed, /^reload failed \(handlers\/greet\.ts changed\): greet failed to load: \S+: greet cannot load/);
    await publishGreeting({ name: 'Fern', times: 1 });
    await waitForLine('greet to run its last good code', mark, (l) => l.startsWith('[greet]') && l.includes('greeted-v3') && l.includes('Fern'));

    mark = lines.length;
    app.write('handlers/greet.ts', good);
    assert.match(await waitForLine('the reload line', mark, (l) => l.startsWith('reload')), /^reloaded greet \(handlers\/greet\.ts changed\)/);
  });

  test('a schema edit regenerates validators and types: the next event is checked against the new schema', async () => {
    // Before: greeting.sent allows no other fields, so a greeting with a mood is refused (to the DLQ).
    const dlq = dev.context.subscription('greet').dlqName!;
    await publishGreeting({ name: 'Gus', times: 1, mood: 'cheerful' });
    await waitFor('the greeting with a mood to be refused', async () => (dev.app.engine.queueCounts(dlq).visible >= 1 ? true : undefined), RELOAD_WAIT_MS);

    const mark = lines.length;
    app.edit('schemas/greeting.sent/v1.json', '"times": { "type": "integer", "minimum": 1 }', '"times": { "type": "integer", "minimum": 1 },\n    "mood": { "type": "string" }');
    const line = await waitForLine('the reload line', mark, (l) => l.startsWith('reload'));
    assert.match(line, /^reloaded greeting\.sent validators for greet, schemas\/types\.ts regenerated \(schemas\/greeting\.sent\/v1\.json changed\) in (\d+ ms|\d+\.\d s)$/);
    assert.match(app.read('schemas/types.ts'), /mood\?: string/);
    await publishGreeting({ name: 'Hana', times: 1, mood: 'cheerful' });
    await greetLogged(mark, 'Hana');
  });

  test('a schema that does not compile keeps the last good validators and names the file; fixing it reloads', async () => {
    let mark = lines.length;
    const good = app.read('schemas/greeting.sent/v1.json');
    app.write('schemas/greeting.sent/v1.json', good.replace('"mood": { "type": "string" }', '"mood": { "type": "strang" }'));
    const failed = await waitForLine('the failure line', mark, (l) => l.startsWith('reload failed'));
    assert.match(failed, /^reload failed \(schemas\/greeting\.sent\/v1\.json changed\): schema \S+greeting\.sent\/v1\.json is not a valid JSON Schema/);
    app.write('schemas/greeting.sent/v1.json', good.replace('"mood": { "type": "string" }', '"mood": { "type": "string" '));
    const unparsable = await waitForLine('the second failure line', mark, (l) => l.startsWith('reload failed') && l !== failed);
    assert.match(unparsable, /greeting\.sent\/v1\.json:\d+:\d+: schema file \S+ is not valid JSON/);
    await publishGreeting({ name: 'Ivo', times: 1, mood: 'calm' });
    await greetLogged(mark, 'Ivo');

    mark = lines.length;
    app.write('schemas/greeting.sent/v1.json', good);
    assert.match(await waitForLine('the reload line', mark, (l) => l.startsWith('reload')), /^reloaded greeting\.sent validators for greet/);
  });

  test('a stack edit is applied in place: a new subscription runs, and a queue taken out of the stack is kept with its messages', async () => {
    const before = await stored();
    const mark = lines.length;
    app.write('handlers/wave.ts', [
      "import { defineHandler } from 'busline/runtime';",
      "import type { TopicMap } from '../types.ts';",
      "export default defineHandler<TopicMap, 'greeting.sent'>(async function wave(greeting, ctx) {",
      "  ctx.logger.info('waved', { at: greeting.name });",
      '});',
      '',
    ].join('\n'));
    app.write('app.ts', app.read('app.ts')
      .replace(/^const parked = .*\n.*ParkSent.*\n/m, '')
      .replace(STACK_EXTRAS, "flow.addSubscription('wave', { topic: sent, handler: 'handlers/wave.ts' });"));
    const line = await waitForLine('the stack reload line', mark, (l) => l.startsWith('reloaded the stack') && l.includes('wave'));
    assert.match(line, /^reloaded the stack: added [^;]*rule wave[^;]*function wave[^;]*; [^\n]*removed rule [^\n]*ParkSent[^\n]* \([^)]*app\.ts[^)]* changed\) in [\d.]+ (ms|s)\nkept as they were: queue parked \(no longer in the stack; kept with its messages/);
    assert.equal(readDevSession(stateDir).assemblyDir.startsWith(join(stateDir, 'watch', 'synth')), true, 'dev.json names the assembly the engine runs now');
    await publishGreeting({ name: 'Jun', times: 1 });
    await waitForLine('wave to log', mark, (l) => l.startsWith('[wave]') && l.includes('waved'));
    await greetLogged(mark, 'Jun');
    const after = await stored();
    assert.equal(after.parked, before.parked, 'the parked queue kept its messages (and gets no new ones: its rule is gone)');
    assert.ok(after.journal > before.journal);
    assert.ok(after.dedupeItems >= before.dedupeItems);
  });

  test('a stack that throws keeps the last good flow running and shows the error; fixing it reloads', async () => {
    let mark = lines.length;
    const good = app.read('app.ts');
    app.write('app.ts', good.replace('app.synth();', "throw new Error('the stack is broken on purpose');\napp.synth();"));
    const failed = await waitForLine('the failure line', mark, (l) => l.startsWith('reload failed'));
    assert.match(failed, /^reload failed \(app\.ts changed\): the CDK app \(`npx tsx app\.ts`\) failed with exit code 1:/);
    assert.match(failed, /the stack is broken on purpose/);
    assert.match(failed, /app\.ts:\d+/);
    await publishGreeting({ name: 'Kai', times: 1 });
    await waitForLine('wave to run on', mark, (l) => l.startsWith('[wave]') && l.includes('Kai'));

    mark = lines.length;
    app.write('app.ts', good);
    assert.match(await waitForLine('the reload line', mark, (l) => l.startsWith('reload')), /^reloaded the stack: no resource changed \(app\.ts changed\)/);
  });
});
