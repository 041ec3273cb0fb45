/**
 * Which Node runs a function runtime's handlers: the engine's own (worker threads) when the
 * runtime declares the engine's major or no binary of its major is found, otherwise the binary
 * node-binaries.ts finds (a child process per execution environment). Said per runtime on the
 * terminal's start line.
 */
import { findNodeBinary, installHint, runtimeMajor, type NodeBinarySearch } from './node-binaries.ts';

export interface RuntimeNode {
  /** The runtime identifier functions declare, e.g. `nodejs24.x`. */
  readonly runtime: string;
  /** The Node version its handlers run on, e.g. `24.22.3`. */
  readonly version: string;
  /** A worker thread of the engine, or a child process on another binary. */
  readonly environment: 'worker-thread' | 'child-process';
  /** The binary (the engine's own for worker threads). */
  readonly binary: string;
  /** Where the binary was found; `engine` for the engine's own Node. */
  readonly source: string;
  /** The declared major when the handlers run on another one (none was found), and how to get it. */
  readonly missing?: { readonly major: number; readonly hint: string; readonly passedOver: readonly string[] };
}

export function runtimeNode(runtime: string, search: NodeBinarySearch): RuntimeNode {
  const host = { runtime, version: process.versions.node, environment: 'worker-thread', binary: process.execPath, source: 'engine' } as const;
  const major = runtimeMajor(runtime);
  if (major === undefined || major === hostMajor()) return host;
  const found = findNodeBinary(major, search);
  if (!found.binary) return { ...host, missing: { major, hint: installHint(major), passedOver: found.passedOver } };
  return { runtime, version: found.binary.version, environment: 'child-process', binary: found.binary.path, source: found.binary.source };
}

/** One line per runtime: which Node runs it, and how to get the declared one when it is not found. */
export function describeRuntimeNode(node: RuntimeNode): string {
  if (node.missing) {
    const over = node.missing.passedOver.length ? `; passed over ${node.missing.passedOver.join('; ')}` : '';
    return `${node.runtime}: this machine's Node ${node.version} (no Node ${node.missing.major} binary found: ${node.missing.hint}${over})`;
  }
  if (node.environment === 'worker-thread') return `${node.runtime}: Node ${node.version}, the engine's own (worker threads)`;
  return `${node.runtime}: Node ${node.version} from ${node.source} (${node.binary}; a child process per environment)`;
}

export function hostMajor(): number {
  return Number(process.versions.node.split('.')[0]);
}
