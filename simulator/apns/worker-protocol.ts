/**
 * Messages between startMockApnsInWorker (main thread) and worker.ts. Only structured-cloneable
 * data crosses: no functions, so no Clock object and no custom latency sampler.
 */
import type { LatencySpec } from '../distributions.js';
import type { ApnsSigningKey } from './credentials.js';
import type { MockApnsOptions } from './options.js';
import type { MockApnsStats } from './stats.js';
import type { ApnsClientCertificate } from './tls-material.js';

/** Everything but functions: no clock, no latency sampler, no onPush handler. */
export type MockApnsWorkerOptions = Omit<MockApnsOptions, 'clock' | 'latency' | 'onPush'> & { readonly latency?: LatencySpec };

export interface WorkerData {
  readonly options: MockApnsWorkerOptions;
}

export type ToWorker = { readonly type: 'stats'; readonly id: number } | { readonly type: 'close' };

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

export type FromWorker =
  | {
      readonly type: 'ready';
      readonly url: string;
      readonly ca: string | undefined;
      readonly credentials: ApnsSigningKey;
      readonly clientCertificate: ApnsClientCertificate | undefined;
      readonly environment: 'sandbox' | 'production';
      readonly seed: number;
    }
  | { readonly type: 'failed'; readonly error: SerializedError }
  | { readonly type: 'stats'; readonly id: number; readonly stats: MockApnsStats }
  | { readonly type: 'closed' };
