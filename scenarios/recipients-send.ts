/**
 * Sending to recipients from a file, with fallback across providers: notification i goes to row
 * i mod rows (recipients-source.ts), to its first channel among the target's providers; when that
 * provider cannot take it — its circuit breaker is open, or its answer after every retry is still
 * a retryable failure (503 ServiceUnavailable, a timeout, a reset) — the same notification is
 * encoded for the recipient's next channel from the one template and sent there.
 *
 *   row { apnsToken, fcmToken, name } ──► APNs ──breaker open / retries exhausted──► FCM ──► Outcome (provider: fcm)
 *
 * Not fallen back (another provider would not change them): rejections that are final (a dead
 * token, a bad payload, bad credentials), expiries, and what pushsim ended itself (shed, cut at
 * the stop). The notification's one outcome is its last provider's, so counts add up, and the
 * provider in it is the one that delivered; `deliveredBy` counts accepted ones per provider.
 */
import type { Provider } from '../core/reasons.js';
import { isSystemError, pathProblem } from '../core/system-errors.js';
import type { Outcome } from '../sender/outcome.js';
import type { ApnsNotification } from '../sender/providers/apns.js';
import type { FcmNotification } from '../sender/providers/fcm.js';
import type { WebPushNotification, WebPushSubscription } from '../sender/providers/webpush.js';
import type { Sender } from '../sender/sender.js';
import type { DispatchContext } from '../sender/transport.js';
import type { ScenarioConfig } from './config.js';
import { targetProviders } from './config.js';
import type { Lanes } from './lanes.js';
import { compileNotification } from './notification-template.js';
import type { FileRecipient } from './recipients-parse.js';
import { RecordError } from './recipients-read.js';
import { RecipientSource, changedSinceCheck } from './recipients-source.js';
import type { OpenTarget } from './target.js';

/** What a run with recipients from a file adds to its result. */
export interface RecipientCounts {
  /** Accepted notifications by the provider that accepted them. */
  readonly deliveredBy: Readonly<Partial<Record<Provider, number>>>;
  /** Notifications handed from one provider to another, by `<from>>` + `<to>` (e.g. `apns>fcm`). */
  readonly providerFallbacks: Readonly<Record<string, number>>;
}

type Encode = (recipient: FileRecipient, seq: string, index: number) => unknown;

export interface RecipientDispatchHooks {
  /** A notification left `from` for `to` (the runner counts it in `counts.fallbacks`). */
  onFallback?(from: Provider, to: Provider): void;
  /**
   * Once, at the first row that cannot be read (the file was deleted, emptied or rewritten under the
   * run): what is wrong with the file now, without its path. The runner stops the run on it (exit 104).
   */
  onLost?(problem: string): void;
  /** How the run's scheduler waits for real work (Scheduler.hold): a simulation's clock stands still while the file is read. */
  readonly hold?: <T>(work: Promise<T>) => Promise<T>;
}

export class RecipientDispatch {
  readonly #source: RecipientSource;
  readonly #providers: readonly Provider[];
  readonly #send = new Map<Provider, (recipient: FileRecipient, seq: string, index: number, context: DispatchContext) => Promise<Outcome>>();
  readonly #hooks: RecipientDispatchHooks;
  readonly #deliveredBy: Partial<Record<Provider, number>> = {};
  readonly #fallbacks = new Map<string, number>();
  readonly #file: string;
  #lost = false;

  constructor(config: ScenarioConfig, lanes: Lanes, target: OpenTarget, hooks: RecipientDispatchHooks = {}) {
    if (config.recipients === undefined) throw new Error('RecipientDispatch needs config.recipients');
    this.#source = new RecipientSource(config.recipients, hooks.hold);
    this.#file = config.recipients.file;
    this.#providers = targetProviders(config.target);
    this.#hooks = hooks;
    const encoders = encodersFor(config, target);
    for (const provider of this.#providers) {
      const sender = lanes.sender(provider) as Sender<unknown> | undefined;
      const encode = encoders[provider];
      if (sender === undefined || encode === undefined) continue;
      this.#send.set(provider, (recipient, seq, index, context) => sender.send(encode(recipient, seq, index), context));
    }
  }

  /** Reads the first rows ahead (before the measured run starts). */
  prefetch(): Promise<void> {
    return this.#source.prefetch();
  }

