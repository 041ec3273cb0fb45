/** Errors of the flow test harness. */

/**
 * A wait of the harness (`waitForHandled`, `settled`) ran out of time. The message lists what
 * did happen — the lineage recorded so far — and what was still pending.
 */
export class FlowTimeoutError extends Error {
  override readonly name = 'FlowTimeoutError';
}

/** The flow could not be started: the source is neither a Stack, an App nor an assembly folder, or synth failed. */
export class FlowStartError extends Error {
  override readonly name = 'FlowStartError';
}
