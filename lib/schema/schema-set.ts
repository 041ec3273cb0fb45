import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The schemas folder is the single source of event shapes. Layout:
 *   schemas/<topic>/v<N>.json   — JSON Schema of the topic's `data`, version N (1, 2, …)
 * e.g. schemas/user.signed-up/v1.json. A topic name is its EventBridge detail-type.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface TopicSchemas {
  readonly topic: string;
  /** Versions in ascending order. */
  readonly versions: readonly SchemaVersion[];
  readonly latest: SchemaVersion;
}

export interface SchemaVersion {
  readonly topic: string;
  readonly version: number;
  readonly file: string;
  readonly schema: JsonSchema;
}

export class SchemaLoadError extends Error {
  override readonly name = 'SchemaLoadError';
}

const VERSION_FILE = /^v([1-9][0-9]*)\.json$/;

/** Reads every topic under `dir`. Throws SchemaLoadError naming the file and the fix. */
export function loadSchemas(dir: string): ReadonlyMap<string, TopicSchemas> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SchemaLoadError(`schemas folder ${dir} does not exist: create it with one folder per topic holding v1.json, v2.json, …`);
  }
  const topics = new Map<string, TopicSchemas>();
  for (const topic of readdirSync(dir).sort()) {
    const topicDir = join(dir, topic);
    if (!statSync(topicDir).isDirectory()) continue;
    const versions: SchemaVersion[] = [];
    for (const name of readdirSync(topicDir)) {
      const m = VERSION_FILE.exec(name);
      if (!m) {
        if (name.endsWith('.json')) {
          throw new SchemaLoadError(`schema file ${join(topicDir, name)} is not named v<N>.json: rename it to v1.json, v2.json, …`);
        }
        continue;
      }
      const file = join(topicDir, name);
      versions.push({ topic, version: Number(m[1]), file, schema: readSchemaFile(file) });
    }
    if (versions.length === 0) continue;
    versions.sort((a, b) => a.version - b.version);
    topics.set(topic, { topic, versions, latest: versions[versions.length - 1]! });
  }
  return topics;
}

function readSchemaFile(file: string): JsonSchema {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SchemaLoadError(`schema file ${file} is not valid JSON (${(err as Error).message}): fix the syntax`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SchemaLoadError(`schema file ${file} must hold a JSON Schema object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  return parsed as JsonSchema;
}
