/**
 * IAM policy documents as templates and resource policies hold them ("IAM JSON policy element
 * reference", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html).
 * A single value may stand where a list is allowed; `asList` reads either.
 */
export type OneOrMany<T> = T | readonly T[];

/** `"*"`, or principals by type: `{ AWS: [...] }`, `{ Service: [...] }`. */
export type PolicyPrincipal = '*' | Readonly<Record<string, OneOrMany<string>>>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: OneOrMany<string>;
  readonly NotAction?: OneOrMany<string>;
  readonly Resource?: OneOrMany<string>;
  readonly NotResource?: OneOrMany<string>;
  readonly Principal?: PolicyPrincipal;
  readonly NotPrincipal?: PolicyPrincipal;
  /** operator → condition key → value(s). */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, OneOrMany<string | boolean | number>>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: OneOrMany<PolicyStatement>;
}

/** A policy with the name it goes by in the template (for messages: which policy denied). */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

export function asList<T>(value: OneOrMany<T> | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value as readonly T[] : [value as T];
}
