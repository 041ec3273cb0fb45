/**
 * A JSON payload editor validated against its topic's newest schema as you type (the server
 * checks it with the same validator `busline publish` uses): the problems, field by field.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { api } from './api.ts';

export type Parsed = { ok: true; data: unknown } | { ok: false };

export function PayloadEditor(props: { topic: string; text: string; onText: (text: string) => void; onValid: (valid: boolean) => void; label: string }) {
  const [problems, setProblems] = useState<string[]>([]);
  useEffect(() => {
    let data: unknown;
    try { data = JSON.parse(props.text); } catch (e) { setProblems([`not JSON: ${(e as Error).message}`]); props.onValid(false); return; }
    let current = true;
    const timer = setTimeout(() => {
      api.validate(props.topic, data).then((r) => { if (current) { setProblems(r.problems); props.onValid(r.valid); } })
        .catch((e: Error) => { if (current) { setProblems([e.message]); props.onValid(false); } });
    }, 150);
    return () => { current = false; clearTimeout(timer); };
  }, [props.topic, props.text]);
  return html`
    <textarea aria-label=${props.label} rows="6" value=${props.text} onInput=${(e: Event) => props.onText((e.target as HTMLTextAreaElement).value)}></textarea>
    <div class="problems" aria-label="problems">${problems.map((p) => html`<div>${p}</div>`)}</div>`;
}
