import type { TypedHandler } from './handler-types.ts';

/**
 * Types a handler from the topic map that `busline types` generates, at no run-time cost
 * (it returns its argument):
 *
 *   import type { TopicMap } from '../schemas/types.ts';
 *   export default defineHandler<TopicMap, 'order.placed', 'inventory.reserved'>(async (order, ctx) => {
 *     await ctx.publish('inventory.reserved', { orderId: order.orderId, … }); // checked at compile time
 *   });
 */
export function defineHandler<TMap, TTopic extends keyof TMap, TPublishes extends keyof TMap = never>(
  handler: TypedHandler<TMap, TTopic, TPublishes>,
): TypedHandler<TMap, TTopic, TPublishes> {
  return handler;
}
