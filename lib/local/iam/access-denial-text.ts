/** How the engine's log and the CLI put IAM denials and modes into words. */
import type { AccessDenial, IamMode } from './iam-authorizer.ts';

/** One log line per denial: what was refused (or would be), to whom, what was missing, the fix. */
export function formatAccessDenial(denial: Pick<AccessDenial, 'enforced' | 'message' | 'missing' | 'fix'>): string {
  const verdict = denial.enforced ? 'AccessDenied' : 'would be denied (--iam warn: let through)';
  return `busline iam: ${verdict}: ${denial.message}\n  missing: ${denial.missing}\n  fix: ${denial.fix}`;
}

/** The line printed at start when IAM is not enforced (none for `enforce`). */
export function iamModeNotice(mode: IamMode): string | undefined {
  if (mode === 'off') return 'busline: IAM IS OFF (--iam off): every call is allowed and the template\'s policies are not checked; on AWS they will be.';
  if (mode === 'warn') return 'busline: IAM in warn mode (--iam warn): calls the template\'s policies do not allow are reported (journal: access.denied) and let through.';
  return undefined;
}
