/**
 * The fault framework's contracts (after toxiproxy's `toxics/toxic.go`, style-models.md §5, lesson 7).
 *
 *   request ─► FaultEngine.decide(info) ─► FaultDecision | undefined ─► applyFaultDecision(decision, stream, host)
 *                 │ for each fault: schedule? ─ match? ─ firstN / everyNth / probability? ─ kind.onRequest()
 *   session ─► FaultEngine.onSession(session)     (goaway idle / max-age / pings, stream limits, metrics)
 *   socket  ─► FaultEngine.onConnection()         (refuse, slow handshake)
 *
 * The framework owns targeting, probability, selection and scheduling; a kind only says *what*
 * happens to a request or connection it is handed. One file per kind under kinds/.
 */
import type { CancelTimer } from '../../core/scheduler.js';
import type { Socket } from 'node:net';
import type { DeliveryLedger } from '../ledger/ledger.js';
import type { Dice } from './dice.js';

/** Providers whose wire format the faults speak (protocols.md §1, §2, §3). */
export type FaultProvider = 'apns' | 'fcm' | 'webpush';
export const faultProviders: readonly FaultProvider[] = ['apns', 'fcm', 'webpush'];

/** What a host (mock or proxy) knows about one request (one HTTP/2 stream). */
export interface FaultRequestInfo {
  readonly provider: FaultProvider;
  /** APNs device token, FCM registration token, Web Push subscription path. */
  readonly token?: string | undefined;
  /** APNs `apns-topic`, FCM `message.topic`, Web Push `Topic`. */
  readonly topic?: string | undefined;
  /** APNs `apns-push-type`. */
  readonly pushType?: string | undefined;
  /** APNs `apns-priority` (10/5/1), FCM android priority, Web Push `Urgency`. */
  readonly priority?: string | number | undefined;
  /** FCM project id (the `per: project` throttle key); APNs: the topic. */
  readonly project?: string | undefined;
  /** From FaultEngine.connectionId(session): 1 for the first connection seen, then 2, 3… */
  readonly connectionId?: number | undefined;
  /** 1-based attempt number for this token; the engine counts it when absent. */
  readonly attemptForToken?: number | undefined;
  /** Client-supplied notification id (APNs request `apns-id`), for the ledger's duplicate detection. */
  readonly notificationId?: string | undefined;
  /** Epoch ms; the engine's clock when absent. */
  readonly now?: number | undefined;
}

/** A provider-faithful answer: status, headers (no pseudo-headers), body ('' = HEADERS with END_STREAM). */
export interface FaultResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Reason for metrics: APNs reason, FCM errorCode, or `HTTP_<status>`. */
  readonly reason: string;
}

/** What happens after an accept-then-fail fault let the provider accept the notification. */
export type AfterAccept =
  | { readonly type: 'respond'; readonly response: FaultResponse }
  | { readonly type: 'reset'; readonly code: number }
  /** Never send the 200: the client times out (or the connection closes). */
  | { readonly type: 'stall' };

/** The one terminal effect of a decision (at most one per request; the first selected fault wins). */
export type FaultAction =
  /** Answer now, instead of the provider. */
  | { readonly type: 'respond'; readonly response: FaultResponse }
  /** RST_STREAM with `code` before processing (REFUSED_STREAM means "safe to retry", RFC 9113 §8.7). */
  | { readonly type: 'reset'; readonly code: number }
  /** Hold the request `ms` then process it normally; never answer when `ms` is undefined (blackhole). */
  | { readonly type: 'stall'; readonly ms: number | undefined }
  /**
   * GOAWAY on this request's connection. `refuse`: last-stream-id below this stream, so the client
   * knows it was not processed; otherwise this stream is still answered. `abrupt`: destroy the
   * session right after (error code ≠ NO_ERROR), instead of letting open streams finish.
   */
  | { readonly type: 'goaway'; readonly code: number; readonly refuse: boolean; readonly abrupt: boolean; readonly debug: string | undefined }
  /** TCP reset of the connection carrying this request. */
  | { readonly type: 'reset-connection' }
  /** Let the provider process it; if accepted, record the delivery and then fail anyway. */
  | { readonly type: 'accept-then-fail'; readonly then: AfterAccept };

export interface FiredFault {
  readonly id: string;
  readonly kind: string;
}

export interface FaultDecision {
  /** Extra delay before the action (or the normal answer): the sum of every selected latency fault. */
  readonly delayMs: number;
  readonly action: FaultAction | undefined;
  /** Faults that fired for this request, in spec order (an accept-then-fail one: chosen, see `pending`). */
  readonly fired: readonly FiredFault[];
  /**
   * The accept-then-fail fault chosen for this request, which counts as injected only once the
   * provider accepts it: on a request the provider rejects (a dead token, a bad payload) nothing was
   * delivered, so nothing failed after delivery. The host calls `delivered()` on acceptance and
   * `settled()` when the request is over (hooks.ts does both).
   */
  readonly pending?: PendingInjection;
}

/** An injection that depends on what the provider does with the request (accept-then-fail). */
export interface PendingInjection {
  readonly id: string;
  readonly kind: string;
  /** The provider accepted the request: count the injection (once). */
  delivered(): void;
  /** The request is over, answered or gone: it no longer holds a place under the fault's `limit`. Idempotent. */
  settled(): void;
}

