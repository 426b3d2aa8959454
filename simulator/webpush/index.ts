/** Public API of the mock Web Push service. */
export { startMockWebPush, type MockWebPush, type WebPushFaults } from './server.js';
export type { MockWebPushOptions } from './options.js';
export type { MockWebPushStats } from './routes.js';
export { generateVapidKeys, generateSubscriptionKeys, type VapidKeys } from './keys.js';
export type { CreateSubscriptionOptions, PushSubscriptionJson, ReceivedPushMessage, SubscriptionRegistry } from './subscriptions.js';
export { checkPushBody, checkPushHeaders, urgencies } from './validate.js';
export { parseVapid } from './vapid-verifier.js';
