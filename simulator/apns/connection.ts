/**
 * Per-connection state of the mock APNs (one per HTTP/2 session), which Apple ties to the
 * connection rather than to a request (protocols.md §1.9–1.11):
 *  - the auth kind: a client certificate (mutual TLS) or provider tokens;
 *  - for token auth, the pinned team, the current token and when it was adopted (token-auth.ts);
 *  - the stream limit: 1 until the first valid provider token, then `maxConcurrentStreams`;
 *  - GOAWAY with a JSON reason as debug data when the mock drops the connection (§1.5).
 */
import type { ServerHttp2Session } from 'node:http2';
import { TLSSocket } from 'node:tls';
import type { ApnsReason } from '../../core/reasons.js';
import { sendGoaway } from '../goaway.js';
import { createCertificateAuthenticator, identifyClientCertificate, type ApnsEnvironment } from './cert-auth.js';
import { createTokenAuthenticator, newTokenAuthState, type TokenAuthOptions } from './token-auth.js';
import type { ApnsValidationContext } from './validate.js';

export interface ConnectionSettings {
  /** Validation context shared by every connection; each adds its own auth. */
  readonly base: Omit<ApnsValidationContext, 'authenticate' | 'authKind' | 'defaultTopic' | 'connectionReason'>;
  readonly tokenAuth: TokenAuthOptions;
  readonly environment: ApnsEnvironment;
  /** Whether client certificates are requested (the mock's mtls option). */
  readonly mtls: boolean;
  readonly initialStreams: number;
  readonly maxConcurrentStreams: number;
}

/** Sends a new SETTINGS_MAX_CONCURRENT_STREAMS on a session. */
export type StreamLimitSetter = (session: ServerHttp2Session, maxConcurrentStreams: number) => void;

const sendStreamLimit: StreamLimitSetter = (session, maxConcurrentStreams) => session.settings({ maxConcurrentStreams });

export class ApnsConnection {
  readonly session: ServerHttp2Session;
  /** When the last stream opened (ms, injected clock), for the idle sweep; set by the server. */
  lastStreamAtMs: number;
  readonly context: ApnsValidationContext;
  readonly authKind: 'token' | 'certificate';
  #streamsRaised = false;
  readonly #maxConcurrentStreams: number;
  readonly #setStreamLimit: StreamLimitSetter;

  /** `setStreamLimit`: how the raised limit is sent; the fault engine's, when faults are on, so a streams fault keeps its hold. */
  constructor(session: ServerHttp2Session, settings: ConnectionSettings, nowMs: number, setStreamLimit: StreamLimitSetter = sendStreamLimit) {
    this.session = session;
    this.lastStreamAtMs = nowMs;
    this.#maxConcurrentStreams = settings.maxConcurrentStreams;
    this.#setStreamLimit = setStreamLimit;
    const socket = session.socket;
    const identity = settings.mtls && socket instanceof TLSSocket ? identifyClientCertificate(socket, settings.environment) : undefined;
    if (identity !== undefined) {
      this.authKind = 'certificate';
      this.context = {
        ...settings.base,
        authKind: 'certificate',
        authenticate: createCertificateAuthenticator(identity),
        // A bad certificate fails every request of the connection, whatever else is wrong with it.
        ...(identity.ok ? { defaultTopic: identity.bundleId } : { connectionReason: identity.reason }),
      };
      // The stream limit before auth applies to token auth only (§1.9): a certificate is the auth.
      if (identity.ok) this.raiseStreamLimit();
    } else {
      this.authKind = 'token';
      this.context = tokenAuthContext(settings, () => this.raiseStreamLimit());
      if (settings.initialStreams >= settings.maxConcurrentStreams) this.#streamsRaised = true;
    }
  }

  /** True once the connection advertises its full stream limit. */
  get streamsRaised(): boolean {
    return this.#streamsRaised;
  }

  /** Advertises `maxConcurrentStreams` in a new SETTINGS frame, once. */
  raiseStreamLimit(): void {
    if (this.#streamsRaised) return;
    this.#streamsRaised = true;
    if (!this.session.destroyed && !this.session.closed) this.#setStreamLimit(this.session, this.#maxConcurrentStreams);
  }

  /**
   * Drops the connection as APNs does: one GOAWAY (NO_ERROR) whose debug data is `{"reason":…}` and
   * whose last-stream-id is the last stream the mock processed (§1.5, §1.11), then the streams up to
   * it finish and the connection ends, without a second frame (../goaway.ts). Resolves when closed.
   */
  goaway(reason: ApnsReason, drainMs?: number): Promise<void> {
    return sendGoaway(this.session, { debug: JSON.stringify({ reason }), ...(drainMs !== undefined && { drainMs }) });
  }
}

/**
 * The validation context of a token-auth connection, with its own token state: `onValid` runs on
 * each valid new token (the connection raises its stream limit on the first). Also what a simulated
 * connection uses (simulator/virtual/).
 */
export function tokenAuthContext(settings: ConnectionSettings, onValid: () => void): ApnsValidationContext {
  const authenticate = createTokenAuthenticator(settings.tokenAuth, newTokenAuthState(), onValid);
  return { ...settings.base, authKind: 'token', authenticate };
}

/**
 * Closes connections that opened no stream for `idleMs` with GOAWAY `{"reason":"IdleTimeout"}`
 * (APNs closes idle connections, §1.11; the time is unpublished). A sweep on the injected clock
 * rather than `session.setTimeout`, whose per-frame timer refresh cost ~20 % of the mock's
 * throughput under h2load. Activity is a new stream (the server stamps `lastStreamAtMs`); a
 * connection is closed within one sweep (≤ 1 s) after it has been idle for `idleMs`. Returns a function that stops the sweep.
 */
export function startIdleSweep(connections: Iterable<ApnsConnection>, idleMs: number, now: () => number): () => void {
  const timer = setInterval(() => {
    const at = now();
    for (const connection of connections) if (at - connection.lastStreamAtMs >= idleMs) void connection.goaway('IdleTimeout');
  }, Math.max(10, Math.min(1_000, Math.floor(idleMs / 4))));
  timer.unref();
  return () => clearInterval(timer);
}
