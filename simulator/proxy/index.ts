export { startFaultProxy } from './proxy.js';
export type { FaultProxy, FaultProxyOptions } from './proxy.js';
