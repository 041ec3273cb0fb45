/**
 * AWS compares numbers as decimals scaled to 6 places within ±5,000,000,000
 * ("Numeric matching ... values between -5.0e9 and +5.0e9 inclusive, six digits
 * to the right of the decimal point"). A number outside that range, or with more
 * than 6 decimals, has no comparable form: numeric operators never match it, and
 * a pattern that uses one as an operand is refused.
 *
 * We represent a comparable number as an integer count of millionths (fits
 * exactly in a double: 5e15 < 2^53), so comparisons are exact integer compares.
 */
const LIMIT_MICROS = 5_000_000_000n * 1_000_000n;

export type Comparable =
  | { readonly ok: true; readonly micros: number }
  | { readonly ok: false; readonly reason: string };

/** Parse decimal text (JSON number syntax, or `String(n)` of a JS number). */
export function comparableFromText(text: string): Comparable {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return { ok: false, reason: `${text} is not a decimal number` };
  const negative = m[1] === '-';
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let exponent = Number(m[4] ?? '0') - (m[3]?.length ?? 0); // value = digits * 10^exponent
  digits = digits.replace(/^0+(?=\d)/, '');
  // strip trailing zeros (BigDecimal.stripTrailingZeros)
  while (digits.length > 1 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent += 1;
  }
  if (digits === '0') return { ok: true, micros: 0 };
  if (exponent < -6) return { ok: false, reason: 'Only values upto 6 decimals are supported' };
  // Guard absurd exponents before building a BigInt.
  if (digits.length + exponent > 20) return { ok: false, reason: 'Value must be between -5.0E9 and 5.0E9, inclusive' };
  let micros = BigInt(digits) * 10n ** BigInt(exponent + 6);
  if (negative) micros = -micros;
  if (micros > LIMIT_MICROS || micros < -LIMIT_MICROS) {
    return { ok: false, reason: 'Value must be between -5.0E9 and 5.0E9, inclusive' };
  }
  return { ok: true, micros: Number(micros) };
}

/** The comparable form of an event's number, or undefined when AWS could not compare it. */
export function comparableFromNumber(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  if (Number.isInteger(n)) {
    // fast path: integers in range are exact
    return n >= -5e9 && n <= 5e9 ? n * 1_000_000 : undefined;
  }
  const c = comparableFromText(String(n));
  return c.ok ? c.micros : undefined;
}

/** Render millionths back as a decimal for messages. */
export function formatMicros(micros: number): string {
  return String(micros / 1_000_000);
}
