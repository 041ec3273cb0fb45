export { EventFlow, type EventFlowProps } from './event-flow.ts';
export { Subscription, type SubscriptionOptions, type SubscriptionProps } from './subscription.ts';
export { Topic, type TopicOptions } from './topic.ts';
export { Delivery, type QueueDeliveryOptions, type OrderedDeliveryOptions } from './delivery.ts';
export { Backoff, type ExponentialBackoffOptions } from './backoff.ts';
export { EventFlowDeclarationError } from './errors.ts';
export { FlowEncryption } from './flow-encryption.ts';
export { FlowDashboard, type FlowDashboardOptions, type FlowDashboardProps } from './flow-dashboard.ts';
export type { ServiceLevelObjectives } from './service-levels.ts';
