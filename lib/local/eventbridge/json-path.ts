/**
 * The JSONPath subset EventBridge accepts in InputPath, InputPathsMap and dynamic target
 * parameters: `$`, dot notation (`$.detail.data.id`, names with - _ / and alphanumerics),
 * array indices (`$.resources[0]`). Anything else is refused when the target is put, not
 * when an event arrives.
 */
export type CompiledPath = readonly (string | number)[];

const SEGMENT = /^([^.[\]]+)((?:\[\d+\])*)$/;

export function compileJsonPath(path: string, where: string): CompiledPath {
  if (path === '$') return [];
  if (!path.startsWith('$.')) {
    throw new Error(`${where}: "${path}" is not a supported JSON path; write it as $ or $.field.sub (dot notation, optional [n] indices)`);
  }
  const out: (string | number)[] = [];
  for (const part of path.slice(2).split('.')) {
    // EventBridge's paths allow wildcards (user guide, "Amazon EventBridge input
    // transformation"); the engine does not emulate them, and says so rather than read a field
    // named "*".
    if (part.includes('*')) throw new Error(`${where}: "${path}" uses a wildcard (*), which the local engine does not emulate; name the field`);
    const m = SEGMENT.exec(part);
    if (!m) throw new Error(`${where}: "${path}" is not a supported JSON path (bad segment "${part}"); use dot notation with optional [n] indices`);
    out.push(m[1]!);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** The value at `path`, or undefined when any step is missing. */
export function readPath(value: unknown, path: CompiledPath): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
    if (current === undefined) return undefined;
  }
  return current;
}
