/** Journal fields (event id, correlation id, topic) read from an EventBridge event or a body holding one. */
export interface EventFields {
  readonly eventId?: string;
  readonly correlationId?: string;
  readonly topic?: string;
}

export function eventFields(event: unknown): EventFields {
  return readEvent(event).fields;
}

/**
 * The journal fields plus the Busline envelope's own id (`detail.metadata.id`), from one
 * parse of the body. Handlers log the envelope id (the runtime's `eventId` log field), not
 * EventBridge's event id, so it is what ties a log line to its message.
 */
export function readEvent(event: unknown): { readonly fields: EventFields; readonly envelopeId?: string } {
  let e = event;
  if (typeof e === 'string') {
    try { e = JSON.parse(e); } catch { return { fields: {} }; }
  }
  if (e === null || typeof e !== 'object') return { fields: {} };
  const o = e as { id?: unknown; 'detail-type'?: unknown; detail?: { metadata?: { correlationId?: unknown; id?: unknown } } };
  const metadata = o.detail?.metadata;
  return {
    fields: {
      ...(typeof o.id === 'string' ? { eventId: o.id } : {}),
      ...(typeof o['detail-type'] === 'string' ? { topic: o['detail-type'] } : {}),
      ...(typeof metadata?.correlationId === 'string' ? { correlationId: metadata.correlationId } : {}),
    },
    ...(typeof metadata?.id === 'string' && metadata.id.length > 0 ? { envelopeId: metadata.id } : {}),
  };
}
