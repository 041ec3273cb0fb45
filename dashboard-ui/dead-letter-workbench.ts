/**
 * The DLQ workbench, per subscription: each dead letter with its reason, attempts, earlier
 * redrives and original event (its lineage one click away); open one to edit its payload
 * (validated against the topic's schema as you type) and redrive it alone, or redrive a
 * selection or all, at a rate, back to the original subscription.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { api, type DeadLetter, type SubscriptionView } from './api.ts';
import { PayloadEditor } from './payload-editor.ts';

export function DeadLetterWorkbench(props: { subscriptions: SubscriptionView[]; version: number; onOpenEvent: (id: string) => void }) {
  const withDlq = props.subscriptions.filter((s) => s.dlq);
  const [name, setName] = useState(withDlq[0]?.name ?? '');
  const [letters, setLetters] = useState<DeadLetter[]>([]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<DeadLetter | undefined>();
  const [text, setText] = useState('');
  const [valid, setValid] = useState(false);
  const [rate, setRate] = useState(5);
  const [note, setNote] = useState('');
  const sub = withDlq.find((s) => s.name === name);
  useEffect(() => {
    if (!name) return;
    api.deadLetters(name).then((r) => setLetters(r.messages)).catch((e: Error) => setNote(e.message));
  }, [name, props.version]);
  const topicOf = (l: DeadLetter): string => l.topic ?? sub?.topics[0] ?? '';
  const run = async (what: string, action: () => Promise<{ redriven?: number }>): Promise<void> => {
    try {
      const r = await action();
      setNote(`${what}: ${r.redriven ?? 'started'} redriven to ${name}`);
      setOpen(undefined); setPicked(new Set());
    } catch (e) {
      setNote((e as Error).message);
    }
  };
  if (withDlq.length === 0) return html`<section><h2>Dead letters</h2><p class="muted">No subscription has a dead-letter queue.</p></section>`;
  return html`
    <section aria-label="dead letters">
      <h2>Dead letters</h2>
      <div class="row">
        <label>subscription <select aria-label="dead-letter subscription" value=${name} onChange=${(e: Event) => { setName((e.target as HTMLSelectElement).value); setOpen(undefined); }}>
          ${withDlq.map((s) => html`<option value=${s.name}>${s.name}</option>`)}</select></label>
        <label>rate <input type="number" min="1" max="500" aria-label="rate" value=${rate} onInput=${(e: Event) => setRate(Number((e.target as HTMLInputElement).value) || 1)} /> /s</label>
        <button class="quiet" disabled=${picked.size === 0} onClick=${() => run('selection', () => api.redrive(name, [...picked], undefined, rate))}>Redrive selected (${picked.size})</button>
        <button class="quiet" disabled=${letters.length === 0} onClick=${() => run('all', () => api.redrive(name, undefined, undefined, rate))}>Redrive all</button>
      </div>
      <p class="muted" aria-label="workbench note">${note}</p>
      ${letters.length === 0 ? html`<p class="muted">${sub?.dlq} is empty.</p>` : ''}
      ${letters.map((l) => html`
        <div class="letter" data-letter=${l.messageId} data-event=${l.eventId ?? ''}>
          <div class="row">
            <input type="checkbox" aria-label="select ${l.messageId}" checked=${picked.has(l.messageId)}
              onChange=${(e: Event) => { const next = new Set(picked); if ((e.target as HTMLInputElement).checked) next.add(l.messageId); else next.delete(l.messageId); setPicked(next); }} />
            <strong>${l.topic ?? '?'}</strong> <span class="mono">${l.eventId ?? l.messageId}</span> <span class="muted">${l.kind}</span>
            ${l.eventId ? html`<a href="#" onClick=${(e: Event) => { e.preventDefault(); props.onOpenEvent(l.eventId!); }}>lineage</a>` : ''}
            <button class="quiet" onClick=${() => { setOpen(l); setText(JSON.stringify(l.event?.detail?.data ?? null, null, 2)); }}>Open</button>
          </div>
          <div class="bad" data-reason>${l.reason}${l.attempts !== undefined ? ` (attempts: ${l.attempts})` : ''}</div>
          ${l.history.map((h) => html`<div class="muted">earlier: ${h.kind}: ${h.reason}, redriven ${h.redrivenAt}</div>`)}
          ${open?.messageId === l.messageId ? html`
            <div>
              <${PayloadEditor} topic=${topicOf(l)} text=${text} onText=${setText} onValid=${setValid} label="dead letter payload" />
              <button disabled=${!valid} onClick=${() => run('edited', async () => { await api.redrive(name, [l.messageId], JSON.parse(text)); return { redriven: 1 }; }).then(() => l.eventId && props.onOpenEvent(l.eventId))}>Redrive edited</button>
              <button class="quiet" onClick=${() => setOpen(undefined)}>Close</button>
            </div>` : ''}
        </div>`)}
    </section>`;
}