/** What a kind returns for a selected request: a delay (latency composes) or a terminal action. */
export type FaultEffect = { readonly type: 'delay'; readonly ms: number } | FaultAction;

/** The request as kinds see it: every field resolved. */
export interface ResolvedRequest extends FaultRequestInfo {
  readonly attemptForToken: number;
  readonly now: number;
}

/** Connection-level verdict for a new TCP connection. */
export type ConnectionVerdict = { readonly type: 'accept' } | { readonly type: 'refuse' } | { readonly type: 'delay'; readonly ms: number };

/**
 * A connection as session-level faults act on it (goaway idle / max-age / pings, streams, connection
 * reset): a server-side HTTP/2 session (sessions.ts `http2FaultSession`) or a simulated connection
 * on virtual time (simulator/virtual/session.ts), so a kind does the same thing on both.
 */
export interface FaultSession {
  /** Closed or destroyed: nothing more can be sent on it. */
  readonly ended: boolean;
  /** Calls `opened` when a stream opens on it and `closed` when that stream closes. */
  onStream(opened: () => void, closed: () => void): void;
  /** Calls `listener` on every PING the client sends. */
  onPing(listener: () => void): void;
  /** Calls `listener` once when the connection has closed. */
  onClose(listener: () => void): void;
  /** One GOAWAY naming the last stream the session has seen, then the connection ends (NO_ERROR: after its streams; else at once). */
  goaway(code: number, debug: string | undefined): void;
  /** Sends SETTINGS_MAX_CONCURRENT_STREAMS. */
  setStreamLimit(maxConcurrentStreams: number): void;
  /** TCP reset of the connection. */
  resetConnection(): void;
}

/** A live HTTP/2 session as the framework tracks it. */
export interface TrackedSession {
  readonly id: number;
  readonly session: FaultSession;
  readonly openedAt: number;
  /** Streams open right now on this session: counted only once FaultEngine.countStreams() was called. */
  openStreams: number;
  /** Epoch ms when the last stream closed (or the session opened), under the same condition. */
  idleSince: number;
  /**
   * SETTINGS_MAX_CONCURRENT_STREAMS the host wants, faults aside: what a streams fault restores when
   * it ends. The host changes it through FaultEngine.setStreamLimit (APNs raises it after auth).
   */
  baseMaxConcurrentStreams: number;
  /** The limit a streams fault holds the session at while active; undefined when none does. */
  heldStreamLimit: number | undefined;
}

/** Given to a kind's hooks: the clock, the live sessions, and how to report a firing. */
export interface FaultRuntime {
  now(): number;
  /** Runs `run` once `ms` from now on the engine's scheduler (real timers that keep no process alive, or virtual time). */
  after(ms: number, run: () => void): CancelTimer;
  /** Whether the fault's schedule window is open now (timers check it before firing). */
  active(): boolean;
  /** Live sessions this fault is selected for (match.connection and probability per connection). */
  sessions(): Iterable<TrackedSession>;
  /** Count an injection not tied to a request (e.g. an idle GOAWAY). */
  fired(): void;
}

/** What a kind builds from its validated config. Every hook is optional. */
export interface FaultBehaviour {
  /** Called only for requests the framework selected (schedule, match, selection all passed). */
  onRequest?(request: ResolvedRequest, dice: Dice): FaultEffect | undefined;
  /** A new TCP connection while the fault is active and selected (probability already rolled). */
  onConnection?(dice: Dice): ConnectionVerdict | undefined;
  /** A new HTTP/2 session selected for this fault (whether or not the window is open yet: check runtime.active()). */
  onSession?(tracked: TrackedSession, runtime: FaultRuntime): void;
  /** The fault's schedule window opened / closed (checked on every request and every tick). */
  onActivate?(runtime: FaultRuntime): void;
  onDeactivate?(runtime: FaultRuntime): void;
  /** The fault is removed or the engine closes: clear timers. */
  dispose?(): void;
}

/**
 * One fault kind: its own fields (validated here, every problem listed) and a factory.
 * `at` is the path for messages, e.g. `faults[2]`.
 */
export interface FaultKind {
  readonly kind: string;
  /** One line for `--help` and the control API. */
  readonly description: string;
  /** Field names this kind adds to the common ones (id, kind, match, probability, …). */
  readonly fields: readonly string[];
  /** 'delay' kinds (latency) always run and add up; others stop at the first action chosen. */
  readonly effect?: 'delay';
  validate(spec: Readonly<Record<string, unknown>>, at: string): string[];
  create(spec: Readonly<Record<string, unknown>>): FaultBehaviour;
}

/**
 * What the hooks that apply decisions on a host's streams (hooks.ts, http1.ts) need of the engine
 * that made them. FaultEngine implements it; an interface, so the engine can use the hooks without
 * the hooks importing the engine back.
 */
export interface FaultHost {
  readonly ledger: Pick<DeliveryLedger, 'record'>;
  readonly metrics: { response(provider: string, status: number, reason: string, injected: boolean): void };
  decide(info: FaultRequestInfo): FaultDecision | undefined;
  attemptFor(info: FaultRequestInfo): number;
  onConnection(socket?: Socket): ConnectionVerdict;
}
