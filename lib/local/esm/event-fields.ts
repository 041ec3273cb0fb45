/** Journal fields (event id, correlation id, topic) read from an EventBridge event or a body holding one. */
export interface EventFields {
  readonly eventId?: string;
  readonly correlationId?: string;
  readonly topic?: string;
}

export function eventFields(event: unknown): EventFields {
  let e = event;
  if (typeof e === 'string') {
    try { e = JSON.parse(e); } catch { return {}; }
  }
  if (e === null || typeof e !== 'object') return {};
  const o = e as { id?: unknown; 'detail-type'?: unknown; detail?: { metadata?: { correlationId?: unknown } } };
  return {
    ...(typeof o.id === 'string' ? { eventId: o.id } : {}),
    ...(typeof o['detail-type'] === 'string' ? { topic: o['detail-type'] } : {}),
    ...(typeof o.detail?.metadata?.correlationId === 'string' ? { correlationId: o.detail.metadata.correlationId } : {}),
  };
}
