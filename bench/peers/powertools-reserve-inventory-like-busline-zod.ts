/**
 * Like-for-like Powertools reserve-inventory (bench/peers/powertools-reserve-inventory-like-busline.ts)
 * validating Busline's scope with zod.
 */
import { OrderPlacedScopeZod } from './order-scope-zod.ts';
import { likeBuslineHandler } from './powertools-reserve-inventory-like-busline.ts';

export const handler = likeBuslineHandler((body) => OrderPlacedScopeZod.parse(body));
