/** Start-up listing of what the engine does not emulate, grouped so it stays readable. */
import type { AssemblyWarning } from './app-model.ts';

export function formatWarnings(warnings: readonly AssemblyWarning[]): string[] {
  const lines: string[] = [];
  const noEffectByType = new Map<string, number>();
  for (const w of warnings) {
    if (w.kind === 'no-effect' && w.message === 'not emulated (no effect locally)') {
      noEffectByType.set(w.resourceType, (noEffectByType.get(w.resourceType) ?? 0) + 1);
    }
  }
  for (const w of warnings) {
    if (w.kind === 'no-effect') continue;
    lines.push(`warning: ${w.stackName}/${w.logicalId} (${w.resourceType}): ${w.message}`);
  }
  for (const [type, count] of noEffectByType) lines.push(`note: ${count} × ${type}: not emulated (no effect locally)`);
  const props = warnings.filter((w) => w.kind === 'no-effect' && w.message !== 'not emulated (no effect locally)');
  if (props.length > 0) {
    const distinct = new Set(props.flatMap((w) => w.message.replace(/: no effect locally$/, '').split(', ')));
    lines.push(`note: properties with no local effect (encryption, tracing, logging, tags): ${[...distinct].sort().join(', ')}`);
  }
  return lines;
}
