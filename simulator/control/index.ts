export { isLoopback, startControlServer } from './server.js';
export type { ControlServer, ControlServerOptions } from './server.js';
export { createFaultRegistry } from './prometheus.js';
