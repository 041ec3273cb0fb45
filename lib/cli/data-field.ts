/**
 * A field of an event's `data` named by a dot path (`userId`, `address.city`): reading it, and
 * the `data.<path>=<value>` filter the CLI's `--where`, the page and the MCP tools take.
 */

/** A field of `data` by its dot path and the value it must have, as text. */
export interface DataFieldFilter {
  readonly path: string;
  /** A string field equals it; any other field's JSON does (`40`, `true`). */
  readonly equals: string;
}

/** The value at a dot path of `data`; undefined when a step is missing. */
export function dataFieldAt(data: unknown, path: string): unknown {
  let at = data;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A field's value as the filter compares it (and as an SQS message group id reads it): a string as itself, anything else as JSON. */
export function dataFieldText(value: unknown): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
}

export class DataFieldFilterError extends Error {
  override readonly name = 'DataFieldFilterError';
}

/** `data.<path>=<value>` as a filter; DataFieldFilterError naming the expected shape otherwise. */
export function parseDataFieldFilter(text: string): DataFieldFilter {
  const match = /^data\.([^=]+)=(.*)$/s.exec(text);
  if (!match) throw new DataFieldFilterError(`${text}: expected data.<field>=<value>, e.g. data.userId=u-1`);
  return { path: match[1]!, equals: match[2]! };
}
