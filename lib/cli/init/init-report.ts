/**
 * What `busline init` prints: one line per file (created, kept, edited, or not edited with the
 * lines to add and where), then the commands to run next.
 */
import { changesFiles, type InitPlan, type InitStep } from './init-plan.ts';

export function formatReport(plan: InitPlan, dryRun: boolean): string {
  const { layout, names } = plan;
  const kind = `${layout.language === 'typescript' ? 'TypeScript' : 'JavaScript'} app (${layout.format === 'esm' ? 'ES modules' : 'CommonJS'})`;
  const out = [`busline init${dryRun ? ' --dry-run' : ''}: ${kind}, topic ${names.topic} from source ${names.source}, subscription ${names.subscription}`];
  for (const step of plan.steps) out.push(...stepLines(step, dryRun));
  if (dryRun) out.push('Dry run: nothing was written. Run it without --dry-run to do the above.');
  else if (!changesFiles(plan)) out.push('Nothing changed: every file busline init adds is already there.');
  out.push('');

  const manual = plan.steps.find((step) => step.action === 'manual');
  const next: Array<[string, string]> = [];
  if (!layout.hasBuslineDependency) next.push(['npm install busline', '']);
  if (manual) next.push(['', `add the lines above to ${manual.path ?? 'your stack'}`]);
  next.push(['npx busline dev', 'runs the flow on this machine; leave it running, and in a second terminal:']);
  next.push([`npx busline publish ${names.topic} ${shellQuote(JSON.stringify(plan.example ?? {}))}`, '']);
  next.push(['npx cdk synth', 'the CloudFormation template, flow included (then npx cdk deploy)']);
  const width = Math.max(...next.filter(([command, why]) => command && why).map(([command]) => command.length));
  out.push('Next:');
  for (const [command, why] of next) {
    out.push(`  ${!command ? why : !why ? command : `${command.padEnd(width)}   ${why}`}`);
  }
  return out.join('\n');
}

const VERBS = { create: ['created', 'would create'], keep: ['kept', 'kept'], edit: ['edited', 'would edit'], manual: ['not edited', 'would not edit'] } as const;

function stepLines(step: InitStep, dryRun: boolean): string[] {
  const verb = VERBS[step.action][dryRun ? 1 : 0].padEnd(16);
  switch (step.action) {
    case 'create': return [`  ${verb}${step.path}`];
    case 'keep': return [`  ${verb}${step.path} (${step.note})`];
    case 'edit': return [`  ${verb}${step.path}: ${step.note}`];
    case 'manual': return [
      `  ${verb}${step.path ?? 'the stack'}: ${step.reason}. Add these lines yourself:`,
      ...(step.importLine ? ['    beside the other imports at the top of the file:', `      ${step.importLine}`] : []),
      `    ${step.where}:`,
      ...step.lines.map((line) => `      ${line}`),
    ];
  }
}

/** Single-quoted for sh, so the JSON reaches the command as one argument. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
