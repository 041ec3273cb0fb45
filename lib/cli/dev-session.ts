/**
 * How the other commands find a running `busline dev`: it writes `<state>/dev.json` with the
 * endpoint and the assembly it runs; `--endpoint` or BUSLINE_ENDPOINT override the endpoint.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DevSession {
  readonly endpoint: string;
  readonly pid: number;
  /** Absolute path of the cloud assembly the engine runs. */
  readonly assemblyDir: string;
  /** The CDK app's working directory (schemas paths in the flow manifest are relative to it). */
  readonly projectDir: string;
  readonly stateDir: string;
  readonly startedAt: string;
}

export const DEFAULT_STATE_DIR = '.busline';
export const DEFAULT_PORT = 4747;

export function writeDevSession(session: DevSession): void {
  writeFileSync(join(session.stateDir, 'dev.json'), `${JSON.stringify(session, null, 2)}\n`);
}

export class NoDevSessionError extends Error {
  override readonly name = 'NoDevSessionError';
}

/** Reads the session of `busline dev` for this state folder. */
export function readDevSession(stateDir: string): DevSession {
  const file = join(resolve(stateDir), 'dev.json');
  if (!existsSync(file)) {
    throw new NoDevSessionError(
      `no engine found for state folder ${resolve(stateDir)}: start one with \`busline dev\` (or \`npm start\`) in another terminal, or pass --state <folder>`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as DevSession;
}

/** Endpoint precedence: --endpoint > BUSLINE_ENDPOINT > the running dev session. */
export function resolveEndpoint(explicit: string | undefined, stateDir: string): string {
  return explicit ?? process.env.BUSLINE_ENDPOINT ?? readDevSession(stateDir).endpoint;
}
