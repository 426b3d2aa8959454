/**
 * Tells, as early as the evidence allows, that a run cannot reach its target — so it stops within
 * seconds with the underlying cause instead of running its full length against nothing and
 * reporting the circuit breaker's view of it (`CIRCUIT_OPEN`).
 *
 * It watches only until the target has shown it works, per origin for connections and per
 * provider for answers; after that, failures are what the run measures:
 *  - connections: the first failed connection to an origin that never connected stops the run
 *    when its cause is definite — refused (ECONNREFUSED), no such host (ENOTFOUND, EAI_AGAIN),
 *    unreachable network, TLS verification, or no HTTP/2 SETTINGS within the connect timeout;
 *    other causes (a reset, a close before SETTINGS) stop it after `maxConnectFailures` in a row;
 *  - answers: `maxAuthRejections` rejections of the credentials (401/403 of a non-permanent class:
 *    InvalidProviderToken, BadCertificate, PERMISSION_DENIED, a VAPID 403…) before any other answer
 *    from that provider stop it: every request would be refused the same way;
 *  - credentials: a notification failed for want of a credential (FCM's OAuth token endpoint
 *    unreachable, or refusing the service account) before any answer from that provider.
 */
import type { Provider } from '../core/reasons.js';
import type { Outcome } from '../sender/outcome.js';

export interface UnreachableCause {
  readonly origin: string;
  /** The cause, first: `ECONNREFUSED`, `ENOTFOUND`, a TLS code, `403 InvalidProviderToken`. */
  readonly cause: string;
  readonly message: string;
}

export interface ReachabilityOptions {
  /** @default 3 */
  readonly maxConnectFailures?: number;
  /** @default 5 */
  readonly maxAuthRejections?: number;
}

/** Error codes that say the origin cannot be reached at all, not that one connection was unlucky. */
const definite = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_HTTP2_ERROR',
]);

/** The innermost error's code and message: the system's or the TLS stack's words, not pushsim's wrapping. */
export function rootCause(error: Error): { code: string | undefined; message: string } {
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  const e = inner as Error & { code?: unknown };
  return { code: typeof e.code === 'string' && !e.code.startsWith('PUSHSIM_ERR_') ? e.code : undefined, message: e.message };
}

export class ReachabilityWatch {
  readonly #onUnreachable: (cause: UnreachableCause) => void;
  readonly #originOf: (provider: Provider) => string;
  readonly #maxConnectFailures: number;
  readonly #maxAuthRejections: number;
  readonly #connected = new Set<string>();
  readonly #connectFailures = new Map<string, number>();
  readonly #answered = new Set<Provider>();
  readonly #authRejections = new Map<Provider, number>();
  #fired = false;

  constructor(originOf: (provider: Provider) => string, onUnreachable: (cause: UnreachableCause) => void, options: ReachabilityOptions = {}) {
    this.#originOf = originOf;
    this.#onUnreachable = onUnreachable;
    this.#maxConnectFailures = options.maxConnectFailures ?? 3;
    this.#maxAuthRejections = options.maxAuthRejections ?? 5;
  }

  onConnectionAdded(origin: string): void {
    this.#connected.add(origin);
  }

  onConnectionFailed(origin: string, error: Error): void {
    if (this.#connected.has(origin)) return;
    const failures = (this.#connectFailures.get(origin) ?? 0) + 1;
    this.#connectFailures.set(origin, failures);
    const { code, message } = rootCause(error);
    const timedOut = message.includes('no HTTP/2 SETTINGS within');
    if ((code !== undefined && definite.has(code)) || timedOut || failures >= this.#maxConnectFailures) {
      this.#fire({ origin, cause: code ?? (timedOut ? 'connect timeout' : 'connection failed'), message: failures > 1 ? `${message} (${failures} connection attempts, none succeeded)` : message });
    }
  }

  onOutcome(outcome: Outcome): void {
    const { provider } = outcome;
    if (this.#answered.has(provider)) return;
    if (outcome.status === 'failed' && outcome.code === 'PUSHSIM_ERR_CREDENTIAL') {
      // No credential to send with (FCM's OAuth token endpoint unreachable or refusing the service account), after the retries: every request would fail alike.
      this.#fire({ origin: this.#originOf(provider), cause: 'credentials', message: `${outcome.message}; no request could be sent` });
      return;
    }
    if (outcome.status === 'rejected' && (outcome.httpStatus === 401 || outcome.httpStatus === 403) && outcome.retryClass !== 'permanent') {
      const n = (this.#authRejections.get(provider) ?? 0) + 1;
      this.#authRejections.set(provider, n);
      if (n >= this.#maxAuthRejections) {
        this.#fire({
          origin: this.#originOf(provider),
          cause: `${outcome.httpStatus} ${outcome.reason}`,
          message: `the provider refused the credentials on every request (${n} of ${n}: ${outcome.httpStatus} ${outcome.reason}); check the key, its ids, the certificate or the service account`,
        });
      }
    } else if (outcome.status === 'accepted' || outcome.status === 'rejected') {
      this.#answered.add(provider);
    }
  }

  #fire(cause: UnreachableCause): void {
    if (this.#fired) return;
    this.#fired = true;
    this.#onUnreachable(cause);
  }
}
