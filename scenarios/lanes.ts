/**
 * One lane per provider of the target: its sender (ApnsSender, FcmSender or WebPushSender, each with
 * the scenario's sender settings and policies), its recipients, and how to make its notification.
 *
 *   runner ──provider and position of notification i──► lanes.get(provider).send(position) ──► Sender ──► Outcome
 *
 * The lanes' senders share the one listener (so one ResultCollector sees every attempt, retry and
 * breaker change); their outcomes carry their provider, so `byReason` keys stay `<provider>:<reason>`.
 */
import type { Provider } from '../core/reasons.js';
import { ApnsSender } from '../sender/apns-sender.js';
import { FcmSender } from '../sender/fcm-sender.js';
import { rateLimit } from '../sender/interceptors/rate-limit.js';
import type { SenderListener } from '../sender/listener.js';
import type { Outcome } from '../sender/outcome.js';
import type { ApnsNotification } from '../sender/providers/apns.js';
import type { FcmNotification } from '../sender/providers/fcm.js';
import type { WebPushNotification } from '../sender/providers/webpush.js';
import type { Sender } from '../sender/sender.js';
import type { DispatchContext, Transport, TransportStats } from '../sender/transport.js';
import type { Scheduler } from '../core/scheduler.js';
import { WebPushSender } from '../sender/webpush-sender.js';
import type { ScenarioConfig } from './config.js';
import { compileNotification } from './notification-template.js';
import type { OpenTarget } from './target.js';

export interface Lane {
  readonly provider: Provider;
  /** pushsim's own in-flight limit for this lane (`sender.maxInFlight`). */
  readonly maxInFlight: number;
  /**
   * Sends the lane's notification at `position` (its place among this provider's notifications in
   * the whole run, mix.ts `createRecipientSequence`) to recipient `position mod recipients`. Never
   * rejects. `context` (fresh per notification) says afterwards when it first went on the wire (`sentAt`).
   */
  send(position: number, context?: DispatchContext): Promise<Outcome>;
  /**
   * Sends a warm-up notification: round robin over the recipients on a count of its own, so the
   * warm-up never shifts which recipient a measured notification reaches.
   */
  warm(): Promise<Outcome>;
  /** Its sender's pool right now: on the wire, waiting, the target's stream capacity. */
  stats(): TransportStats;
}

export class Lanes {
  readonly #lanes = new Map<Provider, Lane>();
  readonly #byProvider = new Map<Provider, Sender<never>>();
  readonly #senders: { close(): Promise<void>; destroy(): Promise<void> }[] = [];
  readonly #maxInFlight: number;
  #ended: Promise<void> | undefined;

  private constructor(maxInFlight: number) {
    this.#maxInFlight = maxInFlight;
  }

  /**
   * Builds a sender per provider endpoint of `target`; if one cannot be built, closes those that
   * were. A real provider's sender (`endpoint.real`) is held to `real.maxRate` and reports each
   * request that reached the wire to `real.onRequest` (scenarios/safety.ts).
   */
  static async open(config: ScenarioConfig, target: OpenTarget, listener: SenderListener, real?: RealLaneOptions, time?: LaneTime): Promise<Lanes> {
    const lanes = new Lanes(config.sender.maxInFlight);
    const policies = time?.random === undefined ? config.policies : withJitter(config.policies, time.random);
    const common = { ...config.sender, ...(policies !== undefined && { policies }) };
    const scheduler = time?.scheduler;
    // One bucket for every real provider: the cap is the run's, not each lane's (the closed model has no rate of its own).
    const limit = real === undefined ? undefined : rateLimit({ perSecond: real.maxRate });
    const settings = (provider: Provider, endpoint: { real?: boolean; allowProduction?: boolean; transport?: Transport }) => ({
      ...common,
      // A simulated transport on virtual time (scenarios/simulate.ts) instead of HTTP/2 connections.
      ...(scheduler !== undefined && { scheduler }),
      ...(endpoint.transport !== undefined && { transport: endpoint.transport }),
      listener: endpoint.real === true && real !== undefined ? countingRequests(listener, () => real.onRequest(provider)) : listener,
      ...(endpoint.real === true && real !== undefined && limit !== undefined && { interceptors: [limit], productionRateLimit: real.maxRate }),
      ...(endpoint.allowProduction === true && { allowProduction: true }),
    });
    // The FCM and Web Push text: the scenario's title and body, else its APNs alert's (notification-template.ts).
    const text = compileNotification(config.notification);
    const title = text.title.render(undefined);
    const body = text.body.render(undefined);
    const { data } = config.notification;
    try {
      if (target.apns) {
        const { url, ca, credentials, clientCertificate, recipients } = target.apns;
        const tls = ca === undefined && clientCertificate === undefined ? undefined : { ...(ca !== undefined && { ca }), ...clientCertificate };
        const sender = await ApnsSender.create({ url, ...(credentials !== undefined && { credentials }), ...(tls !== undefined && { tls }), ...settings('apns', target.apns) });
        const { topic, pushType, priority } = config.notification;
        // Serialized once for the run, not once per notification.
        const payload = JSON.stringify(config.notification.payload);
        lanes.#add('apns', sender, recipients, priority === undefined ? (token): ApnsNotification => ({ token, topic, pushType, payload }) : (token): ApnsNotification => ({ token, topic, pushType, payload, priority }));
      }
      if (target.fcm) {
        const { url, ca, serviceAccount, recipients, validateOnly } = target.fcm;
        const sender = await FcmSender.create({ url, serviceAccount, ...(ca !== undefined && { tls: { ca } }), ...settings('fcm', target.fcm) });
        // A sequence number in `data` makes each message's body unique, so the mock's ledger (which
        // knows FCM messages by their body: FCM has no client id) counts only real duplicates; a
        // warm-up message's is `w<n>`, never a measured one's.
        // A dry run (validate_only): FCM checks each message and delivers none.
        const dryRun = validateOnly === true ? { validateOnly: true } : {};
        lanes.#add('fcm', sender, recipients, (token, seq): FcmNotification => ({ token, notification: { title, body }, data: data === undefined ? { pushsim_seq: String(seq) } : { ...data, pushsim_seq: String(seq) }, android: { priority: 'high' }, ...dryRun }));
      }
      if (target.webpush) {
        const { ca, vapid, recipients } = target.webpush;
        const sender = await WebPushSender.create({ vapid, ...(ca !== undefined && { tls: { ca } }), ...settings('webpush', target.webpush) });
        const payload = Buffer.from(text.webPushPayload.render(undefined));
        lanes.#add('webpush', sender, recipients, (subscription): WebPushNotification => ({ subscription, payload, urgency: 'high' }));
      }
    } catch (error) {
      await lanes.destroy();
      throw error;
    }
    return lanes;
  }

