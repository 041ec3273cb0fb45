/**
 * Generators of hostile wire input shared by the wire fuzzers: values of the wrong type, fields
 * left out or unknown, malformed JSON text, and payloads over the AWS size limits.
 */
import fc from 'fast-check';

/** Any JSON value, shallow: what a client may put where another type belongs. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

/**
 * A string of `size` bytes or so, over an AWS limit: 256 KiB (SQS's old message limit and the
 * EventBridge entry limit before 2026), 1 MiB (both since 2026-01-29), or DynamoDB's 400 KB item.
 */
export const hugeString: fc.Arbitrary<string> = fc
  .constantFrom(256 * 1024 + 1, 400 * 1024 + 1, 1024 * 1024 + 1, 1024 * 1024 + 300 * 1024)
  .chain((size) => fc.constantFrom('x', 'é', '{').map((unit) => unit.repeat(Math.ceil(size / Buffer.byteLength(unit)))));

/** Mostly `right`, sometimes a value of any other type, rarely a huge string. */
export function field<T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: right }, { weight: 2, arbitrary: anyJson }, { weight: 1, arbitrary: fc.string({ unit: 'binary' }) }, { weight: 1, arbitrary: fc.constant(null) });
}

/** An object with any subset of `fields` (each maybe of the wrong type) and maybe unknown fields. */
export function request(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.option(fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 3 }), { freq: 4 }))
    .map(([known, unknown]) => ({ ...(unknown ?? {}), ...known }));
}

/** Text that is not a JSON object: broken JSON, other JSON values, binary noise. */
export const notAJsonObject: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '{', '}', '{"', '{"a":', '{"a":1,}', "{'a':1}", '[]', '[{}]', 'null', 'true', '0', '"text"', '{"a":1}{"b":2}', '\u0000', '\ufeff{}', '{"__proto__":{"x":1}}', '{"constructor":1}'),
  fc.string({ unit: 'binary', maxLength: 64 }),
  anyJson.map((value) => JSON.stringify(value) ?? ''),
  fc.jsonValue().map((value) => JSON.stringify(value).slice(0, -1)),
);

/** The body of a JSON-protocol request: an input object (JSON), or text that is not one. */
export function jsonBody(input: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 8, arbitrary: input.map((value) => JSON.stringify(value)) }, { weight: 2, arbitrary: notAJsonObject });
}

/** Headers a client may get wrong: content type, signature, and garbage headers. */
export const clientHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      'content-type': fc.constantFrom('application/x-amz-json-1.0', 'application/x-amz-json-1.1', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''),
      authorization: fc.oneof(
        fc.constant('AWS4-HMAC-SHA256 Credential=local/20261207/us-east-1/events/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000'),
        fc.constant('AWS4-HMAC-SHA256 Credential='),
        fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
      ),
      'x-amz-date': fc.constantFrom('20261207T000000Z', 'yesterday', ''),
      'x-amz-security-token': fc.string({ maxLength: 20 }).map((text) => text.replace(/[^\x21-\x7e]/g, 'a')),
    },
    { requiredKeys: [] },
  );
