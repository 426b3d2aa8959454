/**
 * Resolves a scenario's target into what the sender needs: an origin, credentials and a CA, plus a
 * way to shut down whatever we started. For a mock target the mock is started here — in a worker
 * thread when the built worker script exists (so sender and mock use both cores), else in-process.
 */
import { readFile } from 'node:fs/promises';
import { CredentialError } from '../core/errors.js';
import type { ApnsTokenCredentials } from '../sender/auth/apns-token.js';
import { startMockApns } from '../simulator/apns/server.js';
import { canStartMockApnsInWorker, startMockApnsInWorker } from '../simulator/apns/in-worker.js';
import type { MockTarget, ScenarioConfig, UrlTarget } from './config.js';

export interface OpenTarget {
  readonly url: string;
  readonly ca: string | undefined;
  readonly credentials: ApnsTokenCredentials;
  /** Where the mock runs, for the banner: 'worker', 'in-process' or 'external'. */
  readonly placement: 'worker' | 'in-process' | 'external';
  /** The mock's own counters, when we run the mock. */
  mockStats(): Promise<unknown>;
  close(): Promise<void>;
}

export async function openTarget(config: ScenarioConfig, unregistered: readonly string[]): Promise<OpenTarget> {
  return config.target.kind === 'mock' ? openMock(config.target, unregistered, config.tokens.seed) : openUrl(config.target);
}

async function openMock(target: MockTarget, unregistered: readonly string[], seed: number): Promise<OpenTarget> {
  const options = { tls: target.tls, latency: target.latency, unregistered: [...unregistered], seed };
  // From .ts sources (tests) there is no built worker script; then the mock runs in-process.
  if (target.worker && canStartMockApnsInWorker()) {
    const inWorker = await startMockApnsInWorker(options);
    return {
      url: inWorker.url,
      ca: inWorker.ca,
      credentials: inWorker.credentials,
      placement: 'worker',
      mockStats: () => inWorker.stats(),
      close: () => inWorker.close(),
    };
  }
  const mock = await startMockApns(options);
  return {
    url: mock.url,
    ca: mock.ca,
    credentials: mock.credentials,
    placement: 'in-process',
    mockStats: () => Promise.resolve(mock.stats()),
    close: () => mock.close(),
  };
}

async function openUrl(target: UrlTarget): Promise<OpenTarget> {
  const privateKey = await readFile(target.credentials.keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CredentialError(`cannot read the APNs key file ${target.credentials.keyFile} (${error.code ?? error.message}); set target.credentials.keyFile to your .p8 file`);
  });
  const ca =
    target.caFile === undefined
      ? undefined
      : await readFile(target.caFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new CredentialError(`cannot read the CA file ${target.caFile} (${error.code ?? error.message})`);
        });
  return {
    url: target.url,
    ca,
    credentials: { keyId: target.credentials.keyId, teamId: target.credentials.teamId, privateKey },
    placement: 'external',
    mockStats: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}
