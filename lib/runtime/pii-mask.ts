/**
 * Masking a record's PII (fields its topic's schema marks `"x-busline-pii"`, lib/schema/pii.ts):
 * the values found at those paths in the record's data are replaced by `***` wherever they
 * appear in what the runtime writes about the record — any log line, under any key, inside any
 * text, and the DLQ reason attributes. The data the handler receives is not touched.
 *
 * Values are matched as text: a masked value is also masked inside a longer string (an error
 * message quoting it). Short values therefore mask aggressively; that is the safe side. The
 * values of a record are found by pii-values.ts.
 */

export const MASKED = '***';

export interface PiiMask {
  /** Texts to replace, longest first (so a value containing another is replaced whole). */
  readonly texts: readonly string[];
  /** Numbers logged as numbers that are PII values. */
  readonly numbers: ReadonlySet<number>;
}

/** `text` with every PII value replaced by `***`. */
export function maskText(text: string, mask: PiiMask): string {
  let out = text;
  for (const t of mask.texts) if (out.includes(t)) out = out.split(t).join(MASKED);
  return out;
}

/** A JSON.stringify replacer step: strings masked, PII numbers replaced; anything else as is. */
export function maskValue(value: unknown, mask: PiiMask): unknown {
  if (typeof value === 'string') return maskText(value, mask);
  if (typeof value === 'number' && mask.numbers.has(value)) return MASKED;
  return value;
}

/**
 * `value` with every string masked (maskText) and every PII number replaced, through arrays and
 * plain objects; anything else (a Date) as is. For a whole record or event written for people
 * and tools (the local engine's journal, `busline dlq show`), not for the data a handler gets.
 */
export function maskDeep<T>(value: T, mask: PiiMask): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item);
      return out;
    }
    return maskValue(v, mask);
  };
  return walk(value) as T;
}

/** One mask holding the values of several (undefined when none has any). */
export function mergePiiMasks(masks: Iterable<PiiMask>): PiiMask | undefined {
  const texts = new Set<string>();
  const numbers = new Set<number>();
  for (const m of masks) {
    for (const t of m.texts) texts.add(t);
    for (const n of m.numbers) numbers.add(n);
  }
  if (texts.size === 0) return undefined;
  return { texts: [...texts].sort((a, b) => b.length - a.length), numbers };
}
