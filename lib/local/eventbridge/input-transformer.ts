/**
 * What a rule target receives: the event, the constant `Input`, the part selected by
 * `InputPath`, or the text built by an `InputTransformer` (AWS semantics: a placeholder
 * inside a JSON string is replaced by the value's text, escaped for that string; outside a
 * string by the value as JSON; in a template that is not JSON, string values go in as is).
 */
import { compileJsonPath, readPath, type CompiledPath } from './json-path.ts';
import type { BusEvent, TargetDefinition } from './types.ts';

export interface TargetContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestionTime: string;
}

/** Turns an event into the target's input text. Built once per PutTargets. */
export type InputBuilder = (event: BusEvent, eventText: string, context: TargetContext) => string;

// Limits of the EventBridge API model (PutTargets: TargetInput, TargetInputPath,
// TransformerPaths, InputTransformerPathKey, TransformerInput).
const MAX_INPUT_PATHS = 100;
const MAX_INPUT_CHARS = 8192;
const MAX_PATH_CHARS = 256;
const PATH_KEY = /^[A-Za-z0-9_-]{1,256}$/;
/** A `<name>` in a template: a key of InputPathsMap or a predefined variable. */
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
const PREDEFINED = new Set(['aws.events.rule-arn', 'aws.events.rule-name', 'aws.events.event.ingestion-time', 'aws.events.event', 'aws.events.event.json']);

export function compileInput(target: TargetDefinition, where: string): InputBuilder {
  const kinds = [target.Input !== undefined, target.InputPath !== undefined, target.InputTransformer !== undefined].filter(Boolean).length;
  if (kinds > 1) throw new Error(`${where}: set at most one of Input, InputPath and InputTransformer`);
  if (target.Input !== undefined) {
    const input = target.Input;
    if (input.length > MAX_INPUT_CHARS) throw new Error(`${where}: Input is ${input.length} characters; at most ${MAX_INPUT_CHARS} are allowed`);
    try {
      JSON.parse(input);
    } catch {
      throw new Error(`${where}: Input must be valid JSON text, got ${JSON.stringify(input.slice(0, 80))}`);
    }
    return () => input;
  }
  if (target.InputPath !== undefined) {
    if (target.InputPath.length > MAX_PATH_CHARS) throw new Error(`${where}: InputPath is ${target.InputPath.length} characters; at most ${MAX_PATH_CHARS} are allowed`);
    const path = compileJsonPath(target.InputPath, `${where} InputPath`);
    if (path.length === 0) return (_event, text) => text;
    return (event) => JSON.stringify(readPath(event, path) ?? null);
  }
  if (target.InputTransformer !== undefined) return compileTransformer(target.InputTransformer, where);
  return (_event, text) => text;
}

function compileTransformer(transformer: NonNullable<TargetDefinition['InputTransformer']>, where: string): InputBuilder {
  const paths = new Map<string, CompiledPath>();
  const entries = Object.entries(transformer.InputPathsMap ?? {});
  // InputTransformer (API reference): at most 100 key-value pairs, keys may not start with
  // "AWS.", the predefined variables are reserved, and a placeholder is never an object key;
  // the API model: keys of 1–256 letters, digits, _ and -, paths of at most 256 characters, a
  // template of 1–8192 characters.
  if (entries.length > MAX_INPUT_PATHS) throw new Error(`${where}: InputPathsMap has ${entries.length} variables; at most ${MAX_INPUT_PATHS} are allowed`);
  for (const [name, path] of entries) {
    if (PREDEFINED.has(name)) throw new Error(`${where}: InputPathsMap may not define the reserved variable "${name}"`);
    if (name.toUpperCase().startsWith('AWS.')) throw new Error(`${where}: InputPathsMap key "${name}" is not valid: keys may not start with "AWS."`);
    if (!PATH_KEY.test(name)) throw new Error(`${where}: InputPathsMap key "${name}" is not valid: 1–256 of letters, digits, _ and -`);
    if (typeof path !== 'string' || path.length > MAX_PATH_CHARS) throw new Error(`${where}: InputPathsMap.${name} must be a JSON path of at most ${MAX_PATH_CHARS} characters`);
    paths.set(name, compileJsonPath(path, `${where} InputPathsMap.${name}`));
  }
  const template = transformer.InputTemplate;
  if (typeof template !== 'string' || template.length === 0) throw new Error(`${where}: InputTransformer needs an InputTemplate`);
  if (template.length > MAX_INPUT_CHARS) throw new Error(`${where}: InputTemplate is ${template.length} characters; at most ${MAX_INPUT_CHARS} are allowed`);
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!paths.has(m[1]!) && !PREDEFINED.has(m[1]!)) {
      throw new Error(`${where}: InputTemplate contains invalid placeholder <${m[1]}>: it is neither a key of InputPathsMap nor a predefined variable (aws.events.*)`);
    }
  }
  const trimmed = template.trim();
  const jsonTemplate = trimmed.startsWith('{') || trimmed.startsWith('[');
  if (jsonTemplate) {
    for (const m of template.matchAll(/[{,]\s*("?)<([^<>]+)>\1\s*:/g)) {
      if (paths.has(m[2]!) || PREDEFINED.has(m[2]!)) throw new Error(`${where}: InputTemplate uses the placeholder <${m[2]}> as an object key, which a JSON template may not do`);
    }
  }
  // Split the template once into literal text and placeholders, noting for each placeholder
  // whether it sits inside a JSON string.
  const parts: Array<{ text: string } | { name: string; quoted: boolean }> = [];
  let inString = false;
  let literal = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (name && (paths.has(name) || PREDEFINED.has(name))) {
        if (literal) parts.push({ text: literal });
        literal = '';
        parts.push({ name, quoted: inString });
        i = end;
        continue;
      }
    }
    if (c === '\\' && inString) {
      literal += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    literal += c;
  }
  if (literal) parts.push({ text: literal });

  return (event, eventText, context) => {
    let out = '';
    for (const part of parts) {
      if ('text' in part) {
        out += part.text;
        continue;
      }
      const value = valueOf(part.name, event, eventText, context, paths);
      if (part.quoted) {
        const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
        out += JSON.stringify(text).slice(1, -1);
      } else if (jsonTemplate) {
        out += part.name === 'aws.events.event' || part.name === 'aws.events.event.json' ? (value as string) : JSON.stringify(value ?? null);
      } else {
        out += typeof value === 'string' ? value : JSON.stringify(value ?? null);
      }
    }
    return out;
  };
}

function valueOf(name: string, event: BusEvent, eventText: string, context: TargetContext, paths: Map<string, CompiledPath>): unknown {
  switch (name) {
    case 'aws.events.rule-arn':
      return context.ruleArn;
    case 'aws.events.rule-name':
      return context.ruleName;
    case 'aws.events.event.ingestion-time':
      return context.ingestionTime;
    case 'aws.events.event.json':
      return eventText;
    case 'aws.events.event': {
      const { detail: _detail, ...rest } = event;
      return JSON.stringify(rest);
    }
    default:
      return readPath(event, paths.get(name)!);
  }
}
