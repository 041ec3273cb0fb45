/**
 * The two kinds of execution environment the engine runs a function in, each named by the
 * runtime that leads to it on this machine: the engine's own Node major (a worker thread), and
 * Node 24 from this repository's devDependency node-24 (a child process; the engine's Node is
 * older: package.json's engines floor, 20, in CI).
 */
import type { RuntimeNode } from '../../../lib/local/lambda/runtime-node.ts';
import { hostMajor } from '../../../lib/local/lambda/runtime-node.ts';

export interface EnvironmentKind {
  readonly kind: string;
  readonly runtime: string;
  readonly major: number;
  readonly environment: RuntimeNode['environment'];
}

/** The Node major of the devDependency node-24, the one the child-process kind runs on. */
export const CHILD_MAJOR = 24;

if (hostMajor() === CHILD_MAJOR) {
  throw new Error(`these tests run the engine on a Node other than ${CHILD_MAJOR} (the child-process environments' Node): run them on the machine's Node 20, not ${process.version}`);
}

export const ENVIRONMENT_KINDS: readonly EnvironmentKind[] = [
  { kind: "worker thread (the engine's own Node)", runtime: `nodejs${hostMajor()}.x`, major: hostMajor(), environment: 'worker-thread' },
  { kind: `child process (Node ${CHILD_MAJOR} from node_modules/node-${CHILD_MAJOR})`, runtime: `nodejs${CHILD_MAJOR}.x`, major: CHILD_MAJOR, environment: 'child-process' },
];
