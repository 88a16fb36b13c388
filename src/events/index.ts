export { Delivery, type AsyncInvoke, type DeliveryEvent, type DeliveryCounters } from './delivery.js';
export { EventBridge, eventTime, type EventEnvelope } from './event-bridge.js';
export { EventScheduler } from './event-scheduler.js';
export { ScheduleRunner, type Firing, type UpcomingFire } from './schedule-runner.js';
