/**
 * The Busline dashboard page: the flow graph with live counters, the live event list and the
 * selected event's lineage, the dead-letter workbench, publish and replay. Live data arrives
 * as server-sent events from /api/stream; everything else is the JSON API.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { api, type Counters, type EventSummary, type FlowDescription, type Status } from './api.ts';
import { FlowGraph } from './flow-graph.ts';
import { EventList, LineageView } from './events-view.ts';
import { PublishForm } from './publish-form.ts';
import { DeadLetterWorkbench } from './dead-letter-workbench.ts';
import { ReplayForm } from './replay-form.ts';

const LIVE_EVENTS = 200;

function App() {
  const [flow, setFlow] = useState<FlowDescription | undefined>();
  const [error, setError] = useState('');
  const [counters, setCounters] = useState<Record<string, Counters>>({});
  const [status, setStatus] = useState<Status[]>([]);
  const [live, setLive] = useState<EventSummary[]>([]);
  const [selected, setSelected] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    api.flow().then(setFlow).catch((e: Error) => setError(e.message));
    const source = new EventSource('/api/stream');
    source.addEventListener('event', (m) => setLive((l) => [JSON.parse((m as MessageEvent<string>).data) as EventSummary, ...l].slice(0, LIVE_EVENTS)));
    source.addEventListener('counters', (m) => {
      setCounters(JSON.parse((m as MessageEvent<string>).data) as Record<string, Counters>);
      setVersion((v) => v + 1);
      api.status().then((s) => setStatus(s.subscriptions)).catch(() => undefined);
    });
    return () => source.close();
  }, []);
  if (error) return html`<p class="bad" style="padding:16px">${error}</p>`;
  if (!flow) return html`<p style="padding:16px">Loading…</p>`;
  const topics = flow.flows.flatMap((f) => f.topics.map((t) => t.name));
  const subscriptions = flow.flows.flatMap((f) => f.subscriptions);
  return html`
    <header><h1>Busline</h1><span class="muted">${flow.flows.map((f) => `flow ${f.flow} on ${f.busName}`).join(' · ')}</span><span class="muted">${flow.target}</span></header>
    <main>
      <section class="wide" aria-label="flow graph"><h2>Flow</h2><${FlowGraph} flow=${flow} counters=${counters} status=${status} /></section>
      <${EventList} topics=${topics} live=${live} selected=${selected} onSelect=${setSelected} />
      <${LineageView} id=${selected} version=${version} onSelect=${setSelected} />
      <${PublishForm} topics=${topics} onPublished=${setSelected} />
      <${DeadLetterWorkbench} subscriptions=${subscriptions} version=${version} onOpenEvent=${setSelected} />
      <${ReplayForm} subscriptions=${subscriptions} hasArchive=${flow.flows.some((f) => f.archive)} />
    </main>`;
}

render(html`<${App} />`, document.getElementById('app')!);
