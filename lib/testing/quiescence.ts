/**
 * When a flow on virtual time may move its clock: once the work the last step started has
 * finished. The engine works on I/O (handlers in their execution environments, their calls over the wire,
 * store and journal writes), so "finished" is observed, not known: no invocation runs, no
 * invocation is journaled as started and not finished, and nothing new was journaled or logged
 * over a few turns of the event loop. A poller waiting on a long poll, a message waiting out
 * its visibility timeout or delay, and a retry waiting for its backoff wait on the clock, not
 * on I/O: they do not count as work.
 */

/** What the check reads from the running flow. */
export interface WorkProbe {
  /** True while something runs that will finish without the clock moving (an invocation). */
  busy(): boolean;
  /** A number that grows with every step the flow takes (journal records and log lines written). */
  progress(): number;
}

/** Consecutive quiet looks before the flow counts as quiet. */
const QUIET_LOOKS = 3;

/** Resolves once the flow has been quiet (not busy, no progress) for a few event-loop turns. */
export async function untilQuiet(probe: WorkProbe): Promise<void> {
  let quietLooks = 0;
  let last = probe.progress();
  while (quietLooks < QUIET_LOOKS) {
    // setImmediate: every pending promise reaction runs first; the 1 ms timer lets I/O
    // callbacks (a worker's message, a socket, a file write) come in between.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const now = probe.progress();
    if (!probe.busy() && now === last) quietLooks++;
    else quietLooks = 0;
    last = now;
  }
}
