/**
 * The Condition element, evaluated as IAM does ("IAM JSON policy elements: Condition operators",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 * - every operator of a statement, and every key under an operator, must hold (AND);
 * - a key with several policy values holds when one of them matches (OR);
 * - a key absent from the request makes the condition false, except for the negated operators
 *   (StringNotEquals, ArnNotLike, …: true), `…IfExists` (true) and `Null`;
 * - `ForAnyValue:` / `ForAllValues:` compare a multivalued request key value by value.
 * Condition keys are case-insensitive; string values are compared case-sensitively unless the
 * operator says IgnoreCase.
 */
import { arnMatch, wildcardMatch } from './wildcard-match.ts';
import type { PolicyStatement } from './policy-document.ts';
import { asList } from './policy-document.ts';

/** A request's condition context: key (lower case) → value(s). */
export type ConditionContext = ReadonlyMap<string, readonly string[]>;

type Compare = (policyValue: string, requestValue: string) => boolean;

const POSITIVE: Record<string, Compare> = {
  stringequals: (p, r) => p === r,
  stringequalsignorecase: (p, r) => p.toLowerCase() === r.toLowerCase(),
  stringlike: (p, r) => wildcardMatch(p, r),
  arnequals: arnMatch,
  arnlike: arnMatch,
  bool: (p, r) => p.toLowerCase() === r.toLowerCase(),
  numericequals: (p, r) => Number(p) === Number(r),
  numericlessthan: (p, r) => Number(r) < Number(p),
  numericlessthanequals: (p, r) => Number(r) <= Number(p),
  numericgreaterthan: (p, r) => Number(r) > Number(p),
  numericgreaterthanequals: (p, r) => Number(r) >= Number(p),
};

/** Negated operators: the positive one they deny. */
const NEGATED: Record<string, string> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  arnnotequals: 'arnequals',
  arnnotlike: 'arnlike',
  numericnotequals: 'numericequals',
};

export class UnsupportedConditionError extends Error {
  override readonly name = 'UnsupportedConditionError';
}

/** True when every condition of the statement holds for the request. */
export function conditionsHold(condition: PolicyStatement['Condition'], context: ConditionContext): boolean {
  if (!condition) return true;
  for (const [operatorName, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      const policyValues = asList(values).map(String);
      if (!operatorHolds(operatorName, policyValues, context.get(key.toLowerCase()))) return false;
    }
  }
  return true;
}

function operatorHolds(operatorName: string, policyValues: readonly string[], requestValues: readonly string[] | undefined): boolean {
  let name = operatorName.toLowerCase();
  let set: 'any' | 'all' | undefined;
  if (name.startsWith('foranyvalue:')) { set = 'any'; name = name.slice('foranyvalue:'.length); }
  else if (name.startsWith('forallvalues:')) { set = 'all'; name = name.slice('forallvalues:'.length); }
  if (name === 'null') {
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyValues.some((v) => v.toLowerCase() === String(absent));
  }
  const ifExists = name.endsWith('ifexists');
  if (ifExists) name = name.slice(0, -'ifexists'.length);
  const present = requestValues !== undefined && requestValues.length > 0;
  const negatedOf = NEGATED[name];
  const compare = POSITIVE[negatedOf ?? name];
  if (!compare) throw new UnsupportedConditionError(`condition operator ${operatorName} is not evaluated locally`);
  if (!present) {
    // ForAllValues over no values is true; a missing key satisfies IfExists and negated operators.
    if (set === 'all' || ifExists) return true;
    return negatedOf !== undefined;
  }
  const matchesOne = (r: string) => policyValues.some((p) => compare(p, r));
  if (set === 'all') return requestValues.every((r) => (negatedOf ? !matchesOne(r) : matchesOne(r)));
  if (set === 'any') return requestValues.some((r) => (negatedOf ? !matchesOne(r) : matchesOne(r)));
  // A single-valued key (the requests the engine builds carry one value per key).
  return negatedOf ? !requestValues.some(matchesOne) : requestValues.some(matchesOne);
}
