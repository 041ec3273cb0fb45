/**
 * Like-for-like Powertools reserve-inventory (bench/peers/powertools-reserve-inventory-like-busline.ts)
 * validating Busline's scope with the validation utility and one shared Ajv.
 */
import { validate } from '@aws-lambda-powertools/validation';
import { Ajv } from 'ajv';
import orderPlacedSchema from '../../schemas/order.placed/v1.json' with { type: 'json' };
import { envelopeJsonSchema } from './order-envelope-json-schema.ts';
import { likeBuslineHandler, type ScopedOrderPlaced } from './powertools-reserve-inventory-like-busline.ts';

const ajv = new Ajv({ allErrors: true });
const schema = envelopeJsonSchema(orderPlacedSchema);

export const handler = likeBuslineHandler((body) => validate({ payload: body, schema, ajv }) as ScopedOrderPlaced);
