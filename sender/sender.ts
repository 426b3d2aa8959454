/**
 * The provider-independent sender: adapter (encode / classify) + interceptors + transport.
 *
 *   send(n) ─► adapter.request(n) ─► interceptors… ─► transport.dispatch ─► adapter.outcome(n, result)
 *
 * `send` rejects only for a notification that cannot be encoded (a programming error); everything
 * that happens on the wire ends as an Outcome.
 */
import type { Clock } from '../core/clock.js';
import type { Provider } from '../core/reasons.js';
import { systemClock } from '../core/clock.js';
import type { Scheduler } from '../core/scheduler.js';
import type { SenderListener } from './listener.js';
import type { Outcome } from './outcome.js';
import type { ProviderAdapter } from './providers/provider.js';
import { compose } from './transport.js';
import type { Dispatch, DispatchContext, Interceptor, Transport, TransportRequest, TransportStats } from './transport.js';

export interface SenderOptions<N> {
  readonly adapter: ProviderAdapter<N>;
  readonly transport: Transport;
  /** Outermost first. */
  readonly interceptors?: readonly Interceptor[];
  readonly listener?: SenderListener;
  readonly clock?: Clock;
  /** Times each attempt on its monotonic clock (virtual time in `pushsim simulate`). @default performance.now() */
  readonly scheduler?: Scheduler;
}

export class Sender<N> {
  readonly transport: Transport;
  readonly adapter: ProviderAdapter<N>;
  readonly #dispatch: Dispatch;
  readonly #listener: SenderListener;
  readonly #clock: Clock;

  constructor(options: SenderOptions<N>) {
    this.adapter = options.adapter;
    this.transport = options.transport;
    this.#listener = options.listener ?? {};
    this.#clock = options.clock ?? systemClock;
    const { onAttempt, onSent, onAnswer } = this.#listener;
    const transportDispatch = onAttempt === undefined && onSent === undefined && onAnswer === undefined ? this.transport.dispatch : observed(this.transport.dispatch, this.#listener, this.adapter.provider, options.scheduler);
    this.#dispatch = compose(transportDispatch, ...(options.interceptors ?? []));
  }

  /**
   * Sends one notification; resolves with its final outcome. Rejects only for a notification that
   * cannot be encoded at all (InvalidArgumentError: a programming error); everything that happens on
   * the wire ends as an Outcome. `context`, a fresh one per notification, lets the caller read what
   * the layers recorded afterwards (`sentAt`: when it first went on the wire).
   */
  send(notification: N, context: DispatchContext = { attempts: 0, route: undefined, sentAt: undefined, streamAt: undefined }): Promise<Outcome> {
    const { adapter } = this;
    let request: TransportRequest;
    try {
      adapter.check(notification);
      request = adapter.request(notification);
    } catch (error) {
      return Promise.reject(error);
    }
    const onOutcome = this.#listener.onOutcome;
    // The clock is read only for a listener that wants the duration (two reads per notification otherwise).
    const started = onOutcome === undefined ? 0 : this.#clock.now();
    // One `.then` rather than an async frame: this runs once per notification.
    return this.#dispatch(request, context).then((result) => {
      const base = adapter.outcome(notification, result, context.attempts);
      const outcome = context.route === undefined ? base : { ...base, route: context.route };
      if (onOutcome !== undefined) onOutcome.call(this.#listener, outcome, this.#clock.now() - started);
      return outcome;
    });
  }

  stats(): TransportStats {
    return this.transport.stats();
  }

  /** Lets in-flight notifications finish, then closes connections. */
  close(): Promise<void> {
    return this.transport.close();
  }

  destroy(): Promise<void> {
    return this.transport.destroy();
  }
}

/**
 * Reports and times each attempt: innermost, so every retry through the transport is one sample.
 * When the transport says when the attempt's stream opened (`streamAt`), the time is split into
 * waiting inside pushsim and time on the wire.
 */
function observed(dispatch: Dispatch, listener: SenderListener, provider: Provider, scheduler: Scheduler | undefined): Dispatch {
  // The real path keeps its direct performance.now() call.
  const now = scheduler === undefined || !scheduler.virtual ? () => performance.now() : () => scheduler.monotonic();
  return (request, context) => {
    listener.onSent?.();
    context.streamAt = undefined;
    const start = now();
    return dispatch(request, context).then((result) => {
      const end = now();
      const { streamAt } = context;
      listener.onAttempt?.(end - start, streamAt === undefined ? undefined : { queuedMs: streamAt - start, wireMs: end - streamAt });
      listener.onAnswer?.(provider, result, end - (streamAt ?? start));
      return result;
    });
  };
}
