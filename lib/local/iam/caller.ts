/**
 * Who makes a request. Each function gets credentials of its own (function-environment.ts): an
 * access key id derived from its name, which the engine maps back to the function and its
 * execution role, as AWS maps a Lambda's temporary credentials to
 * `arn:aws:sts::<account>:assumed-role/<role>/<function>`. Requests signed with any other key
 * (the CLI, a developer's SDK) come from outside the flow.
 */
import { createHash } from 'node:crypto';

export interface Caller {
  /** The ARN IAM would name in a message: an assumed-role session, the root user, or a service. */
  readonly arn: string;
  /** Short name for people and filters: the function's name, a role's name, `administrator`. */
  readonly name: string;
  /** The role whose identity policies apply (absent for the administrator and services). */
  readonly roleArn?: string;
  /** The account's administrator: every action is allowed by its identity policy. */
  readonly administrator?: true;
  /** A service principal (`events.amazonaws.com`). */
  readonly service?: string;
}

/**
 * The access key id of a function's local credentials: `ASIA` (AWS's prefix for temporary
 * credentials, which a Lambda's are) and 16 characters of a hash of the function name.
 */
export function functionAccessKeyId(functionName: string): string {
  const digest = createHash('sha256').update(functionName).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let key = 'ASIA';
  for (let i = 0; i < 16; i++) key += alphabet[digest[i]! % 32];
  return key;
}

/**
 * The access key id a request was signed with: the `Credential=<key>/<date>/…` of a SigV4
 * Authorization header, or a presigned URL's `X-Amz-Credential`.
 */
export function accessKeyIdOf(authorization: string | undefined, url: string | undefined): string | undefined {
  const header = authorization ? /Credential=([^/,\s]+)\//.exec(authorization) : null;
  if (header) return header[1];
  if (!url) return undefined;
  const credential = new URL(url, 'http://127.0.0.1').searchParams.get('X-Amz-Credential');
  return credential ? credential.split('/')[0] : undefined;
}

export function administrator(account: string): Caller {
  return { arn: `arn:aws:iam::${account}:root`, name: 'administrator', administrator: true };
}

export function assumedRole(account: string, roleArn: string, sessionName: string): Caller {
  const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
  return { arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`, name: sessionName, roleArn };
}

export function servicePrincipal(service: string): Caller {
  return { arn: service, name: service, service };
}

/** Whether a journal record's principal is the one a filter names (ARN, role, function, `administrator`). */
export function principalMatches(recorded: string | undefined, wanted: string): boolean {
  if (recorded === undefined) return false;
  if (recorded === wanted) return true;
  const w = wanted.toLowerCase();
  if (w === 'administrator' || w === 'admin') return recorded.endsWith(':root');
  // arn:aws:sts::<account>:assumed-role/<role>/<session>, arn:aws:iam::<account>:role/<role>
  const parts = recorded.slice(recorded.lastIndexOf(':') + 1).split('/').slice(1).map((p) => p.toLowerCase());
  return parts.includes(w);
}
