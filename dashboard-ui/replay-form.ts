/** Replay from the archive: a time range, to every rule or one subscription. */
import { useState } from 'preact/hooks';
import { html } from './html.ts';
import { api, type SubscriptionView } from './api.ts';

export function ReplayForm(props: { subscriptions: SubscriptionView[]; hasArchive: boolean }) {
  const [from, setFrom] = useState('15m');
  const [to, setTo] = useState('now');
  const [subscription, setSubscription] = useState('');
  const [note, setNote] = useState('');
  if (!props.hasArchive) return html`<section><h2>Replay</h2><p class="muted">The bus has no archive to replay from.</p></section>`;
  const submit = (e: Event): void => {
    e.preventDefault();
    api.replay(from, to, subscription || undefined).then((r) => setNote(`replay ${r.replayName} started`)).catch((err: Error) => setNote(err.message));
  };
  return html`
    <section aria-label="replay">
      <h2>Replay</h2>
      <form class="row" onSubmit=${submit}>
        <label>from <input aria-label="from" value=${from} onInput=${(e: Event) => setFrom((e.target as HTMLInputElement).value)} size="22" /></label>
        <label>to <input aria-label="to" value=${to} onInput=${(e: Event) => setTo((e.target as HTMLInputElement).value)} size="22" /></label>
        <label>to <select aria-label="replay subscription" value=${subscription} onChange=${(e: Event) => setSubscription((e.target as HTMLSelectElement).value)}>
          <option value="">every rule</option>${props.subscriptions.map((s) => html`<option value=${s.name}>${s.name}</option>`)}</select></label>
        <button type="submit">Replay</button>
      </form>
      <p class="muted">${note}</p>
    </section>`;
}
