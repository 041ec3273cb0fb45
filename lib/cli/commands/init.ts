/**
 * `busline init [--topic <name>] [--source <source>] [--dry-run]`, run in the root of a CDK app:
 * adds a topic schema, a handler typed from it, the generated TopicMap (TypeScript apps) and
 * the flow in the app's stack. Never overwrites a file; running it again changes nothing.
 * The steps live in lib/cli/init/ (init-plan.ts is the overview).
 */
import { readAppLayout, folderName } from '../init/app-layout.ts';
import { applyPlan, planInit } from '../init/init-plan.ts';
import { formatReport } from '../init/init-report.ts';
import { DEFAULT_TOPIC, initNames, SOURCE, sourceFrom, TOPIC_NAME } from '../init/names.ts';
import { parseCommandArgs } from '../args.ts';

export const summary = 'add a first topic, handler and flow to the CDK app in this folder';

const HELP = `usage: busline init [--topic <name>] [--source <source>] [--dry-run]

Run in the root of a CDK app (the folder with cdk.json). Adds schemas/<topic>/v1.json, a handler in
functions/, schemas/types.ts (TypeScript apps) and an EventFlow at the end of the stack's
constructor, or prints the lines to add when the stack cannot be edited safely. Files that exist
are kept; running it again changes nothing.

  --topic     topic (EventBridge detail-type) to declare (default: ${DEFAULT_TOPIC})
  --source    EventBridge source of the topic's events (default: package.json's name)
  --dry-run   print what it would do; write nothing`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(HELP, {
    args: argv,
    options: {
      topic: { type: 'string', default: DEFAULT_TOPIC },
      source: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (!TOPIC_NAME.test(values.topic)) {
    process.stderr.write(`busline init: topic "${values.topic}" is not a topic name: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. user.signed-up)\n`);
    return 2;
  }
  if (values.source !== undefined && (!SOURCE.test(values.source) || values.source.startsWith('aws.'))) {
    process.stderr.write(`busline init: source "${values.source}" is not usable: letters, digits, '.', '_', '/' and '-', not starting with "aws." (reserved for AWS services), e.g. app.accounts\n`);
    return 2;
  }
  const layout = readAppLayout(process.cwd());
  const names = initNames(values.topic, values.source ?? sourceFrom(layout.packageName, folderName(layout)));
  const plan = await planInit(layout, names);
  if (!values['dry-run']) applyPlan(plan);
  process.stdout.write(`${formatReport(plan, values['dry-run'])}\n`);
  return 0;
}
