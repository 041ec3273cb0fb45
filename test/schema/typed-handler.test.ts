/**
 * Typed handlers: the types `busline types` generates make a wrong publish call a compile
 * error. Handlers are written to a temporary folder and compiled with the project's own tsc
 * (the same strict options as the project), and the errors are read back by file and line.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadSchemas } from '../../lib/schema/schema-set.ts';
import { generateTypesModule } from '../../lib/schema/type-codegen.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TYPES = join(ROOT, 'test/fixtures/schema/schemas/types.ts');
const DEFINE_HANDLER = join(ROOT, 'lib/runtime/define-handler.ts');
const HANDLER_TYPES = join(ROOT, 'lib/runtime/handler-types.ts');
const WRAP_HANDLER = join(ROOT, 'lib/runtime/wrap-handler.ts');

const header = `import type { TopicMap } from ${JSON.stringify(TYPES)};
import { defineHandler } from ${JSON.stringify(DEFINE_HANDLER)};
`;

/** Each handler: its source; the line (1-based, after the header) where an error is expected. */
const HANDLERS: Record<string, string> = {
  'good.ts': `${header}import type { UserHandler } from ${JSON.stringify(HANDLER_TYPES)};
import type { OrderPlacedV2 } from ${JSON.stringify(TYPES)};
import type { wrapHandler } from ${JSON.stringify(WRAP_HANDLER)};
export const reserve = defineHandler<TopicMap, 'order.placed', 'inventory.reserved'>(async (order, ctx) => {
  const sku: string | undefined = order.lines[0]?.sku;
  ctx.logger.info('reserving', { sku, coupon: order.couponCode });
  await ctx.publish('inventory.reserved', { orderId: order.orderId, reservationId: 'r-1', warehouse: 'FRA-1' });
});
// The runtime calls handlers as UserHandler: a typed handler must be assignable to it,
// and to what wrapHandler takes (the generated bundle entry passes it there).
export const asUserHandler: UserHandler<OrderPlacedV2> = reserve;
export const asWrapped: Parameters<typeof wrapHandler<OrderPlacedV2>>[0] = reserve;
`,
  'wrong-topic.ts': `${header}export default defineHandler<TopicMap, 'order.placed', 'inventory.reserved'>(async (order, ctx) => {
  await ctx.publish('inventory.reserve', { orderId: order.orderId, reservationId: 'r-1', warehouse: 'FRA-1' });
});
`,
  'undeclared-topic.ts': `${header}export default defineHandler<TopicMap, 'order.placed', 'inventory.reserved'>(async (order, ctx) => {
  await ctx.publish('shipment.scheduled', { orderId: order.orderId, carrier: 'dhl', pickupDate: '2026-01-01' });
});
`,
  'missing-field.ts': `${header}export default defineHandler<TopicMap, 'order.placed', 'inventory.reserved'>(async (order, ctx) => {
  await ctx.publish('inventory.reserved', { orderId: order.orderId, warehouse: 'FRA-1' });
});
`,
  'wrong-enum.ts': `${header}export default defineHandler<TopicMap, 'inventory.reserved', 'shipment.scheduled'>(async (r, ctx) => {
  await ctx.publish('shipment.scheduled', { orderId: r.orderId, carrier: 'fedex', pickupDate: '2026-01-01' });
});
`,
  'misspelt-field.ts': `${header}export default defineHandler<TopicMap, 'inventory.reserved', 'shipment.scheduled'>(async (r, ctx) => {
  await ctx.publish('shipment.scheduled', { orderId: r.orderId, carrier: 'dhl', pickupDate: '2026-01-01', parcel: 2 });
});
`,
  'wrong-data-field.ts': `${header}export default defineHandler<TopicMap, 'order.placed'>(async (order) => {
  const n: number = order.customerId;
  void n;
});
`,
};

const tsc = join(ROOT, 'node_modules/.bin/tsc');
let dir = '';
let errors: Array<{ file: string; line: number; code: string; message: string }> = [];

before(async () => {
  // The checked-in fixture types must be what the generator makes, or this test proves nothing.
  assert.equal(readFileSync(TYPES, 'utf8'), await generateTypesModule(loadSchemas(join(ROOT, 'test/fixtures/schema/schemas')).values()),
    'test/fixtures/schema/schemas/types.ts is stale: run `busline types --schemas test/fixtures/schema/schemas`');
  dir = mkdtempSync(join(tmpdir(), 'busline-typed-handler-'));
  for (const [name, source] of Object.entries(HANDLERS)) writeFileSync(join(dir, name), source);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' })); // ESM, like the project
  const project = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { ...project.compilerOptions, typeRoots: [join(ROOT, 'node_modules/@types')] },
    files: Object.keys(HANDLERS),
  }));
  const result = await promisify(execFile)(tsc, ['-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir }).catch((e: { stdout: string }) => e);
  errors = result.stdout.split('\n').flatMap((line) => {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    return m ? [{ file: m[1]!.split('/').pop()!, line: Number(m[2]), code: m[3]!, message: m[4]! }] : [];
  });
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function errorsIn(file: string) {
  return errors.filter((e) => e.file === file).map(({ line, code, message }) => ({ line, code, message }));
}

describe('typed handlers compiled with tsc', () => {
  test('a handler publishing a declared topic with a valid payload compiles, and is a UserHandler', () => {
    assert.deepEqual(errorsIn('good.ts'), []);
  });

  test('publishing a misspelt topic name is a type error', () => {
    assert.deepEqual(errorsIn('wrong-topic.ts'), [{
      line: 4, code: 'TS2345', message: 'Argument of type \'"inventory.reserve"\' is not assignable to parameter of type \'"inventory.reserved"\'.',
    }]);
  });

  test('publishing a topic the handler does not declare is a type error', () => {
    assert.deepEqual(errorsIn('undeclared-topic.ts'), [{
      line: 4, code: 'TS2345', message: 'Argument of type \'"shipment.scheduled"\' is not assignable to parameter of type \'"inventory.reserved"\'.',
    }]);
  });

  test('a payload missing a required field is a type error naming the field', () => {
    const [e, ...rest] = errorsIn('missing-field.ts');
    assert.deepEqual(rest, []);
    assert.equal(e?.line, 4);
    assert.equal(e?.code, 'TS2741');
    assert.match(e.message, /Property 'reservationId' is missing/);
  });

  test('a payload value outside the schema enum is a type error', () => {
    const [e, ...rest] = errorsIn('wrong-enum.ts');
    assert.deepEqual(rest, []);
    assert.equal(e?.line, 4);
    assert.equal(e?.code, 'TS2322');
    assert.match(e.message, /Type '"fedex"' is not assignable to type '"dhl" \| "ups"'/);
  });

  test('a misspelt optional field in a payload is a type error', () => {
    const [e, ...rest] = errorsIn('misspelt-field.ts');
    assert.deepEqual(rest, []);
    assert.equal(e?.line, 4);
    assert.match(e.message, /'parcel' does not exist in type 'ShipmentScheduledV1'/);
  });

  test('reading the consumed data with the wrong type is a type error', () => {
    assert.deepEqual(errorsIn('wrong-data-field.ts'), [{ line: 4, code: 'TS2322', message: 'Type \'string\' is not assignable to type \'number\'.' }]);
  });

  test('no other file has errors', () => {
    assert.deepEqual(errors.filter((e) => !(e.file in HANDLERS)), []);
  });
});
