/**
 * Events: the live list (filled from /api/events, then from the server-sent `event`s of
 * /api/stream), searchable by topic, id, correlation id, text in the data and a data field
 * (`data.<path>=<value>`, as `busline events --where` takes it); the selected
 * event's lineage from its first event: every step with its time (rules matched or not and
 * why, deliveries, attempts with duration and outcome, the handler's log lines), and the
 * events it caused, each one click away.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { api, type EventSummary, type LineageTree } from './api.ts';
import { dataFieldAt, dataFieldText, parseDataFieldFilter } from '../lib/cli/data-field.ts';

export interface Search { topic: string; id: string; correlationId: string; text: string; where: string }

/** Whether the event's data has the field `data.<path>=<value>` names; a malformed filter matches nothing. */
function meetsWhere(e: EventSummary, where: string): boolean {
  try {
    const filter = parseDataFieldFilter(where);
    return dataFieldText(dataFieldAt(e.data, filter.path)) === filter.equals;
  } catch {
    return false;
  }
}

export function matchesSearch(e: EventSummary, s: Search): boolean {
  return (!s.topic || e.topic === s.topic) && (!s.id || e.id === s.id || e.eventId === s.id)
    && (!s.correlationId || e.correlationId === s.correlationId)
    && (!s.text || JSON.stringify(e.data ?? null).toLowerCase().includes(s.text.toLowerCase()))
    && (!s.where || meetsWhere(e, s.where));
}

export function EventList(props: { topics: string[]; live: EventSummary[]; selected?: string; onSelect: (id: string) => void }) {
  const [search, setSearch] = useState<Search>({ topic: '', id: '', correlationId: '', text: '', where: '' });
  const [found, setFound] = useState<EventSummary[]>([]);
  useEffect(() => {
    const s = Object.fromEntries(Object.entries(search).filter((e) => e[1])) as Partial<Search>;
    api.events(s).then((r) => setFound(r.events)).catch(() => setFound([]));
  }, [search]);
  const known = new Set(found.map((e) => `${e.eventId}@${e.at}`));
  const fresh = props.live.filter((e) => matchesSearch(e, search) && !known.has(`${e.eventId}@${e.at}`));
  const events = [...fresh, ...found];
  const field = (name: keyof Search, placeholder: string) => html`
    <input aria-label=${placeholder} placeholder=${placeholder} value=${search[name]} onInput=${(e: Event) => setSearch({ ...search, [name]: (e.target as HTMLInputElement).value })} />`;
  return html`
    <section>
      <h2>Events <span class="muted">(live)</span></h2>
      <div class="row">
        <select aria-label="topic filter" value=${search.topic} onChange=${(e: Event) => setSearch({ ...search, topic: (e.target as HTMLSelectElement).value })}>
          <option value="">every topic</option>
          ${props.topics.map((t) => html`<option value=${t}>${t}</option>`)}
        </select>
        ${field('id', 'id')} ${field('correlationId', 'correlation id')} ${field('text', 'text in data')} ${field('where', 'data.field=value')}
      </div>
      <ul class="events" aria-label="events">
        ${events.length === 0 ? html`<li class="muted">no events${Object.values(search).some(Boolean) ? ' match' : ' yet'}</li>` : ''}
        ${events.map((e) => html`
          <li data-event=${e.id} class=${props.selected === e.id ? 'selected' : ''} onClick=${() => props.onSelect(e.id)}>
            <span class="mono muted">${e.at.slice(11, 23)}</span>
            <strong>${e.topic ?? '(no detail-type)'}</strong>
            <span class="mono">${e.id}</span>
            ${e.replayName ? html`<span class="muted">replay</span>` : ''}
          </li>`)}
      </ul>
    </section>`;
}

function Tree(props: { tree: LineageTree; selected: string; onSelect: (id: string) => void }) {
  const { tree } = props;
  const e = tree.event;
  return html`
    <div class="lineage-event" data-lineage=${e.id}>
      <div>
        <a href="#" onClick=${(ev: Event) => { ev.preventDefault(); props.onSelect(e.id); }}><strong>${e.topic ?? '(no detail-type)'}</strong></a>
        <span class="mono"> id=${e.id}</span> <span class="muted mono">${e.at.slice(11, 23)}</span>
        ${e.id === props.selected ? html` <span class="muted">(selected)</span>` : ''}
      </div>
      <details open=${e.id === props.selected}><summary class="muted">data</summary><pre class="mono">${JSON.stringify(e.data, null, 2)}</pre></details>
      ${tree.steps.map((s) => html`
        <div class="step ${s.text.startsWith('✗') ? 'bad' : s.text.startsWith('✓') ? 'ok' : ''}" data-step=${s.kind}>${s.at.slice(11, 23)} ${s.text}</div>
        ${(s.logs ?? []).map((l) => html`<div class="step log">| ${l}</div>`)}`)}
      ${tree.caused.length ? html`<div class="tree">${tree.caused.map((c) => html`<${Tree} tree=${c} selected=${props.selected} onSelect=${props.onSelect} />`)}</div>` : ''}
    </div>`;
}

/** The selected event's lineage, refreshed as the journal grows (`version` changes). */
export function LineageView(props: { id?: string; version: number; onSelect: (id: string) => void }) {
  const [tree, setTree] = useState<LineageTree | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    if (!props.id) return;
    api.lineage(props.id).then((t) => { setTree(t); setError(''); }).catch((e: Error) => setError(e.message));
  }, [props.id, props.version]);
  return html`
    <section aria-label="lineage">
      <h2>Lineage and timeline</h2>
      ${!props.id ? html`<p class="muted">Select an event to see what it caused.</p>` : error ? html`<p class="bad">${error}</p>`
        : tree ? html`<${Tree} tree=${tree} selected=${props.id} onSelect=${props.onSelect} />` : html`<p class="muted">…</p>`}
    </section>`;
}
