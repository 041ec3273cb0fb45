/**
 * Publish: a form per topic made from its schema (one field per property: text, number,
 * checkbox or a choice for enums), the payload it makes shown and editable as JSON, validated
 * as you type; publishing opens the event's lineage.
 */
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';
import { api, type JsonSchema } from './api.ts';
import { PayloadEditor } from './payload-editor.ts';

function initial(schema: JsonSchema): Record<string, unknown> {
  const example = schema.examples?.[0];
  if (example && typeof example === 'object') return example as Record<string, unknown>;
  return {};
}

export function PublishForm(props: { topics: string[]; onPublished: (id: string) => void }) {
  const [topic, setTopic] = useState(props.topics[0] ?? '');
  const [schema, setSchema] = useState<JsonSchema | undefined>();
  const [text, setText] = useState('{}');
  const [valid, setValid] = useState(false);
  const [result, setResult] = useState('');
  useEffect(() => {
    if (!topic) return;
    api.schema(topic).then((s) => { setSchema(s.schema); setText(JSON.stringify(initial(s.schema), null, 2)); }).catch((e: Error) => setResult(e.message));
  }, [topic]);
  let data: Record<string, unknown> = {};
  try { const v: unknown = JSON.parse(text); if (v && typeof v === 'object' && !Array.isArray(v)) data = v as Record<string, unknown>; } catch { /* the editor shows it */ }
  const set = (name: string, value: unknown): void => {
    const next = { ...data };
    if (value === '' || value === undefined) delete next[name]; else next[name] = value;
    setText(JSON.stringify(next, null, 2));
  };
  const field = (name: string, p: JsonSchema) => {
    const required = schema?.required?.includes(name);
    const label = `${name}${required ? ' *' : ''}`;
    if (p.enum) {
      return html`<label>${label} <select name=${name} value=${String(data[name] ?? '')} onChange=${(e: Event) => set(name, (e.target as HTMLSelectElement).value)}>
        <option value=""></option>${p.enum.map((v) => html`<option value=${String(v)}>${String(v)}</option>`)}</select></label>`;
    }
    if (p.type === 'boolean') return html`<label><input type="checkbox" name=${name} checked=${data[name] === true} onChange=${(e: Event) => set(name, (e.target as HTMLInputElement).checked)} /> ${label}</label>`;
    if (p.type === 'integer' || p.type === 'number') {
      return html`<label>${label} <input type="number" name=${name} value=${data[name] === undefined ? '' : String(data[name])}
        onInput=${(e: Event) => { const v = (e.target as HTMLInputElement).value; set(name, v === '' ? undefined : Number(v)); }} /></label>`;
    }
    if (p.type === 'string') return html`<label>${label} <input name=${name} value=${typeof data[name] === 'string' ? data[name] : ''} onInput=${(e: Event) => set(name, (e.target as HTMLInputElement).value)} /></label>`;
    return html`<label class="muted">${label}: edit it in the JSON below (${p.type ?? 'any'})</label>`;
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const published = await api.publish(topic, JSON.parse(text));
      setResult(`published ${topic} id=${published.id}`);
      props.onPublished(published.id);
    } catch (error) {
      setResult((error as Error).message);
    }
  };
  return html`
    <section aria-label="publish">
      <h2>Publish</h2>
      <form onSubmit=${submit}>
        <label>topic <select aria-label="topic" value=${topic} onChange=${(e: Event) => setTopic((e.target as HTMLSelectElement).value)}>
          ${props.topics.map((t) => html`<option value=${t}>${t}</option>`)}</select></label>
        ${schema?.description ? html`<p class="muted">${schema.description}</p>` : ''}
        ${Object.entries(schema?.properties ?? {}).map(([name, p]) => field(name, p))}
        <${PayloadEditor} topic=${topic} text=${text} onText=${setText} onValid=${setValid} label="payload" />
        <button type="submit" disabled=${!valid}>Publish</button> <span class="muted" aria-label="publish result">${result}</span>
      </form>
    </section>`;
}
