/**
 * The options every flow command takes to choose its target, and opening that target:
 * `--stack <name>` (with `--profile`, `--region`, `--endpoint-url`) works on a deployed stack;
 * without it, the running local engine (`--state`, `--endpoint`).
 */
import { DEFAULT_STATE_DIR } from './dev-session.ts';
import type { FlowTarget } from './flow-target.ts';
import { openLocalTarget } from './local-flow-target.ts';
import { openStackTarget } from './stack-flow-target.ts';

export const TARGET_OPTIONS = {
  stack: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  state: { type: 'string', default: DEFAULT_STATE_DIR },
  endpoint: { type: 'string' },
} as const;

export const TARGET_HELP = `  target: --stack <name> [--profile <p>] [--region <r>] [--endpoint-url <url>]   a deployed stack
            (the standard AWS credential chain: AWS_* variables, ~/.aws files, SSO, roles)
          otherwise the running engine: [--state .busline] [--endpoint <url>]`;

export interface TargetValues {
  readonly stack?: string | undefined;
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  readonly 'endpoint-url'?: string | undefined;
  readonly state?: string | undefined;
  readonly endpoint?: string | undefined;
}

export class TargetOptionsError extends Error {
  override readonly name = 'TargetOptionsError';
}

export async function openFlowTarget(values: TargetValues): Promise<FlowTarget> {
  if (values.stack !== undefined) {
    if (values.endpoint !== undefined) throw new TargetOptionsError('--endpoint is the local engine\'s; with --stack use --endpoint-url');
    return openStackTarget({
      stackName: values.stack,
      ...(values.region ? { region: values.region } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values['endpoint-url'] ? { endpoint: values['endpoint-url'] } : {}),
    });
  }
  const stackOnly = (['profile', 'region', 'endpoint-url'] as const).filter((k) => values[k] !== undefined);
  if (stackOnly.length > 0) throw new TargetOptionsError(`${stackOnly.map((k) => `--${k}`).join(', ')} need --stack <name> (without it, commands work on the local engine)`);
  return openLocalTarget({ stateDir: values.state ?? DEFAULT_STATE_DIR, ...(values.endpoint ? { endpoint: values.endpoint } : {}) });
}
