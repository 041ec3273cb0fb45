/**
 * What `busline init` does to an app, decided before anything is written: one step per file
 * (create it, keep it, edit the stack, or leave the stack to the user with the lines to add).
 * Planning reads only, so `--dry-run` prints the same plan and a failure while planning (a
 * broken schema in the app, say) leaves the app untouched. A file that exists is never
 * overwritten; the stack is the one file edited, and only where stack-edit.ts finds it safe.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { loadSchemas, type JsonSchema, type TopicSchemas } from '../../schema/schema-set.ts';
import { generateTypesModule } from '../../schema/type-codegen.ts';
import type { AppLayout } from './app-layout.ts';
import type { InitNames } from './names.ts';
import { exampleSchema, handlerPath, handlerText, schemaText, TYPES_FILE } from './scaffold-files.ts';
import { planStackEdit } from './stack-edit.ts';

/** Paths are relative to the app root, with `/`. */
export type InitStep =
  | { readonly action: 'create'; readonly path: string; readonly content: string }
  | { readonly action: 'keep'; readonly path: string; readonly note: string }
  | { readonly action: 'edit'; readonly path: string; readonly content: string; readonly note: string }
  | { readonly action: 'manual'; readonly path?: string; readonly reason: string; readonly importLine?: string; readonly where: string; readonly lines: readonly string[] };

export interface InitPlan {
  readonly layout: AppLayout;
  readonly names: InitNames;
  readonly steps: readonly InitStep[];
  /** The topic schema's first example, for the publish command to suggest. */
  readonly example?: unknown;
}

const SCHEMAS_DIR = 'schemas';

export async function planInit(layout: AppLayout, names: InitNames): Promise<InitPlan> {
  const steps: InitStep[] = [];
  const rel = (file: string): string => relative(layout.root, file).split(sep).join('/');
  const schemasDir = join(layout.root, SCHEMAS_DIR);
  const topics = new Map(existsSync(schemasDir) ? loadSchemas(schemasDir) : []);

  // The topic's schema: the newest version already there, or a first one.
  let schema: JsonSchema;
  let schemaFile: string;
  const existing = topics.get(names.topic);
  if (existing) {
    schema = existing.latest.schema;
    schemaFile = rel(existing.latest.file);
    steps.push({ action: 'keep', path: schemaFile, note: 'exists' });
  } else {
    schema = exampleSchema(names);
    const file = join(schemasDir, names.topic, 'v1.json');
    schemaFile = rel(file);
    steps.push({ action: 'create', path: schemaFile, content: schemaText(schema) });
    const version = { topic: names.topic, version: 1, file, schema };
    topics.set(names.topic, { topic: names.topic, versions: [version], latest: version });
  }

  const handler = handlerPath(layout, names);
  steps.push(existsSync(join(layout.root, handler))
    ? { action: 'keep', path: handler, note: 'exists' }
    : { action: 'create', path: handler, content: handlerText(layout, names, schema, schemaFile) });

  // JavaScript handlers are typed by JSDoc; TypeScript ones import the TopicMap `busline types` writes.
  if (layout.language === 'typescript') steps.push(await typesStep(layout, topics));

  const stack = planStackEdit(layout, names, handler);
  if (stack.kind === 'edit') {
    steps.push({ action: 'edit', path: rel(stack.file), content: stack.content, note: `EventFlow import, and the flow at the end of ${stack.className}'s constructor` });
  } else if (stack.kind === 'present') {
    steps.push({ action: 'keep', path: rel(stack.file), note: `declares topic ${names.topic} and subscription ${names.subscription}` });
  } else {
    steps.push({ action: 'manual', path: stack.file && rel(stack.file), reason: stack.reason, importLine: stack.importLine, where: stack.where, lines: stack.lines });
  }

  const examples = schema.examples;
  return { layout, names, steps, example: Array.isArray(examples) ? examples[0] : undefined };
}

/** schemas/types.ts as `busline types` would write it from every topic, the new one included. */
async function typesStep(layout: AppLayout, topics: Map<string, TopicSchemas>): Promise<InitStep> {
  // In loadSchemas' order (folder names sorted), so the file is byte for byte what `busline types` writes.
  const code = await generateTypesModule([...topics.keys()].sort().map((topic) => topics.get(topic)!));
  const file = join(layout.root, TYPES_FILE);
  if (!existsSync(file)) return { action: 'create', path: TYPES_FILE, content: code };
  return readFileSync(file, 'utf8') === code
    ? { action: 'keep', path: TYPES_FILE, note: 'up to date' }
    : { action: 'keep', path: TYPES_FILE, note: 'exists, but is not what the schemas generate now: run `npx busline types` to regenerate it' };
}

/** Writes the plan's files. Created files are opened exclusively: one that appeared since planning is not overwritten. */
export function applyPlan(plan: InitPlan): void {
  for (const step of plan.steps) {
    if (step.action !== 'create' && step.action !== 'edit') continue;
    const file = join(plan.layout.root, step.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, step.content, { flag: step.action === 'create' ? 'wx' : 'w' });
  }
}

/** Whether applying the plan writes anything. */
export function changesFiles(plan: InitPlan): boolean {
  return plan.steps.some((step) => step.action === 'create' || step.action === 'edit');
}
