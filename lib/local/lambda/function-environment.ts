/**
 * The process environment a function's worker sees: the template's variables plus what the
 * Lambda runtime sets, with the AWS SDK pointed at the local engine (AWS_ENDPOINT_URL, which
 * SDK v3 honours for every client) and credentials of its own (iam/caller.ts).
 */
import type { LocalFunction } from '../assembly/app-model.ts';
import { functionAccessKeyId } from '../iam/caller.ts';

export interface EngineCoordinates {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
}

export function functionEnvironment(fn: LocalFunction, engine: EngineCoordinates, codeDir: string): Record<string, string> {
  return {
    // The template's variables first: Lambda rejects reserved names in templates, and the
    // runtime's values below win, as they do on AWS.
    ...fn.environment,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_ENDPOINT_URL: engine.endpoint,
    AWS_REGION: engine.region,
    AWS_DEFAULT_REGION: engine.region,
    // Credentials of its own: the engine maps the key back to this function and its role (IAM).
    AWS_ACCESS_KEY_ID: functionAccessKeyId(fn.name),
    AWS_SECRET_ACCESS_KEY: 'busline-local',
    AWS_SESSION_TOKEN: 'busline-local',
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${fn.logicalId}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime || 'nodejs'}`,
    LAMBDA_TASK_ROOT: codeDir,
    _HANDLER: fn.handler,
    // Functions may run on the host's Node (20 here) when their runtime's is not found
    // (runtime-node.ts); the SDK's warning about old Node versions would fill every function's
    // log with noise Lambda never shows.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