  /** Sends notification `index` to its row; never rejects. */
  send(index: number, context: DispatchContext): Promise<Outcome> {
    let taken: FileRecipient | Promise<FileRecipient>;
    try {
      taken = this.#source.take(index);
    } catch (error) {
      return Promise.resolve(this.#unreadable(error));
    }
    if (taken instanceof Promise) return taken.then((recipient) => this.#deliver(recipient, index, context), (error: unknown) => this.#unreadable(error));
    return this.#deliver(taken, index, context);
  }

  counts(): RecipientCounts {
    return { deliveredBy: { ...this.#deliveredBy }, providerFallbacks: Object.fromEntries(this.#fallbacks) };
  }

  close(): Promise<void> {
    return this.#source.close();
  }

  async #deliver(recipient: FileRecipient, index: number, context: DispatchContext): Promise<Outcome> {
    const seq = String(index);
    let outcome: Outcome | undefined;
    // The recipient's channels in the target's order (recipients-check.ts channelsOf), without a
    // list or a cache per notification: each row of a large file is a new object, sent once.
    for (const provider of this.#providers) {
      if (recipient[provider] === undefined) continue;
      const send = this.#send.get(provider);
      if (send === undefined) continue;
      if (outcome !== undefined) {
        this.#fallbacks.set(`${outcome.provider}>${provider}`, (this.#fallbacks.get(`${outcome.provider}>${provider}`) ?? 0) + 1);
        this.#hooks.onFallback?.(outcome.provider, provider);
      }
      outcome = await send(recipient, seq, index, context);
      if (!fallsBack(outcome)) break;
    }
    if (outcome === undefined) return this.#unreadable(new Error(`line ${recipient.line}: no channel for the target's providers`));
    if (outcome.status === 'accepted') this.#deliveredBy[outcome.provider] = (this.#deliveredBy[outcome.provider] ?? 0) + 1;
    return outcome;
  }

  /** A row that cannot be read now (the file changed under the run): failed, and said to be pushsim's input, not the provider's. */
  #unreadable(error: unknown): Outcome {
    const problem = lostProblem(error);
    if (!this.#lost) {
      this.#lost = true;
      this.#hooks.onLost?.(problem);
    }
    return { status: 'failed', provider: this.#providers[0] as Provider, token: '', attempts: 0, code: 'PUSHSIM_ERR_INVALID_CONFIG', message: `the recipients file ${this.#file} ${problem}` };
  }
}

/** What is wrong with the recipients file now, from the error reading it threw, without the file's path. */
export function lostProblem(error: unknown): string {
  if (isSystemError(error)) return error.code === 'ENOENT' ? 'does not exist any more: it was deleted or moved during the run (ENOENT)' : `${pathProblem(error)}: it changed during the run`;
  if (error instanceof RecordError) return changedSinceCheck(error.line, error.message);
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a notification goes on to the recipient's next channel: the provider could not take it
 * after its own retries (a transport failure, its circuit open) or still answered a retryable
 * error (503, 500, 429). A final answer (a dead token, a bad request) would be the same elsewhere.
 */
export function fallsBack(outcome: Outcome): boolean {
  if (outcome.status === 'failed') return true;
  return outcome.status === 'rejected' && outcome.retryClass === 'retryable';
}

/** Each provider's notification from the one template, compiled once; a recipient's variables filled in per notification. */
function encodersFor(config: ScenarioConfig, target: OpenTarget): Partial<Record<Provider, Encode>> {
  const template = compileNotification(config.notification);
  const { topic, pushType, priority } = config.notification;
  const { apnsPayload, title, body, data, webPushPayload } = template;
  const webPushStatic = webPushPayload.variables.length === 0 ? Buffer.from(webPushPayload.render(undefined)) : undefined;
  // The mock Web Push service knows only the subscriptions it made: against it, a file's subscription is
  // stood in for by one of the mock's, so its endpoint (a real push service) is never contacted.
  const standIns = target.webpush !== undefined && target.webpush.placement !== 'external' ? target.webpush.recipients : undefined;
  const subscriptionOf = (recipient: FileRecipient, index: number): WebPushSubscription =>
    standIns !== undefined && standIns.length > 0 ? (standIns[index % standIns.length] as WebPushSubscription) : (recipient.webpush as WebPushSubscription);
  return {
    apns: (recipient): ApnsNotification => {
      const payload = apnsPayload.render(recipient.variables);
      return priority === undefined ? { token: recipient.apns as string, topic, pushType, payload } : { token: recipient.apns as string, topic, pushType, payload, priority };
    },
    fcm: (recipient, seq): FcmNotification => {
      const values: Record<string, string> = {};
      for (const [key, value] of data) values[key] = value.render(recipient.variables);
      // A sequence number makes each message's body unique for the mock's ledger (lanes.ts says why).
      values['pushsim_seq'] = seq;
      return { token: recipient.fcm as string, notification: { title: title.render(recipient.variables), body: body.render(recipient.variables) }, data: values, android: { priority: 'high' } };
    },
    webpush: (recipient, _seq, index): WebPushNotification => ({
      subscription: subscriptionOf(recipient, index),
      payload: webPushStatic ?? Buffer.from(webPushPayload.render(recipient.variables)),
      urgency: 'high',
    }),
  };
}