  /** Every lane, in provider order. */
  all(): Lane[] {
    return [...this.#lanes.values()];
  }

  get(provider: Provider): Lane | undefined {
    return this.#lanes.get(provider);
  }

  /** The provider's sender itself, for notifications made elsewhere (recipients from a file: recipients-send.ts). */
  sender(provider: Provider): Sender<never> | undefined {
    return this.#byProvider.get(provider);
  }

  /** Lets in-flight notifications finish, then closes every sender. Later calls (and `destroy`) do nothing. */
  close(): Promise<void> {
    return (this.#ended ??= settleAll(this.#senders.map((s) => s.close())));
  }

  /** Cuts whatever is still open (as pushsim's `shutdown`, so it is counted apart) and closes every sender. Later calls do nothing. */
  destroy(): Promise<void> {
    return (this.#ended ??= settleAll(this.#senders.map((s) => s.destroy())));
  }

  /**
   * `notification(recipient, seq)`: the lane's notification with sequence `seq` (its position, or
   * `w<n>` in the warm-up); a position stays a number until a notification needs it as text (FCM's
   * `pushsim_seq`), not a string made per notification for APNs and Web Push to drop.
   */
  #add<N, R>(provider: Provider, sender: Sender<N>, recipients: readonly R[], notification: (recipient: R, seq: number | string) => N): void {
    this.#senders.push(sender);
    this.#byProvider.set(provider, sender as Sender<never>);
    let warmed = 0;
    this.#lanes.set(provider, {
      provider,
      maxInFlight: this.#maxInFlight,
      send: (position, context) => sender.send(notification(recipients[position % recipients.length] as R, position), context),
      warm: () => {
        const n = warmed++;
        return sender.send(notification(recipients[n % recipients.length] as R, `w${n}`));
      },
      stats: () => sender.stats(),
    });
  }
}

/** How the lanes of real providers are held and counted (scenarios/safety.ts). */
export interface RealLaneOptions {
  /** Notifications per second at most, per real provider. */
  readonly maxRate: number;
  /** A request to a real provider reached the wire (each attempt, warm-up and retries included). */
  readonly onRequest: (provider: Provider) => void;
}

/** `listener`, also calling `onRequest` for each attempt that reached the wire (it has a timing). */
function countingRequests(listener: SenderListener, onRequest: () => void): SenderListener {
  return {
    ...listener,
    onAttempt: (durationMs, timing) => {
      if (timing !== undefined) onRequest();
      listener.onAttempt?.(durationMs, timing);
    },
  };
}

/** Waits for all, then reports the first failure, so one sender failing to close does not leave the others open. */
async function settleAll(closing: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(closing)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Where a run's senders wait and draw their jitter: a simulation's virtual clock and seeded random numbers. */
export interface LaneTime {
  readonly scheduler: Scheduler;
  /** [0, 1): the retry jitter, seeded so a simulation replays exactly. @default Math.random */
  readonly random?: () => number;
}

/** The scenario's policies with retry jitter drawn from `random` (retry off stays off). */
function withJitter(policies: ScenarioConfig['policies'], random: () => number): ScenarioConfig['policies'] {
  if (policies?.retry === false) return policies;
  return { ...policies, retry: { ...policies?.retry, random } };
}
