/**
 * The engine's chaos mode: decides, stream by stream, whether a fault strikes an opportunity
 * (a send, a receive, an invocation, a request), and records each fault it injects in the
 * journal as a `chaos.fault`. The places that inject (SQS, EventBridge, DynamoDB, the function
 * runner, event source mappings) ask it; see docs/chaos.md.
 */
import type { ChaosFaultRecord, JournalEntry } from '../journal/types.ts';
import { CHAOS_FAULT_FIELDS, type ChaosFaultKind, type ChaosProfile } from './profile.ts';
import { mulberry32, streamSeed } from './prng.ts';

/** A chaos.fault record before the journal stamps it (kind and seed are added here). */
export type ChaosFaultEntry = Omit<ChaosFaultRecord, 'seq' | 'at' | 'kind' | 'seed'>;

export class Chaos {
  private readonly streams = new Map<string, () => number>();

  constructor(
    readonly profile: ChaosProfile,
    private readonly append: (entry: JournalEntry) => void,
  ) {}

  /**
   * Whether `fault` strikes this opportunity at `where` (a queue, function, target or table
   * name): a draw from the stream of that fault at that place, below the profile's probability.
   * A fault whose probability is 0 or unset draws nothing.
   */
  strikes(fault: ChaosFaultKind, where: string): boolean {
    const p = this.profile[CHAOS_FAULT_FIELDS[fault]] ?? 0;
    if (p <= 0) return false;
    return this.draw(fault, where) < p;
  }

  /** The next number in [0, 1) of the stream of `fault` at `where` (to choose how a fault strikes). */
  draw(fault: ChaosFaultKind, where: string): number {
    const name = `${fault}\n${where}`;
    let next = this.streams.get(name);
    if (!next) {
      next = mulberry32(streamSeed(this.profile.seed, name));
      this.streams.set(name, next);
    }
    return next();
  }

  /** The profile's delay of a delayed delivery, in ms. */
  get delayMs(): number {
    return this.profile.delayMs ?? DEFAULT_DELAY_MS;
  }

  /** Journals an injected fault. */
  record(entry: ChaosFaultEntry): void {
    this.append({ kind: 'chaos.fault', seed: this.profile.seed, ...entry });
  }
}

/** How long a delayed message waits when the profile does not say. */
export const DEFAULT_DELAY_MS = 1000;
