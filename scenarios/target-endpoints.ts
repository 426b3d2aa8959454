/**
 * What an opened target hands the runner, per provider: where to send and to whom, how (a transport
 * or credentials), and the mocks we started as the runner observes them. Its own file so that
 * target.ts (which opens targets) and target-providers.ts (which opens real providers' endpoints
 * for it) share these shapes without importing each other.
 */
import type { ThreadPauseReport } from '../core/pauses.js';
import type { ApnsTokenCredentials } from '../sender/auth/apns-token.js';
import type { ServiceAccount } from '../sender/auth/google-oauth.js';
import type { VapidCredentials } from '../sender/auth/vapid.js';
import type { WebPushSubscription } from '../sender/providers/webpush.js';
import type { Transport } from '../sender/transport.js';
import type { FaultView } from '../simulator/faults/engine.js';
import type { InjectionCounts } from '../simulator/faults/injection-timeline.js';
import type { LedgerSummary } from '../simulator/ledger/ledger.js';

export interface Endpoint<R> {
  readonly url: string;
  readonly ca: string | undefined;
  /** Where it runs, for the banner (an external origin may sit behind a fault proxy: `fault proxy → https://…`). */
  readonly placement: string;
  /** Who notifications go to: notification k of this provider goes to `recipients[k % length]`. */
  readonly recipients: readonly R[];
  /** Carries the requests instead of HTTP/2 connections to `url` (a simulated provider, scenarios/simulate.ts). */
  readonly transport?: Transport;
}

/** How a lane's sender treats a real provider (scenarios/safety.ts): the opt-in it was given, and its dry run. */
interface RealEndpoint {
  /** The origin leaves this machine: its requests count as real pushes, and the rate cap holds. */
  readonly real?: boolean;
  /** The sender may send to the provider's production host (the scenario and the command line agreed). */
  readonly allowProduction?: boolean;
}

export interface ApnsEndpoint extends Endpoint<string>, RealEndpoint {
  /** Token auth; absent with certificate auth (`clientCertificate`). */
  readonly credentials?: ApnsTokenCredentials;
  /** Certificate auth: the client certificate and key (PEM) or PKCS#12 bundle, and its passphrase. Never logged. */
  readonly clientCertificate?: { readonly pfx?: Buffer; readonly cert?: string; readonly key?: string; readonly passphrase?: string };
}
export interface FcmEndpoint extends Endpoint<string>, RealEndpoint {
  readonly serviceAccount: ServiceAccount;
  /** Every message with validate_only: FCM checks it and delivers nothing. */
  readonly validateOnly?: boolean;
}
export interface WebPushEndpoint extends Endpoint<WebPushSubscription>, RealEndpoint {
  readonly vapid: VapidCredentials;
}

/** A mock we started, as the runner observes it: its fault engine and delivery ledger. */
export interface ObservedMock {
  /** Starts its (paused) faults and their timeline, and forgets the warm-up's deliveries. */
  startMeasuring(): Promise<void>;
  ledger(): Promise<LedgerSummary>;
  faults(): Promise<readonly FaultView[]>;
  /** When its faults fired, per 100 ms of their timeline; undefined without faults. */
  injections(): Promise<InjectionCounts | undefined>;
  /** A mock on its own thread (a worker) measures its own pauses; an in-process one shares the sender's. */
  readonly thread?: { measurePauses(originEpochMs: number): Promise<void>; pauses(): Promise<ThreadPauseReport> };
}

export type Endpoints = { apns?: ApnsEndpoint; fcm?: FcmEndpoint; webpush?: WebPushEndpoint };
