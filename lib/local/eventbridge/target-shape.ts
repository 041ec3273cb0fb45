/**
 * The shape of a PutTargets target, checked before anything reads it: a target arrives as the
 * client's JSON, and a member of the wrong type (an Arn that is a number, an Input that is an
 * object) must be refused as a ValidationException, not fail later inside a delivery. Member
 * types as the "Target" data type of the Amazon EventBridge API Reference gives them
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html). A JSON null is
 * a member left out.
 */
import { EventBridgeError } from './errors.ts';
import type { TargetDefinition } from './types.ts';

type Check = (value: unknown) => boolean;

const isString: Check = (value) => typeof value === 'string';
const isNumber: Check = (value) => typeof value === 'number';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object whose listed members, when present, pass their checks. */
function structure(members: Readonly<Record<string, Check>>): Check {
  return (value) => isObject(value) && Object.entries(members).every(([name, check]) => value[name] == null || check(value[name]));
}

const isStringMap: Check = (value) => isObject(value) && Object.values(value).every(isString);

const TARGET_MEMBERS: Readonly<Record<string, { readonly check: Check; readonly type: string }>> = {
  Input: { check: isString, type: 'a string (JSON text)' },
  InputPath: { check: isString, type: 'a string (a JSONPath)' },
  InputTransformer: { check: structure({ InputPathsMap: isStringMap, InputTemplate: isString }), type: 'an object { InputPathsMap: map of strings, InputTemplate: string }' },
  RetryPolicy: { check: structure({ MaximumRetryAttempts: isNumber, MaximumEventAgeInSeconds: isNumber }), type: 'an object { MaximumRetryAttempts: number, MaximumEventAgeInSeconds: number }' },
  DeadLetterConfig: { check: structure({ Arn: isString }), type: 'an object { Arn: string }' },
  SqsParameters: { check: structure({ MessageGroupId: isString }), type: 'an object { MessageGroupId: string }' },
};

/** `target` as a TargetDefinition (without its null members), or a ValidationException naming the first member of the wrong type. */
export function checkTargetShape(target: unknown, ruleName: string): TargetDefinition {
  const refuse = (what: string): never => {
    throw new EventBridgeError('ValidationException', `A target of rule ${ruleName} is not valid: ${what}.`);
  };
  if (!isObject(target)) return refuse(`each target must be an object, got ${JSON.stringify(target)}`);
  for (const name of ['Id', 'Arn'] as const) {
    if (typeof target[name] !== 'string') refuse(`${name} must be a string, got ${JSON.stringify(target[name]) ?? 'nothing'}`);
  }
  for (const [name, { check, type }] of Object.entries(TARGET_MEMBERS)) {
    if (target[name] != null && !check(target[name])) refuse(`${name} must be ${type}`);
  }
  // Members sent as null are left out, so nothing downstream mistakes a null for a value.
  return Object.fromEntries(Object.entries(target).filter(([, value]) => value !== null)) as unknown as TargetDefinition;
}
