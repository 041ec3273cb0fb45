/**
 * `busline check --against-archive`: replayed history is where schema breaks bite, so the
 * events the local engine archived (`<stateDir>/archive/<bus>.jsonl`, one `{"event": {...}}`
 * a line) are validated against the schemas as they are now:
 *   - each event against the schema of the version it carries (metadata.schemaVersion), which
 *     catches a published version edited in place;
 *   - each event of an earlier version that subscribers on the latest accept by default,
 *     against the latest, which catches what the structural diff could not prove.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { acceptedVersions } from './compatibility.ts';
import type { TopicSchemas } from './schema-set.ts';
import { newAjv } from './validator-codegen.ts';

export class ArchiveReadError extends Error {
  override readonly name = 'ArchiveReadError';
}

export interface ArchivedEvent {
  /** Archive file and line, for messages. */
  readonly where: string;
  readonly id: string;
  readonly topic: string;
  readonly version?: number;
  readonly data: unknown;
}

/** Reads every `*.jsonl` archive file in `dir`; events without a Busline envelope are skipped. */
export function readArchivedEvents(dir: string): ArchivedEvent[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ArchiveReadError(`archive folder ${dir} does not exist: run the flow with \`busline dev\` first, or pass --archive-dir <stateDir>/archive`);
  }
  const events: ArchivedEvent[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let record: { event?: { id?: unknown; 'detail-type'?: unknown; detail?: unknown } };
      try {
        record = JSON.parse(line);
      } catch {
        return; // a torn last line after a crash: the engine ignores it too
      }
      const e = record.event;
      if (!e || typeof e['detail-type'] !== 'string') return;
      const detail = typeof e.detail === 'string' ? safeParse(e.detail) : e.detail;
      if (typeof detail !== 'object' || detail === null || !('data' in detail)) return;
      const metadata = (detail as { metadata?: { schemaVersion?: unknown; id?: unknown } }).metadata;
      const version = typeof metadata?.schemaVersion === 'number' ? metadata.schemaVersion : undefined;
      const id = typeof metadata?.id === 'string' ? metadata.id : String(e.id);
      events.push({ where: `${name}:${i + 1}`, id, topic: e['detail-type'], ...(version !== undefined ? { version } : {}), data: (detail as { data: unknown }).data });
    });
  }
  return events;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface ArchiveFinding {
  readonly topic: string;
  readonly message: string;
}

/** At most this many event ids are named per finding; the count says how many there were. */
const IDS_SHOWN = 3;

/**
 * Validates archived events of `only` topics (every topic when absent) against the current
 * schemas. One finding per topic, version and rule, naming the first few events and the first error.
 */
export function checkArchivedEvents(topics: ReadonlyMap<string, TopicSchemas>, events: readonly ArchivedEvent[], only?: ReadonlySet<string>): ArchiveFinding[] {
  const ajv = newAjv();
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (t: TopicSchemas, version: number): ValidateFunction | undefined => {
    const v = t.versions.find((x) => x.version === version);
    if (!v) return undefined;
    const key = `${t.topic}@${version}`;
    let fn = validators.get(key);
    if (!fn) {
      fn = ajv.compile({ ...v.schema, $id: `busline-archive:${key}` });
      validators.set(key, fn);
    }
    return fn;
  };
  const groups = new Map<string, { topic: string; text: string; ids: string[]; firstError: string }>();
  const add = (topic: string, text: string, id: string, error: string) => {
    const g = groups.get(`${topic}\n${text}`) ?? { topic, text, ids: [], firstError: error };
    g.ids.push(id);
    groups.set(`${topic}\n${text}`, g);
  };
  const accepted = new Map([...topics.values()].map((t) => [t.topic, new Set(acceptedVersions(t))]));
  for (const e of events) {
    const t = topics.get(e.topic);
    if (!t || (only && !only.has(e.topic))) continue;
    const latest = t.latest.version;
    const version = e.version ?? latest;
    const own = validatorOf(t, version);
    if (!own) {
      add(e.topic, `archived ${e.topic} events carry schemaVersion ${version}, but there is no v${version}.json: restore it (events in the archive are replayed with it)`, e.id, '');
      continue;
    }
    if (!own(e.data)) {
      add(e.topic, `archived ${e.topic} events written with v${version} fail v${version} as it is now (a published version was edited in place: restore it and add v${latest + 1}.json instead)`, e.id, errorText(own));
    }
    if (version !== latest && accepted.get(e.topic)?.has(version)) {
      const newest = validatorOf(t, latest)!;
      if (!newest(e.data)) {
        add(e.topic, `archived ${e.topic} events written with v${version}, which subscribers on v${latest} accept by default, fail v${latest}`, e.id, errorText(newest));
      }
    }
  }
  return [...groups.values()].map((g) => {
    const shown = g.ids.slice(0, IDS_SHOWN).join(', ');
    const more = g.ids.length > IDS_SHOWN ? ` and ${g.ids.length - IDS_SHOWN} more` : '';
    return { topic: g.topic, message: `${g.text}: ${g.ids.length} event(s) (${shown}${more})${g.firstError ? `; first error: ${g.firstError}` : ''}.` };
  });
}

function errorText(fn: ValidateFunction): string {
  const e = fn.errors?.[0];
  if (!e) return 'invalid';
  return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`;
}
